"""The catalog: resources and the paths through them, validated item by item and linked.

The domain objects are named tuples and small classes, cheap to build from the parsed-catalog cache; the
pydantic models that validate a catalog file live in `schema` and are imported only on a cache
miss or by `catalog check`. Validation collects every problem, each naming the resource or path
and the field, so `catalog check` can report them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from mlops_path.core.errors import CatalogError, UsageError

# Bounded work on a hostile catalog (README: "Limits"): a file that may hold more tables is refused
# before it is parsed, and checking stops after this many problems (a person reads the first few).
MAX_TABLES = 50_000  # resources and paths: beside the largest benchmark's 40,000
MAX_PROBLEMS = 100


class Resource(NamedTuple):
    """One thing to read or watch."""

    id: str
    title: str
    kind: str
    url: str
    minutes: int
    topics: Sequence[str]
    authors: Sequence[str] = ()
    replaces: Sequence[str] = ()
    # the scalar optional fields last: the cache leaves a row's trailing defaults out
    year: int | None = None
    part_of: str | None = None
    why: str | None = None
    optional: bool = False
    minutes_note: str | None = None
    minutes_measured: bool = False  # `minutes` is a measured length, not an estimate
    access: str | None = None  # free, subscription, paid, free-registration; None: not stated
    access_note: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        """From validated data: a schema's dump."""
        return cls(**data)


class Stage(NamedTuple):
    title: str
    steps: tuple[str, ...]


