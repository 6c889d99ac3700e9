"""Carrying progress between machines: a versioned JSON export, a readable Markdown log, and a
merge of an export into the current progress (union; where both changed a resource, the later wins).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from mlops_path.core.catalog.model import Catalog
from mlops_path.core.errors import FileProblem
from mlops_path.core.files import NotAJsonObject, cause, json_object, read_at_most
from mlops_path.core.limits import MAX_IMPORT_BYTES
from mlops_path.core.progress.record import Entry, Note, Progress, Status, apply, iso
from mlops_path.core.text import md_code, md_link, md_text
from mlops_path.core.words import iso_day, local, when

EXPORT_FORMAT = "mlops-path-export"
EXPORT_VERSION = 1


class Export(NamedTuple):
    """The documented export document (README: "Export and import")."""

    exported_at: datetime
    resources: Mapping[str, Entry]

    def to_json(self) -> str:
        doc = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": iso(self.exported_at),
            "resources": {rid: e.to_dict() for rid, e in self.resources.items()},
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def export_json(progress: Progress, at: datetime) -> str:
    return Export(at, progress.resources).to_json()


SECTIONS = [
    (Status.DONE, "Done"),
    (Status.IN_PROGRESS, "In progress"),
    (Status.SKIPPED, "Skipped"),
    (Status.TODO, "Notes on steps to come"),
]


# What GFM readers (pandoc -f gfm, GitHub) turn into a link inside plain text: `scheme:`,
# `www.` and `name@host` ("extended autolinks"). Inside a title that is already a link, pandoc
# then nests one link in another (`<a href=real>Evil <a href=evil>`).
_AUTOLINK_STARTS = re.compile(r"(?<=[A-Za-z0-9+.-]):(?=\S)|@|(?<![^\W_])(?i:www)\.")


def md_plain(value: str) -> str:
    """Text inside a Markdown line that no reader turns into anything: `md_text`, plus a backslash
    before every `@`, the `:` after a scheme-like word and the dot of `www.` (CommonMark shows an
    escaped punctuation mark as itself), so no autolink can start inside it. A colon before a
    space cannot end a scheme, so "Chapter 2: Intro" stays as written."""
    return _AUTOLINK_STARTS.sub(_escaped, md_text(value))


def _escaped(found: re.Match[str]) -> str:
    text = found.group(0)
    return "\\" + text if len(text) == 1 else text[:-1] + "\\."


def export_markdown(progress: Progress, catalog: Catalog, at: datetime) -> str:
    """A learning log a person can read: what was done when, with the notes."""
    out = ["# MLOps learning log", "", f"Exported from mlops-path on {when(at)}."]
    for status, heading in SECTIONS:
        entries = [
            (rid, e)
            for rid, e in progress.resources.items()
            if e.status is status and (e.notes or status is not Status.TODO)
        ]
        if not entries:
            continue
        entries.sort(key=lambda pair: pair[1].done_at or pair[1].updated)
        out += ["", f"## {heading}", ""]
        for rid, entry in entries:
            resource = catalog.by_id.get(rid)
            title = f"[{md_plain(resource.title)}]({md_link(resource.url)})" if resource else md_plain(rid)
            on = f" — {iso_day(entry.done_at or entry.updated)}" if status is not Status.TODO else ""
            out.append(f"- {title} ({md_code(rid)}){on}")
            out += [
                f"  - {local(note.at):%Y-%m-%d %H:%M}: " + "<br>".join(map(md_plain, note.text.splitlines()))
                for note in entry.notes
            ]
    if len(out) == 3:
        out += ["", "Nothing recorded yet."]
    return "\n".join(out) + "\n"


def read_export(file: Path) -> Export:
    """An export file, or a refusal that names the file and what is wrong with it."""
    try:
        raw = json_object(read_at_most(file, MAX_IMPORT_BYTES))
    except OSError as exc:
        raise FileProblem(f"Cannot read {file}: {cause(exc)}; nothing was changed.") from None
    except NotAJsonObject as exc:
        raise FileProblem(f"{file} is not an mlops-path export: it {exc}; nothing was changed.") from None
    if raw.get("format") != EXPORT_FORMAT:
        raise FileProblem(f'{file} is not an mlops-path export (no "format": "{EXPORT_FORMAT}"); nothing was changed.')
    version = raw.get("version")
    if type(version) is int and version > EXPORT_VERSION:
        raise FileProblem(
            f"{file} was exported by a newer mlops-path (export version {version}); upgrade mlops-path to import it."
        )
    from pydantic import ValidationError

    from mlops_path.core.schema import ExportSchema

    try:
        valid = ExportSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FileProblem(
            f"{file} is not a valid mlops-path export: bad value at {where} ({first['msg'].lower()}); nothing was "
            f"changed."
        ) from None
    return Export(
        datetime.fromisoformat(valid["exported_at"]), {rid: Entry.from_dict(e) for rid, e in valid["resources"].items()}
    )


def merge_export(progress: Progress, theirs: Export, at: datetime) -> tuple[Progress, list[str]]:
    """Union of both; for a resource both changed, the later status wins and the notes are joined."""
    new: dict[str, Entry | None] = {}
    for rid, their_entry in theirs.resources.items():
        ours = progress.resources.get(rid)
        combined = _combine(their_entry if ours is None else ours, their_entry)
        if combined != ours:
            new[rid] = combined
    return apply(progress, "import", new, at)


def _combine(ours: Entry, theirs: Entry) -> Entry:
    """The later of the two, with the notes of both, each once, oldest first: combining an entry
    with itself gives it in that normal form, so a second import of the same file changes nothing."""
    later = theirs if theirs.updated > ours.updated else ours
    notes: dict[tuple[datetime, str], Note] = {(n.at, n.text): n for n in [*ours.notes, *theirs.notes]}
    return later._replace(notes=tuple(sorted(notes.values(), key=lambda n: n.at)))
