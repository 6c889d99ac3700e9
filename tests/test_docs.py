"""Help and docs that cannot drift: docs/cli.md is the real --help, every command is documented
and carries an example that runs."""

import json
import re
import shlex
import subprocess
import sys
import webbrowser
from pathlib import Path

import pytest
from typer.main import get_command

from mlops_path.cli.app import app

REPO = Path(__file__).resolve().parent.parent


def all_commands(command=None, words=()):
    """Every command as the words that invoke it, groups included: ["next"], ["catalog", "check"]..."""
    command = command or get_command(app)
    found = [list(words)] if words else []
    for name, sub in getattr(command, "commands", {}).items():
        found += all_commands(sub, (*words, name))
    return found


COMMANDS = all_commands()


def test_the_cli_reference_is_not_stale():
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, "docs/cli.md is stale: run `cog -r docs/cli.md`\n" + result.stdout + result.stderr


def test_every_command_has_a_section_in_the_reference_and_the_readme():
    reference = (REPO / "docs" / "cli.md").read_text()
    assert re.findall(r"^## mlops-path (.+)$", reference, re.MULTILINE) == [" ".join(words) for words in COMMANDS]
    readme = (REPO / "README.md").read_text()
    for words in COMMANDS:
        assert f"mlops-path {' '.join(words)}" in readme, words


@pytest.mark.slow
@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_has_an_example_that_runs(cli, monkeypatch, tmp_path, words, request):
    """Runs the first example in each --help, in a home with some progress; `> FILE` is honoured."""
    monkeypatch.setattr(webbrowser, "open", lambda url: True)
    monkeypatch.chdir(tmp_path)
    help_text = cli(*words, "--help").stdout
    examples = re.findall(r"Example: mlops-path (.+)$", help_text, re.MULTILINE)
    assert examples, f"`mlops-path {' '.join(words)} --help` has no example"
    monkeypatch.setenv("HOME", str(tmp_path))  # the examples' ~/Sync/mlops: a folder Syncthing would keep in sync
    (tmp_path / "Sync" / "mlops").mkdir(parents=True)
    if words == ["sync", "secret"]:  # asked for in a terminal; a script gives it in the environment
        monkeypatch.setenv("MLOPS_PATH_SYNC_SECRET", "correct horse battery staple")
    if words[0] in ("sync", "cohort") and words != ["sync", "init"]:
        assert cli("sync", "init", str(tmp_path / "Sync" / "mlops"), "--name", "Ada").exit_code == 0
    cli("done", "dmls-ch02")  # so that undo, history and export have something to show
    (tmp_path / "progress-export.json").write_text(cli("export").stdout)
    (tmp_path / "my-course.toml").write_text((REPO / "docs" / "example-catalog.toml").read_text())
    if words == ["catalog", "links"]:  # its links point at a local server: no test reaches the internet
        site = request.getfixturevalue("local_site")
        site.page("/chapter", "A chapter")
        text = (tmp_path / "my-course.toml").read_text()
        (tmp_path / "my-course.toml").write_text(re.sub(r'url = "[^"]+"', f'url = "{site.url("/chapter")}"', text))
    args, _, redirect = examples[0].partition(" > ")
    result = cli(*shlex.split(args))
    assert result.exit_code == 0, (examples[0], result.output)
    if redirect:
        (tmp_path / redirect).write_text(result.stdout)
        assert result.stdout


# --- the moved docs: the architecture names every module, links resolve, the reference is the truth ---

PACKAGE = REPO / "mlops_path"
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]


def package_modules() -> set[str]:
    """Every module of mlops_path as its path inside the package (`core/progress/store.py`), as the
    architecture document names them; found on disk, so a module added anywhere is seen."""
    return {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}


