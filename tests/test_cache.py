"""The cache makes start-up fast but is never trusted blindly: keyed on exact bytes, rebuilt when
missing, stale or damaged, and never needed (a cache that cannot be written only costs time)."""

import json
import os
import subprocess
import sys

import pytest

from mlops_path.core.catalog import loader as loader_module
from mlops_path.core.catalog.loader import load_catalog
from mlops_path.core.errors import ProgressError
from mlops_path.core.progress import store
from mlops_path.core.progress.record import Status, mark, now


@pytest.fixture
def parses(monkeypatch):
    """Counts how many catalog files were parsed and validated (not served from the cache)."""
    calls = []
    real = loader_module.read_part

    def counting(raw, source):
        calls.append(source)
        return real(raw, source)

    monkeypatch.setattr(loader_module, "read_part", counting)
    return calls


def test_a_second_load_comes_from_the_cache(parses):
    first = load_catalog()
    assert len(parses) == 1
    second = load_catalog()
    assert len(parses) == 1 and second.by_id == first.by_id and second.path("mlops").steps == first.path("mlops").steps


def test_editing_adding_or_removing_a_catalog_rebuilds(parses, home):
    load_catalog()
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    mine = folder / "mine.toml"
    mine.write_text('[[paths]]\nid = "mine"\ntitle = "Mine"\nsteps = ["dmls-ch02"]\n')
    assert "mine" in load_catalog().paths
    mine.write_text('[[paths]]\nid = "mine"\ntitle = "Renamed"\nsteps = ["dmls-ch02"]\n')
    assert load_catalog().paths["mine"].title == "Renamed"
    mine.unlink()
    assert "mine" not in load_catalog().paths
    assert len(parses) == 5  # bundled; bundled + mine, twice; bundled alone again comes from the cache


@pytest.mark.parametrize("damage", [b"\x00garbage", b"[]", b'{"key": "x"}', "same-key-wrong-shape"])
def test_a_damaged_cache_is_rebuilt_silently(parses, tmp_path, damage):
    expected = load_catalog()
    (cache_file,) = (tmp_path / "cache").glob("catalog-*.json")
    if damage == "same-key-wrong-shape":
        saved = json.loads(cache_file.read_text())
        damage = json.dumps({"key": saved["key"], "value": {"fields": ["id"], "resources": 7}}).encode()
    cache_file.write_bytes(damage)
    assert load_catalog().by_id == expected.by_id and len(parses) == 2


def test_the_cache_keeps_a_few_catalogs_and_drops_the_oldest(parses, tmp_path):
    extra = [tmp_path / f"extra-{i}.toml" for i in range(6)]
    for i, file in enumerate(extra):
        file.write_text(f'[[paths]]\nid = "p{i}"\ntitle = "P{i}"\nsteps = ["dmls-ch02"]\n')
    load_catalog([extra[0]])
    load_catalog([extra[1]])
    load_catalog([extra[0]])  # alternating sets of catalogs both come from the cache
    assert len(parses) == 4
    for file in extra[2:]:
        load_catalog([file])
    assert len(list((tmp_path / "cache").glob("catalog-*.json"))) == 4


def test_an_unwritable_cache_only_costs_time(monkeypatch, tmp_path, parses):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("MLOPS_PATH_CACHE", str(blocker / "cache"))
    assert load_catalog().path("mlops") and load_catalog().path("mlops")
    assert len(parses) == 2


def test_warnings_are_shown_from_the_cache_too(cli, home):
    (home / "catalogs").mkdir(parents=True)
    (home / "catalogs" / "bad.toml").write_text("this is not toml")
    assert "Left out the catalog" in cli("next").stderr
    assert "Left out the catalog" in cli("next").stderr


def test_a_progress_file_we_wrote_is_not_validated_again(monkeypatch, progress_file):
    store.update_progress(progress_file, lambda p: mark(p, ["a"], Status.DONE, now()))
    monkeypatch.setattr(store, "_schema_checked", lambda *a: pytest.fail("validated again"))
    assert store.read_progress(progress_file).status_of("a") is Status.DONE


def test_an_edited_progress_file_is_validated(monkeypatch, progress_file):
    store.update_progress(progress_file, lambda p: mark(p, ["a"], Status.DONE, now()))
    data = json.loads(progress_file.read_text())
    data["resources"]["a"]["status"] = "finished"
    progress_file.write_text(json.dumps(data))
    with pytest.raises(ProgressError, match=r"has a bad value at resources\.a\.status"):
        store.read_progress(progress_file)


def test_a_lying_cache_still_cannot_crash_a_command(cli, progress_file):
    """A forged digest of a bad file skips validation, but the bad record is still refused cleanly."""
    from mlops_path.core import cache

    bad = b'{"version": 2, "resources": {"dmls-ch02": {"status": 7, "updated": "yesterday"}}}'
    progress_file.parent.mkdir(parents=True)
    progress_file.write_bytes(bad)
    cache.save("validated", "progress", [cache.digest(bad)])
    for args in (["next"], ["show", "dmls-ch02"], ["done", "dmls-ch07"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "has an unreadable record for 'dmls-ch02'" in result.stderr and result.stderr.count("\n") == 1
    assert progress_file.read_bytes() == bad
    report = cli("doctor")  # doctor validates every record, whatever the cache says
    assert report.exit_code == 1 and "BROKEN: it has a bad value at resources.dmls-ch02" in report.stdout
    assert cli("doctor", "--repair").exit_code == 0 and not progress_file.exists()
    assert next(iter(progress_file.parent.glob("progress.json.broken-*"))).read_bytes() == bad


HEAVY = ["pydantic", "rich", "tomllib", "filelock", "platformdirs", "httpx", "jinja2", "asyncio", "textual"]


def imported_by(code: str, home, cache_dir) -> set[str]:
    env = {**os.environ, "MLOPS_PATH_HOME": str(home), "MLOPS_PATH_CACHE": str(cache_dir)}
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name.split(".")[0] for name in out} & set(HEAVY)


def test_the_command_modules_import_nothing_heavy_at_module_level(home, tmp_path):
    assert imported_by("import mlops_path.cli.app", home, tmp_path / "cache") == set()


@pytest.mark.parametrize("args", [["next", "--json"], ["list"], ["progress"], ["--help"], ["show", "dmls-ch02"]])
def test_read_only_commands_on_a_warm_cache_import_nothing_heavy(home, tmp_path, args):
    """No pydantic, rich (when piped), tomllib, filelock, or platformdirs (when MLOPS_PATH_HOME is set)."""
    run = f"import sys; sys.argv = ['mlops-path', *{args!r}]\nfrom mlops_path.cli.app import main\n"
    run += "try:\n    main()\nexcept SystemExit:\n    pass"
    imported_by(run, home, tmp_path / "cache")  # warms the cache
    assert imported_by(run, home, tmp_path / "cache") == set()
