"""The progress record's pure changes and the file store's read and write."""

import json
import os
from datetime import UTC, datetime

import pytest

from mlops_path.core.errors import ProgressError
from mlops_path.core.progress.record import SCHEMA_VERSION, Progress, Status, mark
from mlops_path.core.progress.store import read_progress, update_progress

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
    progress = Progress.from_dict(
        {"version": 2, "resources": {"a": {"status": "todo", "updated": "2026-01-01T00:00:00Z", "mood": "keen"}}}
    )
    changed, _ = mark(progress, ["a"], Status.DONE, AT)
    assert json.loads(changed.to_json())["resources"]["a"]["mood"] == "keen"


def test_a_missing_file_reads_as_no_progress(tmp_path):
    assert read_progress(tmp_path / "none.json") == Progress()


def test_progress_round_trips_through_the_file(tmp_path):
    file = tmp_path / "p.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    assert read_progress(file).resources["a"].done_at == AT
    assert json.loads(file.read_text())["version"] == SCHEMA_VERSION


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
    "wrong types": (
        b'{"version": 1, "resources": {"a": {"status": 7, "updated": "x"}}}',
        "has a bad value at resources.a",
    ),
    "bad status": (
        b'{"version": 1, "resources": {"a": {"status": "finished", "updated": "2026-01-01T00:00:00Z"}}}',
        "has a bad value",
    ),
    "invalid UTF-8": (b'{"version": 1, "resources": {"\xff": 1}}', "is not valid UTF-8"),
    "NUL bytes": (b'{"version": 1,\x00 "resources": {}}', "contains NUL bytes"),
    "absurd nesting": (b'{"version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    "future version": (b'{"version": 99, "resources": {"a": 1}}', "newer mlops-path"),
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
        update_progress(blocker / "progress.json", lambda p: mark(p, ["a"], Status.DONE, AT))
    assert blocker.read_text() == "I am a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-dir"]


# --- history, undo and reset ------------------------------------------------------------------

from mlops_path.core.progress.record import migrate, reset_all, undo  # noqa: E402
from mlops_path.core.progress.store import backup_file, repair  # noqa: E402


def test_every_change_is_recorded_with_what_it_replaced():
    one, _ = mark(Progress(), ["a"], Status.DONE, AT)
    two, _ = mark(one, ["a", "b"], Status.SKIPPED, LATER)
    assert [(c.action, c.ids) for c in two.history] == [("done", ("a",)), ("skip", ("a", "b"))]
    assert two.history[1].before == {"a": one.resources["a"], "b": None}


def test_undo_takes_back_changes_newest_first():
    one, _ = mark(Progress(), ["a"], Status.DONE, AT)
    two, _ = mark(one, ["b"], Status.DONE, AT)
    back_one, change = undo(two, LATER)
    assert change.ids == ("b",) and back_one.resources == one.resources
    back_two, change = undo(back_one, LATER)
    assert change.ids == ("a",) and back_two.resources == {}
    assert undo(back_two, LATER) == (back_two, None)
    assert [c.undone_at for c in back_two.history] == [LATER, LATER]


def test_a_change_after_an_undo_is_undone_first():
    one, _ = mark(Progress(), ["a"], Status.DONE, AT)
    two, _ = mark(one, ["b"], Status.DONE, AT)
    undone, _ = undo(two, AT)
    three, _ = mark(undone, ["c"], Status.DONE, AT)
    back, change = undo(three, AT)
    assert change.ids == ("c",) and set(back.resources) == {"a"}


def test_reset_all_clears_everything_and_can_be_undone():
    some, _ = mark(Progress(), ["a", "b"], Status.DONE, AT)
    cleared, ids = reset_all(some, LATER)
    assert ids == ["a", "b"] and cleared.resources == {}
    assert undo(cleared, LATER)[0].resources == some.resources
    assert reset_all(Progress(), AT) == (Progress(), [])


V1_FILE = (
    b'{"version": 1, "resources": {"a": {"status": "done", "updated": "2026-01-01T00:00:00Z", "done_at": '
    b'"2026-01-01T00:00:00Z"}}}'
)


