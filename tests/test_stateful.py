"""done / undo / reset --all against a simple model, through the real file store (hypothesis)."""

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mlops_path.core.progress.record import Status, mark, now, reset_all, undo
from mlops_path.core.progress.store import read_progress, update_progress

IDS = ["a", "b", "c", "d"]


class ProgressMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.file = self.folder / "progress.json"
        self.entries: dict[str, Status] = {}  # the model: which ids have a record, with what status
        self.undo_stack: list[dict[str, Status]] = []

    def teardown(self):
        shutil.rmtree(self.folder)

    @rule(ids=st.lists(st.sampled_from(IDS), min_size=1, max_size=4), status=st.sampled_from(list(Status)))
    def set_status(self, ids, status):
        update_progress(self.file, lambda p: mark(p, ids, status, now()))
        after = dict(self.entries)
        for rid in ids:
            if self.entries.get(rid, Status.TODO) != status:
                after[rid] = status
        if after != self.entries:
            self.undo_stack.append(self.entries)
            self.entries = after

    @rule()
    def undo(self):
        change = update_progress(self.file, lambda p: undo(p, now()))
        assert (change is None) == (not self.undo_stack)
        if self.undo_stack:
            self.entries = self.undo_stack.pop()

    @rule()
    def reset_all(self):
        cleared = update_progress(self.file, lambda p: reset_all(p, now()))
        assert sorted(cleared) == sorted(self.entries)
        if self.entries:
            self.undo_stack.append(self.entries)
            self.entries = {}

    @invariant()
    def file_matches_model(self):
        progress = read_progress(self.file)
        assert {rid: e.status for rid, e in progress.resources.items()} == self.entries
        assert sum(c.undone_at is None for c in progress.history) == len(self.undo_stack)


ProgressMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestProgressMachine = ProgressMachine.TestCase
