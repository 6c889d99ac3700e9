"""Text from outside made inert: what a catalog, an import, a sync file or a note says is shown as
data, never acted on by a terminal, a shell or a document format.

One table-driven pass (`str.translate`), so cleaning is linear in the text and cheap enough to run
on every line we print. The escapes are visible (`\\x1b`, `\\u202e`), so a learner can see that a
shared file held something odd instead of having it silently vanish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls, DEL and C1 controls; bidirectional overrides, embeddings and isolates (they can make
# text read in another order than it is stored: "Trojan Source"); the line and paragraph
# separators, which some terminals and editors treat as line breaks.
_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SEPARATORS = [0x2028, 0x2029]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_ONE_LINE = {code: _escape(code) for code in (*_CONTROLS, *_BIDI, *_SEPARATORS)}
_ONE_LINE[0x09] = " "  # a tab is only white space; it cannot be laid out in a column
_MULTI_LINE = {code: escape for code, escape in _ONE_LINE.items() if code != 0x0A}  # a newline stays one


def inert(text: str, newlines: bool = False) -> str:
    """`text` with every control character, bidi control and line separator visibly escaped.

    With `newlines`, a newline is kept (a note shown on several lines); otherwise it is escaped
    too, so no data can start a line that looks like our own output.
    """
    return text.translate(_MULTI_LINE if newlines else _ONE_LINE)


def has_control(text: str) -> bool:
    """Does `text` hold anything `inert` would escape (a newline counts)?"""
    return text != text.translate(_ONE_LINE)


# What a shell completion description may hold: letters and digits of any script, spaces and a
# few punctuation marks that no shell treats specially inside the quoting typer emits. Anything
# else is replaced, so a title can never run code, break the quoting or inject markup.
_COMPLETION_PUNCTUATION = frozenset(" .,:;-_()/+&?!")
_COMPLETION_SWAPS = {"'": "\u2019", '"': "\u201d", "[": "(", "]": ")", "{": "(", "}": ")", "<": "(", ">": ")"}
MAX_COMPLETION_HELP = 80
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|&~])")  # what is syntax inside a line (ours never start one)


def completion_help(text: str) -> str:
    """A title made safe to hand a shell as a completion description (bash, zsh, fish)."""
    import unicodedata

    out = []
    for char in text[: MAX_COMPLETION_HELP * 2]:
        if char in _COMPLETION_PUNCTUATION or (char.isalnum() and unicodedata.category(char)[0] in "LN"):
            out.append(char)
        else:
            out.append(_COMPLETION_SWAPS.get(char, " "))
    cleaned = " ".join("".join(out).split())
    return cleaned if len(cleaned) <= MAX_COMPLETION_HELP else cleaned[: MAX_COMPLETION_HELP - 1].rstrip() + "\u2026"


def web_link(url: str) -> str | None:
    """`url` if it is a link a browser, a terminal hyperlink or a page may be handed: http or https
    with a host, and no space or control character anywhere; else None. The one rule of `open`,
    the catalog's check, the page, the browse screen and the terminal's hyperlinks."""
    import unicodedata
    from urllib.parse import urlsplit

    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in url):
        return None
    try:
        parts = urlsplit(url)  # the scheme in any case, as browsers take it
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


SIMILAR = 0.6  # difflib's own cut-off: close enough to be the word meant


def did_you_mean(word: str, known: Iterable[str], most: int = 3) -> str | None:
    """The "did you mean ...?" of every unknown word (an id, a path, a topic, a command): up to
    `most` of `known` that look like `word`, compared without case, or None if none does."""
    import difflib

    by_lower = {k.lower(): k for k in known}
    close = [by_lower[c] for c in difflib.get_close_matches(word.lower(), list(by_lower), n=most, cutoff=SIMILAR)]
    if not close:
        return None
    return f"did you mean {close[0] if len(close) == 1 else ', '.join(close[:-1]) + ' or ' + close[-1]}?"


def md_text(value: str) -> str:
    """Text inside a Markdown line: controls made inert, and every character that Markdown or HTML
    could read as syntax there backslash-escaped (CommonMark lets any ASCII punctuation be)."""
    return _MD_SPECIAL.sub(r"\\\1", inert(value))


def md_link(url: str) -> str:
    """A link destination in angle brackets, with what could end it early percent-encoded."""
    return "<" + inert(url).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\\", "%5C") + ">"


def md_code(value: str) -> str:
    """A code span whose fence is longer than any run of backticks inside it."""
    value = inert(value)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"