def test_schema_1_is_migrated_in_memory_and_only_written_on_a_change(tmp_path):
    file = tmp_path / "progress.json"
    file.write_bytes(V1_FILE)
    assert read_progress(file).resources["a"].status is Status.DONE
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))  # no change
    assert file.read_bytes() == V1_FILE
    update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert json.loads(file.read_text())["version"] == SCHEMA_VERSION
    assert (tmp_path / "progress.json.v1.bak").read_bytes() == V1_FILE
    assert set(read_progress(file).resources) == {"a", "b"}
    assert migrate({"version": 1, "resources": {}}) == {"version": SCHEMA_VERSION, "resources": {}, "history": []}


def test_a_newer_schema_is_read_but_never_written(tmp_path):
    file = tmp_path / "progress.json"
    newer = SCHEMA_VERSION + 1
    data = (
        b'{"version": %d, "resources": {"a": {"status": "done", "updated": "2026-01-01T00:00:00Z"}}, "future": 1}'
        % newer
    )
    file.write_bytes(data)
    assert read_progress(file).status_of("a") is Status.DONE
    with pytest.raises(ProgressError, match=f"newer mlops-path \\(schema {newer}\\); upgrade mlops-path to change it"):
        update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert file.read_bytes() == data


def test_each_write_keeps_the_previous_file_as_the_backup(tmp_path):
    file = tmp_path / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    assert not backup_file(file).exists()
    first = file.read_bytes()
    update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert backup_file(file).read_bytes() == first


def test_a_symlinked_progress_file_stays_a_symlink(tmp_path):
    real = tmp_path / "synced" / "progress.json"
    real.parent.mkdir()
    link = tmp_path / "progress.json"
    link.symlink_to(real)
    update_progress(link, lambda p: mark(p, ["a"], Status.DONE, AT))
    update_progress(link, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert link.is_symlink() and set(read_progress(real).resources) == {"a", "b"}


def test_the_file_keeps_its_permissions(tmp_path):
    file = tmp_path / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    file.chmod(0o600)
    update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert file.stat().st_mode & 0o777 == 0o600


def test_stray_temp_files_are_cleaned_by_the_next_writer(tmp_path):
    file = tmp_path / "progress.json"
    stray = tmp_path / ".progress.json.999.abcd.tmp"
    stray.write_text("half a file")
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    assert not stray.exists()


def test_a_refused_change_writes_nothing(tmp_path):
    file = tmp_path / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    before = file.read_bytes()

    def refuse(progress):
        raise ProgressError("no")

    with pytest.raises(ProgressError):
        update_progress(file, refuse)
    assert file.read_bytes() == before


def test_repair_sets_the_bad_file_aside_and_restores_the_backup(tmp_path):
    file = tmp_path / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    file.write_bytes(b"garbage")
    result = repair(file)
    assert result.set_aside.read_bytes() == b"garbage"
    assert result.restored_from == backup_file(file)
    assert set(read_progress(file).resources) == {"a"}


def test_repair_without_a_sound_backup_starts_afresh_but_keeps_the_bad_file(tmp_path):
    file = tmp_path / "progress.json"
    file.write_bytes(b"[1, 2")
    result = repair(file)
    assert result.restored_from is None and result.set_aside.read_bytes() == b"[1, 2"
    assert not file.exists() and read_progress(file) == Progress()


def test_repair_leaves_a_sound_file_alone(tmp_path):
    file = tmp_path / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    before = file.read_bytes()
    assert repair(file).set_aside is None and file.read_bytes() == before


def test_a_backup_that_is_already_the_file_leaves_no_temp_behind(tmp_path):
    """A writer killed between keeping the backup and replacing the file leaves the two as links
    to one file; rename() between two links of one file does nothing, so the next writer must
    clean its staging link itself. (Found by the SIGKILL test.)"""
    (tmp_path / "home").mkdir()
    file = tmp_path / "home" / "progress.json"
    update_progress(file, lambda p: mark(p, ["a"], Status.DONE, AT))
    backup_file(file).unlink(missing_ok=True)
    os.link(file, backup_file(file))
    update_progress(file, lambda p: mark(p, ["b"], Status.DONE, AT))
    assert sorted(p.name for p in file.parent.iterdir()) == ["progress.json", "progress.json.bak", "progress.json.lock"]
    assert set(read_progress(backup_file(file)).resources) == {"a"}
