"""`mlops-path catalog ...`: check catalogs the way the loader reads them, and print the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlops_path.cli import curator_views, messages, output
from mlops_path.cli.shared import JsonOption, learner
from mlops_path.core.catalog.checks import check_files, install, install_target, installed_files
from mlops_path.core.catalog.model import json_schema
from mlops_path.core.errors import UsageError

catalog_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Write your own catalogs: check them, or get the JSON Schema for your editor.\n\nExample: mlops-path "
    "catalog check my-course.toml",
)


@catalog_app.command()
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE]...", help="Catalog files (default: every installed one).", show_default=False),
    ] = None,
) -> None:
    """Check catalog files and report every problem at once.

    Checks TOML syntax (with the line), every field of every resource and path, duplicate ids
    (also against the bundled catalog and your catalogs folder), steps that name no resource,
    and replaced ids that are still defined. With no file, checks the bundled catalog and every
    catalog in your catalogs folder. Exits 0 when clean, 1 otherwise.

    Example: mlops-path catalog check my-course.toml
    """
    files = files or installed_files()
    problems = check_files(files)
    curator_views.check_report(files, problems)
    if problems:
        raise typer.Exit(1)


@catalog_app.command()
def add(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A catalog file someone shared, or that you wrote.", show_default=False),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace an installed catalog of the same name.")] = False,
) -> None:
    """Check a catalog and copy it into your catalogs folder, where every command loads it.

    Nothing is copied if the check finds a problem.

    Example: mlops-path catalog add my-course.toml
    """
    problems = check_files([file], replacing=install_target(file))
    if problems:
        curator_views.check_report([file], problems)
        raise typer.Exit(1)
    messages.catalog_added(install(file, force))


@catalog_app.command()
def schema() -> None:
    """Print the JSON Schema of the catalog format, for editors to validate and complete.

    Example: mlops-path catalog schema > catalog.schema.json
    """
    output.print_json(json_schema())


@catalog_app.command()
def links(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE]...", help="Catalog files (default: every loaded catalog).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=300, metavar="SECONDS", help="How long to wait for each answer.")
    ] = 10.0,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, metavar="N", help="Requests at a time (at most 2 per host).")
    ] = 8,
) -> None:
    """Check every link of your catalogs: broken, moved, or alive but no longer the same page.

    Follows redirects and reports the final URL; honours Retry-After; remembers each page's title
    and host, and reports a page whose title or host changed since the last check as changed.
    Statuses: ok, redirected, changed, broken, unreachable, rate-limited. Exits 1 when a link is
    broken or unreachable, so it can run in a curator's CI. The only command that uses the network.

    Example: mlops-path catalog links my-course.toml
    """
    import math

    if not math.isfinite(timeout):
        raise UsageError("--timeout wants a number of seconds from 0.1 to 300.")
    with curator_views.link_progress(enabled=not as_json) as progress:
        results = learner().check_links(files or [], timeout, concurrency, progress)
    curator_views.link_report(results, as_json)
    from mlops_path.core.catalog.links import FAILING

    if any(r.status in FAILING for r in results):
        raise typer.Exit(1)
