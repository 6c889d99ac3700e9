"""What a catalog's curator sees: `catalog check`'s problems and `catalog links`' report, with a
progress bar on a terminal while links are checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mlops_path.cli import output

if TYPE_CHECKING:
    from pathlib import Path

    from mlops_path.core.catalog.links import LinkResult
    from mlops_path.core.catalog.model import Problem


@contextmanager
def link_progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while links are checked, when a person is watching."""
    import sys

    if not enabled or not sys.stderr.isatty() or output.plain_mode():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Checking links"),
        BarColumn(),
        MofNCompleteColumn(),
        console=output.console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("links", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


LINK_ORDER = {"broken": 0, "unreachable": 1, "changed": 2, "rate-limited": 3, "redirected": 4, "ok": 5}


def link_report(results: list[LinkResult], as_json: bool) -> None:
    if as_json:
        output.print_json([r.to_json() for r in results])
        return
    ordered = sorted(results, key=lambda r: LINK_ORDER[r.status])
    rows = [[r.status, r.id, str(r.code or ""), r.url + (f"  ({r.detail})" if r.detail else "")] for r in ordered]
    if rows:
        output.lines(output.columns(rows))
    counts = {status: sum(r.status == status for r in results) for status in LINK_ORDER}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    output.say(["", f"{len(results)} link{'s' * (len(results) != 1)}: {summary or 'none'}."])


def check_report(files: list[Path], problems: list[Problem]) -> None:
    if not problems:
        output.say([f"{f}: ok" for f in files])
        return
    output.lines(str(p) for p in problems)
    sources = {p.source for p in problems}
    output.say(
        [f"{len(problems)} problem{'s' * (len(problems) != 1)} in {len(sources)} file{'s' * (len(sources) != 1)}."]
    )
