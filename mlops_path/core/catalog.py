"""The catalog: resources and the paths through them, read from TOML and validated once.

The format is public (users write their own), so the models are strict: unknown keys are
errors, not silently ignored typos.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlops_path.core.errors import CatalogError

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Word = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Resource(_Strict):
    """One thing to read or watch."""

    id: Slug
    title: Text
    kind: Word
    url: Text
    minutes: Annotated[int, Field(gt=0)]
    topics: Annotated[list[Word], Field(min_length=1)]
    authors: list[Text] = []
    year: int | None = None
    part_of: Text | None = None
    why: Text | None = None
    optional: bool = False
    minutes_note: Text | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise ValueError("must be an http:// or https:// link")
        return url


class Stage(_Strict):
    title: Text
    steps: Annotated[list[Slug], Field(min_length=1)]


class LearningPath(_Strict):
    """An ordered walk through resources, optionally grouped into titled stages."""

    id: Slug
    title: Text
    description: Text | None = None
    steps: list[Slug] = []
    stages: list[Stage] = []

    @model_validator(mode="after")
    def _steps_and_stages_agree(self) -> LearningPath:
        staged = [step for stage in self.stages for step in stage.steps]
        if not self.steps and not staged:
            raise ValueError("a path needs `steps` or `stages`")
        if self.steps and staged and self.steps != staged:
            raise ValueError("`steps` and `stages` list different steps; give one of them")
        ordered = self.steps or staged
        repeated = sorted({s for s in ordered if ordered.count(s) > 1})
        if repeated:
            raise ValueError(f"step {repeated[0]!r} appears more than once")
        return self

    @property
    def ordered_steps(self) -> list[str]:
        return self.steps or [step for stage in self.stages for step in stage.steps]

    def stage_of(self, resource_id: str) -> str | None:
        for stage in self.stages:
            if resource_id in stage.steps:
                return stage.title
        return None


class Catalog(_Strict):
    resources: list[Resource] = []
    paths: list[LearningPath] = []

    @model_validator(mode="after")
    def _ids_resolve(self) -> Catalog:
        _no_duplicates("resource", [r.id for r in self.resources])
        _no_duplicates("path", [p.id for p in self.paths])
        known = {r.id for r in self.resources}
        for path in self.paths:
            for step in path.ordered_steps:
                if step not in known:
                    raise ValueError(f"path {path.id!r} has a step {step!r} that no resource defines")
        return self

    @cached_property
    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.resources}

    def path(self, path_id: str) -> LearningPath:
        for path in self.paths:
            if path.id == path_id:
                return path
        raise CatalogError(f"The catalog has no path {path_id!r}.")


def _no_duplicates(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} id {item!r} is defined more than once")
        seen.add(item)


def bundled_catalog_file() -> Path:
    """The catalog shipped with the tool: inside the wheel, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "data" / "catalog.toml", package.parent / "data" / "catalog.toml"):
        if candidate.is_file():
            return candidate
    raise CatalogError("The bundled catalog is missing from this installation; reinstall mlops-path.")


def load_catalog(file: Path | None = None) -> Catalog:
    file = file or bundled_catalog_file()
    import tomllib

    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"Cannot read the catalog {file}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise CatalogError(f"The catalog {file} is not valid UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"The catalog {file} is not valid TOML: {exc}.") from None
    return parse_catalog(raw, source=str(file))


def parse_catalog(raw: dict[str, Any], source: str = "catalog") -> Catalog:
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        problems = [describe_problem(error, raw) for error in exc.errors()]
        more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})" if len(problems) > 1 else ""
        raise CatalogError(f"The catalog {source} is broken: {problems[0]}{more}.") from None


def describe_problem(error: Any, raw: dict[str, Any]) -> str:
    """Name the resource or path and the field, as a person would look for them in the file."""
    loc = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    if len(loc) >= 2 and loc[0] in ("resources", "paths") and isinstance(loc[1], int):
        table, index, rest = loc[0], loc[1], loc[2:]
        try:
            name = f"{table[:-1]} {raw[table][index]['id']!r}"
        except (KeyError, IndexError, TypeError):
            name = f"{table[:-1]} number {index + 1}"
        field = ".".join(str(part) for part in rest)
        return f"{name}, field {field!r}: {message}" if field else f"{name}: {message}"
    if loc:
        return f"{'.'.join(str(part) for part in loc)}: {message}"
    return message
