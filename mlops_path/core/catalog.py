"""The catalog: resources and the paths through them, validated item by item and linked.

The format is public (users write their own), so the models are strict: unknown keys are
errors, not silently ignored typos. Validation collects every problem, each naming the
resource or path and the field, so `catalog check` can report them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlops_path.core.errors import CatalogError, UsageError

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
    replaces: list[Slug] = Field(default=[], description="Old ids of this resource; their progress shows here.")

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
        seen: set[str] = set()
        for step in ordered:
            if step in seen:
                raise ValueError(f"step {step!r} appears more than once")
            seen.add(step)
        return self

    @property
    def ordered_steps(self) -> list[str]:
        return self.steps or [step for stage in self.stages for step in stage.steps]

    def stage_of(self, resource_id: str) -> str | None:
        for stage in self.stages:
            if resource_id in stage.steps:
                return stage.title
        return None


class CatalogFile(_Strict):
    """One catalog file, as written. Used for the JSON Schema; loading validates item by item."""

    model_config = ConfigDict(title="mlops-path catalog")

    resources: list[Resource] = []
    paths: list[LearningPath] = []


@dataclass(frozen=True)
class Problem:
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class Part:
    """The valid items of one catalog file."""

    source: str
    resources: list[Resource] = field(default_factory=list)
    paths: list[LearningPath] = field(default_factory=list)


@dataclass
class Catalog:
    """Every resource and path from every catalog file, linked: each step names a known resource."""

    by_id: dict[str, Resource] = field(default_factory=dict)
    paths: dict[str, LearningPath] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # resource or "path:ID" -> source
    warnings: list[str] = field(default_factory=list)

    @property
    def resources(self) -> list[Resource]:
        return list(self.by_id.values())

    def path(self, path_id: str) -> LearningPath:
        try:
            return self.paths[path_id]
        except KeyError:
            raise UsageError(f"Unknown path {path_id!r}; known paths: {', '.join(self.paths) or 'none'}.") from None


def read_part(raw: Any, source: str) -> tuple[Part, list[Problem]]:
    """Validate every resource and path of one file on its own; keep the valid ones."""
    part, problems = Part(source), []
    if not isinstance(raw, dict):
        return part, [Problem(source, "a catalog is a TOML table")]
    for key in raw:
        if key not in ("resources", "paths"):
            problems.append(Problem(source, f"unknown top-level key {key!r} (expected `resources` and `paths`)"))
    for table, model, items in (("resources", Resource, part.resources), ("paths", LearningPath, part.paths)):
        entries = raw.get(table, [])
        if not isinstance(entries, list):
            problems.append(Problem(source, f"`{table}` must be an array of tables ([[{table}]])"))
            continue
        for index, entry in enumerate(entries):
            try:
                items.append(model.model_validate(entry))
            except ValidationError as exc:
                name = _item_name(table, index, entry)
                problems += [Problem(source, describe(error, name)) for error in exc.errors()]
    return part, problems


def _item_name(table: str, index: int, entry: Any) -> str:
    kind = table[:-1]
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return f"{kind} {entry['id']!r}"
    return f"{kind} number {index + 1}"


def describe(error: Any, name: str) -> str:
    """`resource 'x', field 'minutes': input should be greater than 0`."""
    message = error["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    where = ".".join(str(part) for part in error["loc"])
    return f"{name}, field {where!r}: {message}" if where else f"{name}: {message}"


def link(parts: list[Part], lenient: bool) -> tuple[Catalog, list[Problem]]:
    """Merge parts in order. Duplicate ids, unknown steps and stale `replaces` are problems.

    Lenient (loading): a part that redefines an id is left out whole, a path with an unknown
    step is dropped. Otherwise (checking): everything is kept and every problem reported.
    """
    catalog, problems = Catalog(), []
    for part in parts:
        clashes = _clashes(catalog, part)
        if clashes and lenient:
            problems += [Problem(c.source, c.message + "; the whole file was left out") for c in clashes]
            continue
        problems += clashes
        for resource in part.resources:
            catalog.by_id.setdefault(resource.id, resource)
            catalog.origin.setdefault(resource.id, part.source)
        for path in part.paths:
            catalog.paths.setdefault(path.id, path)
            catalog.origin.setdefault(f"path:{path.id}", part.source)
    for path_id, path in list(catalog.paths.items()):
        unknown = [step for step in path.ordered_steps if step not in catalog.by_id]
        if unknown:
            message = f"path {path_id!r} has a step {unknown[0]!r} that no resource defines"
            if lenient:
                del catalog.paths[path_id]
                message += "; the path was left out"
            problems.append(Problem(catalog.origin[f"path:{path_id}"], message))
    for resource in catalog.resources:
        for old in resource.replaces:
            if old in catalog.by_id:
                problems.append(
                    Problem(catalog.origin[resource.id], f"resource {resource.id!r} replaces {old!r}, which is still defined (in {catalog.origin[old]})")
                )
    return catalog, problems


def _clashes(catalog: Catalog, part: Part) -> list[Problem]:
    problems, seen = [], set()
    for what, ids, known, key in (
        ("resource", [r.id for r in part.resources], catalog.by_id, lambda i: i),
        ("path", [p.id for p in part.paths], catalog.paths, lambda i: f"path:{i}"),
    ):
        for item in ids:
            if (what, item) in seen:
                problems.append(Problem(part.source, f"{what} id {item!r} is defined more than once in this file"))
            elif item in known:
                problems.append(Problem(part.source, f"{what} id {item!r} is already defined in {catalog.origin[key(item)]}"))
            seen.add((what, item))
    return problems


def parse_catalog(raw: Any, source: str = "catalog") -> Catalog:
    """One complete catalog on its own; any problem is an error."""
    part, problems = read_part(raw, source)
    catalog, link_problems = link([part], lenient=False)
    problems += link_problems
    if problems:
        raise CatalogError(broken_message(source, problems))
    return catalog


def broken_message(source: str, problems: list[Problem]) -> str:
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return f"The catalog {source} is broken: {problems[0].message}{tail}."


def json_schema() -> dict[str, Any]:
    return CatalogFile.model_json_schema()