def test_the_architecture_names_every_module_and_no_module_that_is_gone():
    """A newcomer finds where a change goes from docs/architecture.md only if it names every module;
    a name left behind by a move or a rename misleads as much as a missing one."""
    text = (REPO / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", text))
    missing = sorted(module for module in package_modules() if f"`{module}`" not in text)
    assert not missing, f"docs/architecture.md does not name {missing}: add a line saying what each holds"
    gone = sorted(name for name in named if not (PACKAGE / name).exists() and not (REPO / name).exists())
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"
    packages = {path.parent.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("__init__.py")} - {"."}
    assert all(f"`{package}/`" in text for package in packages), packages


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(REPO).as_posix())
def test_every_link_between_the_docs_resolves(doc):
    """Moving text between files breaks links silently: every relative link (and #anchor) must land."""
    text = doc.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a web link: `catalog links` is for those
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{doc.name}: the link {target} points at nothing"
        if anchor and path.suffix == ".md":
            headings = re.findall(
                r"^#+ (.+)$", re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL), re.MULTILINE
            )
            assert anchor in {github_anchor(h) for h in headings}, (
                f"{doc.name}: no heading for #{anchor} in {path.name}"
            )


def test_every_environment_variable_the_code_reads_is_in_the_reference():
    code = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    read = set(re.findall(r"[\"'](MLOPS_PATH_[A-Z_]+)[\"']", code)) | {"NO_COLOR"}
    reference = (REPO / "docs" / "reference.md").read_text()
    assert not sorted(name for name in read if f"`{name}`" not in reference)


def documented_shape(command: str) -> str:
    """The shape docs/reference.md gives for `COMMAND --json prints `SHAPE``."""
    reference = (REPO / "docs" / "reference.md").read_text()
    found = re.search(rf"`{re.escape(command)} --json` prints\s+`([^`]+)`", reference)
    assert found, f"docs/reference.md gives no shape for `{command} --json`"
    return found.group(1)


def keys_of(value) -> set[str]:
    """Every key of every object in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


SHAPES = {  # the documented command, and the words that run it with something to show
    "topics": ["topics"],
    "paths": ["paths"],
    "search": ["search", "drift"],
    "week": ["week"],
    "history": ["history"],
    "plan": ["plan", "--hours-per-week", "3"],
    "sync status": ["sync", "status"],
    "cohort": ["cohort"],
}


@pytest.mark.parametrize("command", SHAPES)
def test_the_reference_gives_each_json_shape_as_printed(cli, tmp_path, command):
    """The keys the reference shows for a command's --json are the keys it prints (at any depth)."""
    (tmp_path / "place").mkdir()
    assert cli("sync", "init", str(tmp_path / "place"), "--name", "Ada").exit_code == 0
    cli("done", "dmls-ch02")
    cli("note", "dmls-ch08", "drift matters")
    (tmp_path / "place" / "mlops-path" / "bo").mkdir(parents=True)  # a file sync skips: `skipped` has an item
    (tmp_path / "place" / "mlops-path" / "bo" / "00ff.json").write_text("not json")
    result = cli(*SHAPES[command], "--json")
    assert result.exit_code == 0, result.output
    documented = set(re.findall(r'"(\w+)"', documented_shape(command)))
    assert keys_of(json.loads(result.stdout)) == documented


def test_the_reference_lists_every_key_of_a_step_in_json(cli):
    """The item table of docs/reference.md ("JSON output") against `list --json` and `show --json`."""
    reference = (REPO / "docs" / "reference.md").read_text()
    table = reference.split("An item:", 1)[1].strip().split("\n\n", 1)[0]
    documented = {
        key for cell in re.findall(r"^\| ([^|]+) \|", table, re.MULTILINE) for key in re.findall(r"`(\w+)`", cell)
    }
    cli("done", "dmls-ch02")
    assert set(json.loads(cli("list", "--json").stdout)[0]) == documented
    assert set(json.loads(cli("show", "dmls-ch02", "--json").stdout)) == documented | {
        "done_at",
        "notes",
        "group_notes",
    }
