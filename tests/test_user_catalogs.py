"""Bring your own catalog: the catalogs folder, --catalog, several paths, `use`, broken files,
renamed ids and records for ids no catalog defines."""

import json
import re
import tomllib
import webbrowser
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "example-catalog.toml"


@pytest.fixture
def catalogs(home) -> Path:
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    file = folder / name
    file.write_text(text)
    return file


def resource(rid: str, **extra) -> str:
    fields = {
        "title": rid.title(),
        "kind": "talk",
        "url": f"https://example.org/{rid}",
        "minutes": 10,
        "topics": ["testing"],
        **extra,
    }
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in fields.items())
    return f'[[resources]]\nid = "{rid}"\n{body}\n\n'


def path(pid: str, steps: list[str]) -> str:
    return f'[[paths]]\nid = "{pid}"\ntitle = "Path {pid}"\nsteps = {json.dumps(steps)}\n\n'


def test_the_example_syllabus_loads_by_dropping_it_into_the_catalogs_folder(cli, catalogs):
    (catalogs / "mlip.toml").write_text(EXAMPLE.read_text())
    paths = {p["id"]: p for p in cli.json("paths")}
    assert set(paths) == {"mlops", "mlip"} and paths["mlops"]["current"]
    assert cli.json("--path", "mlip", "next")["id"] == "mlip-intro"
    assert cli("use", "mlip").exit_code == 0
    assert cli.json("next")["id"] == "mlip-intro"
    assert [i["id"] for i in cli.json("list")][-1] == "operationalizing-ml"  # a bundled resource on a user path
    cli("done", "mlip-intro", "mlip-models-to-systems")
    progress = cli.json("progress")
    assert (progress["done"], progress["total"]) == (2, 9)
    assert cli.json("--path", "mlops", "next")["id"] == "dmls-ch02"


def test_the_catalogs_folder_is_where_says(cli, home):
    assert cli("where", "--catalogs").stdout == f"{home / 'catalogs'}\n"


def test_use_is_remembered_in_the_progress_file_and_an_unknown_path_is_refused(cli, catalogs, progress_file, home):
    write(catalogs, "mine.toml", resource("a-talk") + path("mine", ["a-talk"]))
    result = cli("use", "nope")
    assert result.exit_code == 2 and "known paths: mlops, mine" in result.stderr and not progress_file.exists()
    cli("use", "mine")
    assert json.loads(progress_file.read_text())["default_path"] == "mine"
    assert cli("--path", "zzz", "next").exit_code == 2


def test_a_catalog_given_with_the_global_option(cli, tmp_path):
    one = write(tmp_path, "one.toml", resource("one-talk") + path("one", ["one-talk"]))
    two = write(tmp_path, "two.toml", resource("two-talk") + path("two", ["two-talk", "one-talk"]))
    ids = [p["id"] for p in cli.json("--catalog", str(one), "--catalog", str(two), "paths")]
    assert ids == ["mlops", "one", "two"]


def test_progress_is_per_resource_so_a_shared_one_is_done_in_both_paths(cli, catalogs):
    write(catalogs, "mine.toml", path("mine", ["ml-test-score", "dmls-ch08"]))
    cli("done", "dmls-ch08")
    assert cli.json("--path", "mine", "next")["id"] == "ml-test-score"
    assert cli.json("--path", "mine", "show", "dmls-ch08")["status"] == "done"


def test_a_broken_user_catalog_warns_once_and_hides_nothing(cli, catalogs):
    write(catalogs, "broken.toml", resource("bad-one", minutes=0))
    write(catalogs, "good.toml", resource("good-one") + path("good", ["good-one"]))
    result = cli("paths")
    assert result.exit_code == 0
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Warning: Left out the catalog {catalogs / 'broken.toml'}: ")
    assert "resource 'bad-one', field 'minutes': input should be greater than 0" in warnings[0]
    assert [p[2:].split()[0] for p in result.stdout.splitlines()] == ["mlops", "good"]
    assert cli("next").exit_code == 0


def test_an_id_defined_twice_names_both_files_and_leaves_the_second_out(cli, catalogs):
    write(catalogs, "a.toml", resource("same-id") + path("pa", ["same-id"]))
    write(catalogs, "b.toml", resource("same-id") + resource("other") + path("pb", ["other"]))
    result = cli("paths")
    assert f"resource id 'same-id' is already defined in {catalogs / 'a.toml'}" in result.stderr
    assert str(catalogs / "b.toml") in result.stderr and "the whole file was left out" in result.stderr
    assert "pb" not in result.stdout and "pa" in result.stdout


def test_redefining_a_bundled_id_is_refused_the_same_way(cli, catalogs):
    write(catalogs, "mine.toml", resource("dmls-ch02"))
    result = cli("next")
    assert result.exit_code == 0 and "resource id 'dmls-ch02' is already defined in" in result.stderr
    assert cli.json("show", "dmls-ch02")["kind"] == "book-chapter"


def test_a_path_with_an_unknown_step_is_left_out(cli, catalogs):
    write(catalogs, "mine.toml", resource("fine") + path("good", ["fine"]) + path("bad", ["fine", "missing"]))
    result = cli("paths")
    assert "path 'bad' has a step 'missing' that no resource defines; the path was left out" in result.stderr
    assert [p["id"] for p in cli.json("paths")] == ["mlops", "good"]


