"""The progress record's fields are defined once, by the named tuples of `core/progress/record.py`
(and the sync settings by `SyncConfig`). Every other form is checked against them here: the
pydantic schema of the progress file, `to_dict` and `from_dict`, and the hand-written check of a
sync file (which cohort needs fast). A field added to one form and not the others fails here."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlops_path.core import schema
from mlops_path.core.progress.record import NOTHING, Change, Entry, Note, Progress, Status
from mlops_path.core.sync.device_file import SYNC_FORMAT, SYNC_VERSION, validated
from mlops_path.core.sync.devices import SyncConfig

FORMS = [
    (Note, schema.NoteSchema),
    (Entry, schema.EntrySchema),
    (Change, schema.ChangeSchema),
    (Progress, schema.ProgressSchema),
    (SyncConfig, schema.SyncConfigSchema),
]


@pytest.mark.parametrize(("record", "model"), FORMS, ids=[record.__name__ for record, _ in FORMS])
def test_the_schema_names_exactly_the_record_fields(record, model):
    assert set(record._fields) - {"extra"} == set(model.model_fields)


NOW = datetime(2026, 12, 6, tzinfo=UTC)
times = st.integers(0, 2 * 365 * 24 * 3600 * 1000).map(lambda ms: NOW - timedelta(milliseconds=ms))
devices = st.text("0123456789abcdef", min_size=1, max_size=16)
clocks = st.tuples(times.map(lambda at: int(at.timestamp() * 1000)), st.integers(0, 1000), devices)
notes = st.builds(Note, times, st.text(min_size=1, max_size=40), st.none() | clocks, extra=st.just(NOTHING))
entries = st.builds(
    Entry,
    st.sampled_from(Status),
    times,
    st.none() | times,
    st.none() | times,
    st.lists(notes, max_size=3).map(tuple),
    st.none() | clocks,
    st.none() | clocks,
    extra=st.just(NOTHING),
)


def _sync_file(resources: dict) -> dict:
    clock = [int(NOW.timestamp() * 1000), 0]
    return {
        "format": SYNC_FORMAT,
        "version": SYNC_VERSION,
        "learner": "Ada",
        "device": "ab12",
        "exported_at": "2026-12-06T00:00:00Z",
        "clock": clock,
        "resources": resources,
    }


@given(entries)
def test_an_entry_is_the_same_in_every_form(entry):
    data = entry.to_dict()
    assert set(data) <= set(Entry._fields)  # to_dict writes record fields and nothing else
    assert Entry.from_dict(data) == entry
    checked = schema.EntrySchema.model_validate(data)  # the progress file's schema takes it whole
    assert set(checked.model_dump(exclude_unset=True)) == set(data)
    device = validated(Path("ab12.json"), _sync_file({"dmls-ch02": data}), int(NOW.timestamp() * 1000))
    assert device.resources["dmls-ch02"] == entry  # and so does the hand-written check of a sync file


@given(st.lists(entries, max_size=3))
def test_a_change_and_a_progress_are_the_same_in_every_form(before):
    change = Change(NOW, "done", tuple(f"r{i}" for i in range(len(before))), {f"r{i}": e for i, e in enumerate(before)})
    assert Change.from_dict(change.to_dict()) == change
    schema.ChangeSchema.model_validate(change.to_dict())
    progress = Progress.from_dict({"version": 3, "resources": {}, "history": [change.to_dict()]})
    data = progress.to_dict()
    assert set(data) <= set(Progress._fields)
    assert Progress.from_dict(data).to_dict() == data
    schema.ProgressSchema.model_validate(data)


def test_the_sync_settings_are_the_same_in_every_form():
    config = SyncConfig(
        "git",
        Path("/tmp/clone"),
        "file:///srv/group.git",
        "Ada",
        "ab12",
        share_notes=True,
        last_sync={"at": "2026-12-06T00:00:00Z", "ok": True, "message": "pushed"},
        known_devices={"ab12": "Ada"},
        device_name="laptop",
        key="0" * 128,
    )
    data = config.to_dict()
    assert set(data) == set(SyncConfig._fields) == set(schema.SyncConfigSchema.model_fields)
    schema.SyncConfigSchema.model_validate(data)
    assert SyncConfig.of(Progress.from_dict({"version": 3, "sync": data})) == config
