"""The progress record's pure changes and the file store's read and write."""

import json
import os
from datetime import UTC, datetime

import pytest

from mlops_path.core.errors import ProgressError
from mlops_path.core.progress import Progress, Status, mark
from mlops_path.core.store import read_progress, update_progress, write_atomically

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2026, 2, 2, 3, 4, 5, tzinfo=UTC)


def test_mark_records_status_and_when():
    progress, changed = mark(Progress(), ["a", "b"], Status.DONE, AT)
    assert changed == ["a", "b"]
    assert progress.resources["a"].status is Status.DONE
    assert progress.resources["a"].done_at == AT


def test_mark_is_idempotent():
    once, _ = mark(Progress(), ["a"], Status.DONE, AT)
    twice, changed = mark(once, ["a", "a"], Status.DONE, LATER)
    assert changed == [] and twice == once


def test_unknown_fields_of_an_entry_survive_a_change():
    progress = Progress.model_validate(
        {"version": 1, "resources": {"a": {"status": "todo", "updated": "2026-01-01T00:00:00Z", "mood": "keen"}}}
    )
    changed, _ = mark(progress, ["a"], Status.DONE, AT)
    assert json.loads(changed.to_json())["resources"]["a"]["mood"] == "keen"


def test_a_missing_file_reads_as_no_progress(tmp_path):
    assert read_progress(tmp_path / "none.json") == Progress()


def test_progress_round_trips_through_the_file(tmp_path):
    file = tmp_path / "p.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    assert read_progress(file).resources["a"].done_at == AT
    assert json.loads(file.read_text())["version"] == 1


def test_no_change_means_no_write(tmp_path):
    file = tmp_path / "p.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    before = os.stat(file).st_mtime_ns
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, LATER))
    assert os.stat(file).st_mtime_ns == before


BROKEN = {
    "not JSON": (b"{not json", "is not valid JSON"),
    "truncated": (b'{"version": 1, "resources": {"a": {"sta', "is not valid JSON"),
    "empty": (b"", "is not valid JSON"),
    "a list": (b"[]", "does not hold a JSON object"),
    "no version": (b'{"resources": {}}', "has no valid schema version"),
    "wrong types": (b'{"version": 1, "resources": {"a": {"status": 7, "updated": "x"}}}', "has a bad value at resources.a"),
    "bad status": (b'{"version": 1, "resources": {"a": {"status": "finished", "updated": "2026-01-01T00:00:00Z"}}}', "has a bad value"),
    "invalid UTF-8": (b'{"version": 1, "resources": {"\xff": 1}}', "is not valid UTF-8"),
    "NUL bytes": (b'{"version": 1,\x00 "resources": {}}', "contains NUL bytes"),
    "absurd nesting": (b'{"version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    "future version": (b'{"version": 99, "resources": {}}', "newer mlops-path"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_file_that_cannot_be_trusted_is_refused_and_left_alone(tmp_path, case):
    data, reason = BROKEN[case]
    file = tmp_path / "progress.json"
    file.write_bytes(data)
    with pytest.raises(ProgressError) as caught:
        update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    assert reason in str(caught.value) and str(file) in str(caught.value)
    assert file.read_bytes() == data


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("I am a file")
    with pytest.raises(ProgressError, match="Cannot write the progress file"):
        write_atomically(blocker / "progress.json", b"{}")
    assert blocker.read_text() == "I am a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-dir"]