def test_a_chosen_path_that_disappears_falls_back_with_a_warning(cli, catalogs, monkeypatch):
    mine = write(catalogs, "mine.toml", resource("x-talk") + path("mine", ["x-talk"]))
    cli("use", "mine")
    mine.unlink()
    result = cli("next", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "dmls-ch02"
    assert result.stderr.count("chosen with `mlops-path use` is in no catalog now") == 1
    monkeypatch.setattr(webbrowser, "open", lambda url: True)
    opened = cli("open")  # walks the path twice, warns once
    assert opened.exit_code == 0 and opened.stderr.count("chosen with `mlops-path use`") == 1


def test_progress_under_a_replaced_id_shows_on_the_new_one(cli, catalogs, progress_file):
    old = write(catalogs, "mine.toml", resource("old-name") + path("mine", ["old-name"]))
    cli("done", "old-name")
    cli("note", "old-name", "kept across the rename")
    old.write_text(resource("new-name", replaces=["old-name"]) + path("mine", ["new-name"]))
    item = cli.json("--path", "mine", "show", "new-name")
    assert item["status"] == "done" and [n["text"] for n in item["notes"]] == ["kept across the rename"]
    cli("start", "new-name")  # the record moves to the new id, notes and all
    item = cli.json("--path", "mine", "show", "new-name")
    assert item["status"] == "in-progress" and item["notes"][0]["text"] == "kept across the rename"
    assert "old-name" in json.loads(progress_file.read_text())["resources"]  # the old record is kept


def test_records_for_ids_no_catalog_defines_are_kept_and_counted(cli, catalogs, progress_file):
    mine = write(catalogs, "mine.toml", resource("gone-soon") + path("mine", ["gone-soon"]))
    cli("done", "gone-soon", "dmls-ch02")
    mine.unlink()
    assert cli.json("progress")["orphans"] == 1
    assert "Kept: 1 record for resources no catalog defines now" in cli("progress").stdout
    cli("done", "dmls-ch07")
    assert json.loads(progress_file.read_text())["resources"]["gone-soon"]["status"] == "done"
    write(catalogs, "mine.toml", resource("gone-soon") + path("mine", ["gone-soon"]))
    assert cli.json("--path", "mine", "next") is None and cli.json("progress")["orphans"] == 0


# --- catalog check and schema -----------------------------------------------------------------


def check(cli, *files):
    result = cli("catalog", "check", *map(str, files))
    return result.exit_code, result.stdout


def test_check_passes_a_clean_catalog(cli):
    assert check(cli, EXAMPLE) == (0, f"{EXAMPLE}: ok\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[resources]]\nid = "x"\ntitle = \n', r"not valid TOML: .*line 3"),
        (resource("dup") + resource("dup"), r"resource id 'dup' is defined more than once in this file"),
        (resource("dmls-ch02"), r"resource id 'dmls-ch02' is already defined in .*catalog.toml"),
        (resource("a") + path("p", ["a", "nowhere"]), r"path 'p' has a step 'nowhere' that no resource defines"),
        (
            '[[resources]]\nid = "no-title"\nkind = "talk"\nurl = "https://e.org"\nminutes = 5\ntopics = ["x"]\n',
            r"resource 'no-title', field 'title': field required",
        ),
        (resource("typed", minutes="ten"), r"resource 'typed', field 'minutes': input should be a valid integer"),
        (resource("zero", minutes=0), r"resource 'zero', field 'minutes': input should be greater than 0"),
        (
            resource("badurl", url="www.example.org"),
            r"resource 'badurl', field 'url': must be an http:// or https:// link",
        ),
        (
            resource("renamed", replaces=["dmls-ch07"]),
            r"resource 'renamed' replaces 'dmls-ch07', which is still defined",
        ),
        ('title = "x"\n', r"unknown top-level key 'title'"),
    ],
)
def test_check_names_each_kind_of_mistake(cli, tmp_path, text, expected):
    file = write(tmp_path, "mine.toml", text)
    code, out = check(cli, file)
    assert code == 1 and re.search(f"^{re.escape(str(file))}: {expected}", out, re.MULTILINE), out


def test_check_reports_every_problem_at_once(cli, tmp_path):
    file = write(
        tmp_path, "mine.toml", resource("a", minutes=-1) + resource("b", url="nope") + path("p", ["a", "b", "c"])
    )
    code, out = check(cli, file)
    assert code == 1 and out.count(f"{file}: ") == 3 and out.endswith("3 problems in 1 file.\n")


def test_check_does_not_count_the_checked_file_twice_when_it_is_in_the_catalogs_folder(cli, catalogs):
    mine = write(catalogs, "mine.toml", resource("only-once") + path("mine", ["only-once"]))
    assert check(cli, mine)[0] == 0


def test_the_schema_validates_the_example_and_catches_a_mistake(cli):
    schema = json.loads(cli("catalog", "schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(tomllib.loads(EXAMPLE.read_text()), schema)
    broken = tomllib.loads(resource("x", minutes=0))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
