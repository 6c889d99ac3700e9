"""How sync and the study group look: short sentences, the status of the devices, the cohort as a
table (rich in a terminal, lines when piped), the documented JSON, CSV and Markdown."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any, Literal

from mlops_path.cli import output
from mlops_path.cli.views import say_whole
from mlops_path.core.progress.record import iso
from mlops_path.core.text import inert
from mlops_path.core.words import iso_day

if TYPE_CHECKING:
    from pathlib import Path

    from mlops_path.core.sync.cohort import Cohort, LearnerRow
    from mlops_path.core.sync.devices import SyncConfig
    from mlops_path.core.sync.service import NameTaken, SeenDevice, SyncReport, SyncStatus


def _place(config: SyncConfig) -> str:
    return f"git {config.url} (clone: {config.place})" if config.engine == "git" else f"the folder {config.place}"


def synced(report: SyncReport) -> None:
    c = report.config
    notes = "shared" if c.share_notes else "kept on each device"
    output.say(
        [
            f"Synced through {_place(c)}: {report.message}.",
            f"This device is {c.device} of {c.learner}; notes are {notes}.",
        ]
    )


def sync_off(config: SyncConfig) -> None:
    output.say([f"Sync is off; your progress stays here, and {_place(config)} keeps what was shared."])


def notes_shared(config: SyncConfig) -> None:
    output.say(
        ["Your notes are now shared through sync." if config.share_notes else "Your notes now stay on each device."]
    )


def secret_set(config: SyncConfig) -> None:
    output.say(
        [
            (
                "This device has your sync secret: your notes travel to your other devices encrypted, "
                "and only files that prove they know it are merged. Give each of your devices the same one."
            )
        ]
    )


def name_taken(taken: NameTaken) -> None:
    output.warning(str(taken))


def _device_json(d: SeenDevice) -> dict[str, Any]:
    return {
        "learner": d.learner,
        "device": d.device,
        "device_name": d.device_name,
        "last_change": iso(d.last_change),
        "mine": d.mine,
        "this_device": d.this_device,
        "look_alike": d.look_alike,
    }


def sync_status(status: SyncStatus, as_json: bool) -> None:
    c = status.config
    if as_json:
        output.print_json(
            {
                "engine": c.engine if c else None,
                "place": str(c.place) if c and c.place else None,
                "url": c.url if c else None,
                "learner": c.learner if c else None,
                "device": c.device if c else None,
                "share_notes": c.share_notes if c else False,
                "secret": bool(c and c.key),
                "last_sync": dict(c.last_sync) if c and c.last_sync else None,
                "devices": [_device_json(d) for d in status.devices],
                "skipped": [{"file": str(f), "reason": reason} for f, reason in status.skipped],
            }
        )
        return
    if c is None or not c.on:
        say_whole(
            [
                (
                    "Sync is off. `mlops-path sync init FOLDER` (Syncthing, Dropbox) or `mlops-path sync init --git "
                    "URL` sets it up."
                )
            ]
        )
        return
    notes = "shared" if c.share_notes else "not shared"
    secret = "a sync secret is set (notes travel to your devices encrypted)" if c.key else "no sync secret is set"
    out = [f"Syncing through {_place(c)}.", f"You are {c.learner}, on device {c.device}; notes are {notes}; {secret}."]
    if c.last_sync:
        result = "ok" if c.last_sync.get("ok") else "FAILED"
        out.append(f"Last sync: {_when(c.last_sync.get('at'))}, {result}: {c.last_sync.get('message')}")
    mine = [d for d in status.devices if d.mine]
    others = [d for d in status.devices if not d.mine]
    out += ["", "Your devices:"]
    out += [f"  {_device_label(d)}  last change {output.stamp(d.last_change)}" + _device_note(d) for d in mine]
    if not mine:
        out.append("  none yet (run `mlops-path sync`)")
    if others:
        out += ["", "Your study group (see `mlops-path cohort`):"]
        out += [f"  {d.learner}  {_device_label(d)}  last change {output.stamp(d.last_change)}" for d in others]
    if status.skipped:
        out += ["", "Skipped files:"] + [f"  {f}: it {reason}" for f, reason in status.skipped]
    say_whole(out)


def _when(at: object) -> str:
    """A time the sync configuration keeps as ISO 8601 text, shown as every other view shows times
    (a value that is not a time is shown as it is)."""
    from datetime import datetime

    try:
        parsed = datetime.fromisoformat(str(at))
    except ValueError:
        return str(at)
    return output.stamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def _device_label(d: SeenDevice) -> str:
    return f"{d.device_name} ({d.device})" if d.device_name else d.device


def _device_note(d: SeenDevice) -> str:
    if d.this_device:
        return "  (this device)"
    return f"  (as {d.learner!r}, written differently from your name)" if d.look_alike else ""


def cohort_json(c: Cohort) -> dict[str, Any]:
    return {
        "path": c.path.id,
        "engine": c.engine,
        "as_of": iso(c.as_of),
        "learners": [_learner_json(r) for r in c.learners],
        "steps": [{"id": s.id, "done": s.done, "in_progress": s.in_progress, "skipped": s.skipped} for s in c.steps],
    }


def _learner_json(r: LearnerRow) -> dict[str, Any]:
    return {
        "name": r.name,
        "you": r.you,
        "devices": list(r.devices),
        "done": r.done,
        "total": r.total,
        "percent": r.percent,
        "current": r.current,
        "last_active": iso(r.last_active),
        "days_inactive": r.days_inactive,
        "stuck": r.stuck,
    }


def freshness(c: Cohort) -> str | None:
    """How fresh the group's files are: a clone holds them as of the last sync; a folder an engine
    keeps in sync is as fresh as that engine; a folder given by hand is what it is."""
    if c.engine == "git":
        if c.as_of is None:
            return "Not synced yet: run `mlops-path sync` to fetch the group's progress."
        days = (c.generated - c.as_of).days
        ago = "today" if days < 1 else f"{days} day{'s' * (days != 1)} ago"
        return f"As of the last sync, {output.stamp(c.as_of)} ({ago}); `mlops-path sync` fetches newer progress."
    if c.engine == "folder":
        return "As the synced folder is now (your sync engine brings the others' changes)."
    return None


NARROW = 80  # below this many columns, the cohort is told a learner a line
HEADER = ["learner", "done", "total", "percent", "current", "last active", "days inactive", "stuck"]


def _row(r: LearnerRow) -> list[str]:
    name = f"{r.name} (you)" if r.you else r.name
    return [
        name,
        str(r.done),
        str(r.total),
        f"{r.percent}%",
        r.current or "finished",
        iso_day(r.last_active) if r.last_active else "never",
        "" if r.days_inactive is None else str(r.days_inactive),
        " ".join(r.stuck),
    ]


def cohort(c: Cohort, as_json: bool, fmt: str | None) -> None:
    if as_json:
        output.print_json(cohort_json(c))
        return
    if fmt == "csv":
        output.raw(_csv(c))
        return
    if fmt == "markdown":
        output.raw(_markdown(c))
        return
    if not c.learners:
        output.say([f"No learner's sync files found for the path {c.path.id!r}."])
        return
    stuck_steps = [s for s in c.steps if s.in_progress]
    tail = [
        (
            f"{len(c.learners)} learner{'s' * (len(c.learners) != 1)} on {c.path.title!r}; percentages count required "
            f"steps."
        )
    ]
    fresh = freshness(c)
    if fresh:
        tail.append(fresh)
    if stuck_steps:
        worst = max(stuck_steps, key=lambda s: s.in_progress)
        tail.append(f"Most learners in progress: {worst.id} ({worst.in_progress}).")
    if not output.use_rich():
        output.lines([*output.columns([HEADER] + [_row(r) for r in c.learners]), "", *tail])
        return
    from rich.table import Table

    out = output.console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in HEADER:
        justify: Literal["right", "left"] = "right" if name in ("done", "total", "percent", "days inactive") else "left"
        table.add_column(name, no_wrap=name in ("learner", "current"), overflow="fold", justify=justify)
    for r in c.learners:
        table.add_row(*(output.text(cell) for cell in _row(r)))
    if out.width < NARROW or _table_too_wide(out.width, [_row(r) for r in c.learners]):  # a sentence a learner
        for r in c.learners:
            active = (
                f"last active {iso_day(r.last_active)} ({r.days_inactive} days ago)"
                if r.last_active
                else "never active"
            )
            stuck = f"; stuck on {', '.join(r.stuck)}" if r.stuck else ""
            line = output.text(f"{r.name} (you)" if r.you else r.name, style="bold")
            line.append_text(
                output.text(
                    f": {r.percent}% ({r.done} of {r.total} done); now on {r.current or 'nothing: finished'}; "
                    f"{active}{stuck}"
                )
            )
            out.print(line)
        out.print()
        output.say(tail)
        return
    out.print(table)
    out.print()
    output.say(tail)


def _table_too_wide(width: int, rows: list[list[str]]) -> bool:
    """Would the table only fit by breaking a name, an id or a date? Its narrowest layout (names
    and current steps whole, the other cells broken at spaces only) is wider than the terminal."""
    narrowest = 0
    for i, name in enumerate(HEADER):
        cells = [name] + [row[i] for row in rows]
        if name in ("learner", "current"):
            narrowest += max(len(inert(cell)) for cell in cells)
        else:
            narrowest += max(len(word) for cell in cells for word in inert(cell).split() or [""])
    return narrowest + 2 * (len(HEADER) - 1) > width


def _csv(c: Cohort) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for r in c.learners:
        # a spreadsheet runs a cell that starts with = + - @ as a formula: such cells get a leading '
        writer.writerow(
            [("'" + cell) if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell for cell in map(inert, _row(r))]
        )
    return buffer.getvalue()


def _markdown(c: Cohort) -> str:
    from mlops_path.core.text import md_text

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(md_text(cell) for cell in cells) + " |"

    out = [f"# {md_text(c.path.title)}: the study group", "", line(HEADER), "|" + " --- |" * len(HEADER)]
    out += [line(_row(r)) for r in c.learners]
    out += ["", "| step | done | in progress | skipped |", "| --- | ---: | ---: | ---: |"]
    out += [line([s.id, str(s.done), str(s.in_progress), str(s.skipped)]) for s in c.steps]
    return "\n".join(out) + "\n"


def cohort_page_written(file: Path) -> None:
    output.say([f"Wrote the study group's page to {file}; share the file, or print it."])
