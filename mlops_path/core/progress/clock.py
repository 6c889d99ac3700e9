"""The sync clock, in one place: a hybrid logical clock (HLC) stamp on every change, so that the
devices of one learner agree on which change came last even when their wall clocks do not.

A stamp is (wall milliseconds, counter, device id). A device's next stamp is its wall time when
that is past every stamp it made or saw, else the last one with the counter moved on: a device
whose clock runs behind still stamps after what it has seen, so its change is not lost to an older
one. Ties go to the larger device id. docs/sync-design.md says what this promises.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlops_path.core.progress.record import Entry

Clock = tuple[int, int, str]  # a stamp: wall milliseconds, counter, device id
Time = tuple[int, int]  # a device's clock between stamps: the last wall milliseconds and counter
NEVER: Clock = (-1, -1, "")  # sorts before every stamp: a record without one


def epoch_ms(at: datetime) -> int:
    """A moment as the clocks count it: milliseconds since 1970."""
    return int(at.timestamp() * 1000)


def parse(value: Any) -> Clock | None:
    """A stamp as the progress file and sync files hold it (a list of three), already checked."""
    return None if value is None else (value[0], value[1], value[2])


def next_stamp(last: Time | None, at: datetime, device: str) -> tuple[Time, Clock]:
    """The device's clock after one more change at `at`, and that change's stamp: never behind
    a stamp made or seen before, whatever the wall clock says."""
    wall = epoch_ms(at)
    ms, counter = last or (0, 0)
    now: Time = (wall, 0) if wall > ms else (ms, counter + 1)
    return now, (*now, device)


def order(clock: Clock | None) -> Clock:
    """A stamp to compare with `max` and `<`: a missing one sorts first."""
    return clock if clock is not None else NEVER


def with_clock(entry: Entry, device: str) -> Entry:
    """An entry made before sync was set up carries no stamp: its change time stands in."""
    notes = entry.notes
    if any(n.clock is None for n in notes):
        notes = tuple(n if n.clock is not None else n._replace(clock=(epoch_ms(n.at), 0, device)) for n in notes)
    if entry.clock is None:
        return entry._replace(clock=(epoch_ms(entry.updated), 0, device), notes=notes)
    return entry if notes is entry.notes else entry._replace(notes=notes)