class LearningPath:
    """An ordered walk through resources (`steps`), optionally grouped into titled stages."""

    __slots__ = ("_stage_of", "description", "id", "stages", "steps", "title")

    def __init__(
        self, id: str, title: str, steps: Iterable[str], stages: Iterable[Stage] = (), description: str | None = None
    ):
        self.id, self.title, self.steps, self.stages, self.description = (
            id,
            title,
            list(steps),
            list(stages),
            description,
        )
        self._stage_of = {step: stage.title for stage in self.stages for step in stage.steps}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearningPath:
        stages = [Stage(s["title"], tuple(s["steps"])) for s in data.get("stages", [])]
        steps = data.get("steps") or [step for stage in stages for step in stage.steps]
        return cls(data["id"], data["title"], steps, stages, data.get("description"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "steps": self.steps,
            "description": self.description,
            "stages": [stage._asdict() for stage in self.stages],
        }

    def stage_of(self, resource_id: str) -> str | None:
        return self._stage_of.get(resource_id)


class Problem(NamedTuple):
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class Part(NamedTuple):
    """The valid items of one catalog file."""

    source: str
    resources: list[Resource]
    paths: list[LearningPath]


class Catalog(NamedTuple):
    """Every resource and path from every catalog file, linked: each step names a known resource."""

    by_id: dict[str, Resource]
    paths: dict[str, LearningPath]
    origin: dict[str, str]  # resource id, or "path:ID" -> the file it came from
    warnings: list[str]

    @property
    def resources(self) -> list[Resource]:
        return list(self.by_id.values())

    def to_cache(self) -> dict[str, Any]:
        """A compact form for the cache: each resource a row without its trailing defaults,
        each file named once (a resource's file is the `sources` entry its `source` index names)."""
        sources = list(dict.fromkeys(self.origin.values()))
        index = {source: i for i, source in enumerate(sources)}
        return {
            "fields": list(Resource._fields),
            "sources": sources,
            "resources": [_trimmed(r) for r in self.by_id.values()],
            "resource_source": [index[self.origin[rid]] for rid in self.by_id],
            "paths": [[p.to_dict(), index[self.origin[f"path:{p.id}"]]] for p in self.paths.values()],
            "warnings": self.warnings,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Catalog:
        """The catalog a cache entry holds; ValueError (or TypeError, KeyError, IndexError) if
        anything in it is not what `to_cache` writes: the caller then rebuilds the entry."""
        if data["fields"] != list(Resource._fields):
            raise ValueError("the cache was written for another layout")
        sources = data["sources"]
        resources = [_sound(Resource(*row)) for row in data["resources"]]
        by_id = {r.id: r for r in resources}
        origin = {r.id: _string(sources[i]) for r, i in zip(resources, data["resource_source"], strict=True)}
        paths = {}
        for path_data, source in data["paths"]:
            path = LearningPath.from_dict(path_data)
            if not (
                all(type(step) is str and step in by_id for step in path.steps)
                and all(type(value) is str for value in (path.id, path.title, *(stage.title for stage in path.stages)))
                and (path.description is None or type(path.description) is str)
            ):
                raise ValueError("a cached path is damaged or names a step no cached resource defines")
            paths[path.id] = path
            origin[f"path:{path.id}"] = _string(sources[source])
        return cls(by_id, paths, origin, [_string(w) for w in data["warnings"]])

    def path(self, path_id: str) -> LearningPath:
        try:
            return self.paths[path_id]
        except KeyError:
            from mlops_path.core.text import did_you_mean

            hint = did_you_mean(path_id, self.paths, most=1) or f"known paths: {', '.join(self.paths) or 'none'}."
            raise UsageError(f"Unknown path {path_id!r}; {hint}") from None


def _string(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("expected a string")
    return value


def _sound(r: Resource) -> Resource:
    """A resource read back from the cache, checked for the types the rest of the code relies on
    (a cache is a hint: a damaged or crafted entry must be rebuilt, never crash a command)."""
    if not (
        type(r.id) is str
        and type(r.title) is str
        and type(r.kind) is str
        and type(r.url) is str
        and r.url.startswith(("https://", "http://"))
        and type(r.minutes) is int
        and r.minutes > 0
        and all(
            type(item) is str for field in (r.topics, r.authors, r.replaces) if type(field) is list for item in field
        )
        and type(r.topics) is list
        and type(r.authors) is list
        and type(r.replaces) is list
        and (r.year is None or type(r.year) is int)
        and type(r.optional) is bool
        and type(r.minutes_measured) is bool
        and all(
            value is None or type(value) is str for value in (r.part_of, r.why, r.minutes_note, r.access, r.access_note)
        )
    ):
        raise ValueError(f"a cached resource has a field of the wrong type: {r.id!r}")
    return r


def _trimmed(resource: Resource) -> list[Any]:
    """The resource as a row, without trailing fields that hold their (scalar) default."""
    row = list(resource)
    while row[-1] in (None, False) and row[-1] is Resource._field_defaults.get(Resource._fields[len(row) - 1], ...):
        row.pop()
    return row


def read_part(raw: Any, source: str) -> tuple[Part, list[Problem]]:
    """Validate every resource and path of one file on its own; keep the valid ones."""
    from pydantic import BaseModel, ValidationError

    from mlops_path.core.schema import PathSchema, ResourceSchema

    part, problems = Part(source, [], []), []
    if not isinstance(raw, dict):
        return part, [Problem(source, "a catalog is a TOML table")]
    unknown = [key for key in raw if key not in ("resources", "paths")]
    problems += [
        Problem(source, f"unknown top-level key {key!r} (expected `resources` and `paths`)") for key in unknown
    ]
    tables: list[tuple[str, type[BaseModel], Callable[[dict[str, Any]], None]]] = [
        ("resources", ResourceSchema, lambda data: part.resources.append(Resource.from_dict(data))),
        ("paths", PathSchema, lambda data: part.paths.append(LearningPath.from_dict(data))),
    ]
    for table, schema, add in tables:
        entries = raw.get(table, [])
        if not isinstance(entries, list):
            problems.append(Problem(source, f"`{table}` must be an array of tables ([[{table}]])"))
            continue
        for index, entry in enumerate(entries):
            if len(problems) >= MAX_PROBLEMS:
                problems.append(Problem(source, f"more than {MAX_PROBLEMS} problems; the rest was not checked"))
                return part, problems
            try:
                add(schema.model_validate(entry).model_dump())
            except ValidationError as exc:
                name = _item_name(table, index, entry)
                problems += [Problem(source, problem_text(error, name)) for error in exc.errors()[:MAX_PROBLEMS]]
    return part, problems


def _item_name(table: str, index: int, entry: Any) -> str:
    kind = table[:-1]
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return f"{kind} {entry['id']!r}"
    return f"{kind} number {index + 1}"


def problem_text(error: Any, name: str) -> str:
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
    catalog, problems = Catalog({}, {}, {}, []), []
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
        unknown = [step for step in path.steps if step not in catalog.by_id]
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
                    Problem(
                        catalog.origin[resource.id],
                        f"resource {resource.id!r} replaces {old!r}, which is still defined (in {catalog.origin[old]})",
                    )
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
                problems.append(
                    Problem(part.source, f"{what} id {item!r} is already defined in {catalog.origin[key(item)]}")
                )
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


# What JSON Schema can say of the tool's checks, added to what pydantic writes: the draft, a link's
# form (http or https, a host, no white space or control character; the tool also refuses every
# other Unicode format character), and a path that lists a step twice. What it cannot say (an id
# defined twice across resources or files, a step naming no resource, stages that disagree with
# steps) only `catalog check` finds; tests/test_schema_edges.py lists them.
URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s\x00-\x1f\x7f-\x9f]+"
    r"[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]*$"
)


def json_schema() -> dict[str, Any]:
    """The catalog format for editors and validators (`catalog schema`)."""
    from mlops_path.core.schema import CatalogFileSchema

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **CatalogFileSchema.model_json_schema()}
    definitions = schema.get("$defs", {})
    url = definitions.get("ResourceSchema", {}).get("properties", {}).get("url")
    if url is not None:
        url["pattern"] = URL_PATTERN
    for name in ("PathSchema", "StageSchema"):
        steps = definitions.get(name, {}).get("properties", {}).get("steps")
        if steps is not None:
            steps["uniqueItems"] = True
    return schema
