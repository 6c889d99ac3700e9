"""`mlops-path catalog ...`: check catalogs the way the loader reads them, and print the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlops_path.cli import output, views
from mlops_path.core.catalog import json_schema
from mlops_path.core.checks import check_files

catalog_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Write your own catalogs: check them, or get the JSON Schema for your editor.\n\nExample: mlops-path catalog check my-course.toml",
)


@catalog_app.command()
def check(files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Catalog files to check.", show_default=False)]) -> None:
    """Check catalog files and report every problem at once.

    Checks TOML syntax (with the line), every field of every resource and path, duplicate ids
    (also against the bundled catalog and your catalogs folder), steps that name no resource,
    and replaced ids that are still defined. Exits 0 when clean, 1 otherwise.

    Example: mlops-path catalog check my-course.toml
    """
    problems = check_files(files)
    views.check_report(files, problems)
    if problems:
        raise typer.Exit(1)


@catalog_app.command()
def schema() -> None:
    """Print the JSON Schema of the catalog format, for editors to validate and complete.

    Example: mlops-path catalog schema > catalog.schema.json
    """
    output.print_json(json_schema())
