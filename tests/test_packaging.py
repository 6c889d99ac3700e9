"""The tool as users get it: a built wheel and an editable install, each run from another folder,
and the installed console script driven in a subprocess."""

import json
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import installed_script

REPO = Path(__file__).resolve().parent.parent


def run(*args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)


def make_venv(where: Path) -> Path:
    """A bare venv that borrows this environment's dependencies, so the test needs no network.

    The borrowed folders hold an installed mlops-path too; installing with --ignore-installed puts
    the one under test in the venv's own site-packages, which comes first on sys.path.
    The .pth file is named to be read last, after the one an editable install writes.
    """
    run(sys.executable, "-m", "venv", "--without-pip", str(where)).check_returncode()
    python = where / "bin" / "python"
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    parents = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    (Path(purelib) / "zz_borrowed_deps.pth").write_text("\n".join(dict.fromkeys(parents)) + "\n")
    return python


def pip_into(python: Path, *args: str) -> None:
    result = run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--ignore-installed",
        "-q",
        *args,
    )
    assert result.returncode == 0, result.stderr


def check_runs_from_elsewhere(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin", "MLOPS_PATH_HOME": str(tmp_path / "home")}
    script = str(venv / "bin" / "mlops-path")
    nxt = run(script, "next", "--json", cwd=elsewhere, env=env)
    assert nxt.returncode == 0, nxt.stderr
    assert json.loads(nxt.stdout)["id"] == "dmls-ch02"
    monitoring = run(script, "list", "--topic", "monitoring", cwd=elsewhere, env=env)
    assert monitoring.returncode == 0 and "dmls-ch08" in monitoring.stdout
    as_module = run(str(venv / "bin" / "python"), "-m", "mlops_path", "where", cwd=elsewhere, env=env)
    assert as_module.stdout.strip() == str(tmp_path / "home" / "progress.json")
    page = run(script, "view", "--no-open", cwd=elsewhere, env=env)  # the page's templates travel with the package
    assert page.returncode == 0, page.stderr
    assert "<h1>So, you want to learn about MLOps</h1>" in (tmp_path / "home" / "view.html").read_text()


@pytest.mark.slow
def test_a_built_wheel_carries_the_catalog_and_runs_from_any_folder(tmp_path):
    dist = tmp_path / "dist"
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("mlops_path-*.whl")
    python = make_venv(tmp_path / "venv")
    pip_into(python, str(wheel))
    where = run(
        str(python),
        "-c",
        "from mlops_path.core.catalog.loader import bundled_catalog_file as f; print(f())",
        cwd=tmp_path,
    )
    assert where.stdout.strip().startswith(str(tmp_path / "venv")), where.stdout + where.stderr
    check_runs_from_elsewhere(tmp_path / "venv", tmp_path)


@pytest.mark.slow
def test_an_editable_install_reads_the_catalog_from_the_checkout(tmp_path):
    python = make_venv(tmp_path / "venv")
    pip_into(python, "-e", str(REPO))
    where = run(
        str(python),
        "-c",
        "from mlops_path.core.catalog.loader import bundled_catalog_file as f; print(f())",
        cwd=tmp_path,
    )
    assert where.stdout.strip() == str(REPO / "data" / "catalog.toml"), where.stdout + where.stderr
    check_runs_from_elsewhere(tmp_path / "venv", tmp_path)


def test_the_installed_script_walks_the_path(script_env, tmp_path, home):
    script = installed_script()
    assert "Chapter 2" in run(script, "next", env=script_env, cwd=tmp_path).stdout
    assert run(script, "done", "dmls-ch02", env=script_env, cwd=tmp_path).returncode == 0
    assert "Chapter 7" in run(script, "next", env=script_env, cwd=tmp_path).stdout
    before = (home / "progress.json").read_bytes()
    bad = run(script, "done", "dmls-ch09", "no-such-id", env=script_env, cwd=tmp_path)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("Error: Unknown id 'no-such-id'") and bad.stderr.count("\n") == 1
    assert (home / "progress.json").read_bytes() == before


@pytest.mark.parametrize("content", [b"{oops", b"\xff\xfe", b"[]"])
def test_the_installed_script_never_shows_a_traceback(script_env, tmp_path, home, content):
    home.mkdir()
    (home / "progress.json").write_bytes(content)
    for args in (["next"], ["list"], ["done", "dmls-ch02"], ["show", "dmls-ch02"]):
        result = run(installed_script(), *args, env=script_env, cwd=tmp_path)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert (home / "progress.json").read_bytes() == content


def test_python_dash_m_runs_the_same_app(script_env, tmp_path):
    result = run(sys.executable, "-m", "mlops_path", "--version", env=script_env, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("mlops-path ")


@pytest.mark.slow
def test_the_sdist_holds_every_file_its_tests_read(tmp_path):
    """Unpacked, the sdist runs its own tests: it holds every tracked file but CI's own script (the
    docs the docs tests read, the benchmark, the catalog, the tests and their snapshots)."""
    import tarfile

    if not (REPO / ".git").exists():
        pytest.skip("needs the git checkout to know which files are tracked")
    tracked = run("git", "ls-files", cwd=REPO).stdout.split()
    wanted = {name for name in tracked if not name.startswith((".ci/", ".gitignore"))}
    built = run(sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path), cwd=REPO)
    assert built.returncode == 0, built.stderr
    (sdist,) = tmp_path.glob("mlops_path-*.tar.gz")
    with tarfile.open(sdist) as archive:
        held = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert wanted <= held, sorted(wanted - held)
