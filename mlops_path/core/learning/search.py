"""`mlops-path search`: free text over the path's titles, ids, topics, authors, why and your notes.

Every word of the query must occur somewhere in a step (case and accents aside); a step ranks by
where its words matched (a title or an id counts more than a `why`), then by its place in the path.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from mlops_path.core.errors import UsageError
from mlops_path.core.learning.position import Step
from mlops_path.core.progress.record import Progress

WEIGHTS = {"title": 5, "id": 5, "topics": 4, "authors": 3, "part_of": 2, "notes": 2, "why": 2, "kind": 1}
EXCERPT = 70  # characters of context shown around a match


class Match(NamedTuple):
    field: str
    text: str  # the field, or an excerpt of it around the match


class Hit(NamedTuple):
    step: Step
    score: int
    matches: list[Match]


def _search_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fields(step: Step, progress: Progress) -> dict[str, str]:
    r = step.resource
    entry = progress.entry_for(r.id, r.replaces)
    notes = " / ".join(n.text for n in entry.notes) if entry else ""
    fields = {
        "title": r.title,
        "id": r.id,
        "topics": ", ".join(r.topics),
        "authors": ", ".join(r.authors),
        "part_of": r.part_of or "",
        "notes": notes,
        "why": r.why or "",
        "kind": r.kind,
    }
    return {name: text for name, text in fields.items() if text}


def _excerpt(text: str, at: int) -> str:
    """About EXCERPT characters of `text` around position `at` (positions in the folded text are
    close enough: folding changes lengths only for accented letters)."""
    if len(text) <= EXCERPT:
        return text
    start = max(0, min(at - EXCERPT // 3, len(text) - EXCERPT))
    piece = text[start : start + EXCERPT]
    return ("…" if start else "") + piece + ("…" if start + EXCERPT < len(text) else "")


def search(steps: list[Step], progress: Progress, query: str) -> list[Hit]:
    words = _search_form(query).split()
    if not words:
        raise UsageError("Search for some words, e.g. mlops-path search drift.")
    hits = []
    for step in steps:
        fields = _fields(step, progress)
        folded = {name: _search_form(text) for name, text in fields.items()}
        score = 0
        matched: dict[str, int] = {}
        for word in words:
            found = [(name, text.find(word)) for name, text in folded.items() if word in text]
            if not found:
                break
            score += max(WEIGHTS[name] for name, _ in found)
            for name, at in found:
                matched.setdefault(name, at)
        else:
            if _search_form(query).strip() in folded.get("title", ""):
                score += 3  # the whole phrase in the title
            ranked = sorted(matched.items(), key=lambda m: -WEIGHTS[m[0]])
            hits.append(Hit(step, score, [Match(name, _excerpt(fields[name], at)) for name, at in ranked]))
    hits.sort(key=lambda hit: (-hit.score, hit.step.position))
    return hits
