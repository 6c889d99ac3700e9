"""Export and import: a versioned JSON document, a Markdown log, and a merge of two homes."""

import json
from datetime import UTC, datetime

import pytest

from mlops_path.core.progress.exchange import Export, merge_export
from mlops_path.core.progress.record import Entry, Note, Progress, Records, Status, undo

T1, T2, T3 = (datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3))


def test_export_json_is_the_documented_versioned_document(cli):
    cli("done", "dmls-ch02")
    cli("note", "dmls-ch02", "ünïcode kept")
    doc = json.loads(cli("export").stdout)
    assert doc["format"] == "mlops-path-export" and doc["version"] == 1 and doc["exported_at"]
    entry = doc["resources"]["dmls-ch02"]
    assert entry["status"] == "done" and entry["notes"][0]["text"] == "ünïcode kept"


def test_export_markdown_is_a_readable_learning_log(cli):
    cli("done", "dmls-ch02")
    cli("start", "dmls-ch07")
    cli("note", "dmls-ch07", "batch first, then online")
    cli("note", "dmls-ch09", "looks long")
    text = cli("export", "--format", "markdown").stdout
    assert text.startswith("# MLOps learning log\n")
    done = text.index("## Done")
    assert "- [Chapter 2: Introduction to Machine Learning Systems Design](<https://www.oreilly.com/" in text[done:]
    assert "## In progress" in text and ": batch first, then online" in text
    assert "## Notes on steps to come" in text and "looks long" in text


def test_export_of_an_empty_home_and_a_bad_format(cli):
    assert "Nothing recorded yet." in cli("export", "--format", "markdown").stdout
    assert cli("export", "--format", "csv").exit_code == 2


def test_two_homes_merged_through_export_and_import_hold_the_union(cli, monkeypatch, tmp_path):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    monkeypatch.setenv("MLOPS_PATH_HOME", str(laptop))
    cli("done", "dmls-ch02", "dmls-ch07")
    cli("note", "dmls-ch08", "from the laptop")
    (tmp_path / "laptop.json").write_text(cli("export").stdout)
    monkeypatch.setenv("MLOPS_PATH_HOME", str(desktop))
    cli("done", "mlops-principles")
    cli("skip", "dmls-ch07")  # later than the laptop's done: it wins
    cli("note", "dmls-ch08", "from the desktop")
    result = cli("import", str(tmp_path / "laptop.json"))
    assert result.exit_code == 0 and "Imported changes to 2 resources" in result.stdout
    statuses = {i["id"]: i["status"] for i in cli.json("list") if i["status"] != "todo"}
    assert statuses == {"dmls-ch02": "done", "dmls-ch07": "skipped", "mlops-principles": "done"}
    assert sorted(n["text"] for n in cli.json("show", "dmls-ch08")["notes"]) == ["from the desktop", "from the laptop"]
    assert cli.json("history")[0]["action"] == "import"
    assert cli("import", str(tmp_path / "laptop.json")).stdout.startswith("Nothing new to import")
    cli("undo")
    assert cli.json("show", "dmls-ch02")["status"] == "todo"


def entry(status, at, *notes):
    return Entry(status, at, notes=tuple(Note(at, n) for n in notes))


def test_merge_takes_the_later_change_and_joins_notes():
    ours = Progress(resources=Records({"a": entry(Status.DONE, T2, "mine"), "b": entry(Status.DONE, T1)}))
    theirs = Export(
        T3, {"a": entry(Status.SKIPPED, T1, "theirs"), "b": entry(Status.TODO, T3), "c": entry(Status.DONE, T1)}
    )
    merged, changed = merge_export(ours, theirs, T3)
    assert changed == ["a", "b", "c"]
    assert merged.resources["a"].status is Status.DONE and [n.text for n in merged.resources["a"].notes] == [
        "theirs",
        "mine",
    ]
    assert merged.resources["b"].status is Status.TODO and merged.resources["c"].status is Status.DONE
    assert undo(merged, T3)[0].resources == ours.resources


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not json at all", "is not valid JSON"),
        (b"[1, 2]", "does not hold a JSON object"),
        (b'{"version": 1, "resources": {}}', 'no "format": "mlops-path-export"'),
        (
            b'{"format": "mlops-path-export", "version": 7, "exported_at": "2026-01-01T00:00:00Z", "resources": {}}',
            "newer mlops-path",
        ),
        (
            (
                b'{"format": "mlops-path-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", "resources": '
                b'{"a": {"status": "won"}}}'
            ),
            "bad value at resources.a",
        ),
        (b"\x00\x01", "NUL bytes"),
    ],
)
def test_junk_or_a_future_export_is_refused_with_nothing_changed(cli, progress_file, tmp_path, content, reason):
    cli("done", "dmls-ch02")
    before = progress_file.read_bytes()
    junk = tmp_path / "junk.json"
    junk.write_bytes(content)
    result = cli("import", str(junk))
    assert result.exit_code == 1 and reason in result.stderr and result.stderr.count("\n") == 1
    assert progress_file.read_bytes() == before


def test_importing_a_missing_file(cli, tmp_path):
    result = cli("import", str(tmp_path / "none.json"))
    assert result.exit_code == 1 and "Cannot read" in result.stderr
