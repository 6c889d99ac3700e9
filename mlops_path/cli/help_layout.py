"""How `--help` and `help CMD` are laid out: click's plain help, wrapped for the terminal it is read in.

click wraps help at no fewer than 50 columns (so a 40-column terminal breaks its lines again, in the
middle of words), splits long words and splits at hyphens (`mlops-path` becomes `mlops-` and `path`).
Here lines are broken at spaces only, so a word, an id or an option is never split; a command we
suggest (in backticks, or after "Example:") stays on one line when it fits one, and is otherwise
broken between shell words with a trailing backslash, so that a copy still runs; and in a narrow
terminal an option's text goes under its name instead of in a column a dozen characters wide.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

import typer

# click's HelpFormatter. typer vendors click and names the class in no public module, but every
# click Context says which formatter it uses: the public attribute, never typer's private package.
_ClickHelpFormatter = typer.Context.formatter_class

MAX_WIDTH = 80  # wider lines are hard to read: help stays this wide in a wider terminal
SIDE_BY_SIDE = 24  # an option's text needs this many columns beside its name, else it goes under it
NAMES_AT_MOST = 30  # a longer option name puts its text on the next line (as click does)
SHORT_HELP_WIDTH = 78  # the commands' one-line summaries are cut as at 80 columns, whatever the width

_EXAMPLE = re.compile(r"(Example: )(mlops-path\b.*)")
_TICKED = re.compile(r"`[^`]+`")
_SHELL_WORD = re.compile(r"\"[^\"]*\"|'[^']*'|\S+")
_GLUE = "\x00"  # stands for a space that must not break a line, while a paragraph is filled


def fill(text: str, width: int, indent: str = "") -> str:
    """Paragraphs (separated by blank lines) filled to `width`, broken at spaces only."""
    import textwrap

    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "\b":  # click's mark for a paragraph kept as written
            paragraphs.append("\n".join(indent + line for line in lines[1:]))
            continue
        lead = indent + " " * (len(lines[0]) - len(lines[0].lstrip(" "))) if lines else indent  # kept, as click does
        flat = " ".join(line.strip() for line in lines)
        example = _EXAMPLE.fullmatch(flat)
        if example and len(lead) + len(flat) > width:
            paragraphs.append(lead + example[1].rstrip() + "\n" + command_lines(example[2], width, lead))
            continue
        glued = _TICKED.sub(lambda m: m[0].replace(" ", _GLUE), flat)
        wrapped = textwrap.fill(
            glued, width, initial_indent=lead, subsequent_indent=lead, break_long_words=False, break_on_hyphens=False
        )
        paragraphs.append(wrapped.replace(_GLUE, " "))
    return "\n\n".join(paragraphs)


def command_lines(command: str, width: int, indent: str = "") -> str:
    """A command on one line if it fits; else broken between shell words, each line but the last
    ending in ` \\`, so that pasting the lines runs the command."""
    if len(indent) + len(command) <= width:
        return indent + command
    lines: list[str] = []
    line = ""
    for word in _SHELL_WORD.findall(command):
        if line and len(indent) + len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(indent + each for each in [*lines, line])


class HelpFormatter(_ClickHelpFormatter):  # type: ignore[misc,valid-type]  # a base from an attribute
    """click's formatter, with the wrapping above and the width of the terminal (at most 80)."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
        if width is None:  # an explicit width (the docs' 88) is used as given, as click does
            width = max(min(shutil.get_terminal_size().columns, max_width or MAX_WIDTH) - 2, 20)
        super().__init__(indent_increment, width, max_width)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = "Usage: " if prefix is None else prefix
        head = f"{'':>{self.current_indent}}{prefix}{prog}"
        words = args.split()
        line, out = head, []
        for word in words:
            if len(line) + 1 + len(word) > self.width and line.strip():
                out.append(line)
                line = " " * (self.current_indent + len(prefix) + 4) + word
            else:
                line += " " + word
        self.write("\n".join([*out, line]) + "\n")

    def write_text(self, text: str) -> None:
        self.write(fill(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = NAMES_AT_MOST, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((len(name) for name, _ in rows), default=0), col_max) + col_spacing
        beside = self.width - self.current_indent - first_col
        indent = " " * self.current_indent
        for name, text in rows:
            if not text:
                self.write(f"{indent}{name}\n")
            elif beside >= SIDE_BY_SIDE and len(name) <= first_col - col_spacing:
                lines = fill(text, beside).splitlines() or [""]
                self.write(f"{indent}{name:<{first_col}}{lines[0]}\n")
                self.write("".join(f"{indent}{'':<{first_col}}{line}\n" for line in lines[1:]))
            elif beside >= SIDE_BY_SIDE:  # a long name: its text starts on the next line, in the column
                self.write(f"{indent}{name}\n" + fill(text, self.width, indent + " " * first_col) + "\n")
            else:  # a narrow terminal: the text under the name, as wide as the terminal allows
                self.write(f"{indent}{name}\n" + fill(text, self.width, indent + "    ") + "\n")


class Context(typer.Context):
    formatter_class = HelpFormatter


def short_help_limit(names: list[str], width: int) -> int:
    """How long a command's summary may be in a list of commands: as at 80 columns or wider (in a
    narrow terminal the summary wraps beside or under the command's name rather than being cut more)."""
    return max(width, SHORT_HELP_WIDTH) - 6 - max(len(name) for name in names)
