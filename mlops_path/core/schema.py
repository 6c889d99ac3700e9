"""The pydantic models at the boundaries: a catalog file, the progress file, an export.

They validate what comes from outside (a file someone wrote or edited) and give the JSON Schema
of the catalog format. Imported only when something needs validating: building these models is
the largest part of pydantic's start-up cost, and a command that reads trusted data skips it.
The domain objects the rest of the code uses are named tuples (`catalog`, `progress`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Word = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # The catalog format is public: unknown keys are errors (usually typos), and no type is coerced.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ResourceSchema(_Strict):
    """One thing to read or watch."""

    model_config = ConfigDict(title="Resource")

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


class StageSchema(_Strict):
    model_config = ConfigDict(title="Stage")

    title: Text
    steps: Annotated[list[Slug], Field(min_length=1)]


class PathSchema(_Strict):
    """An ordered walk through resources, optionally grouped into titled stages."""

    model_config = ConfigDict(title="Path")

    id: Slug
    title: Text
    description: Text | None = None
    steps: list[Slug] = []
    stages: list[StageSchema] = []

    @model_validator(mode="after")
    def _steps_and_stages_agree(self) -> PathSchema:
        staged = [step for stage in self.stages for step in stage.steps]
        if not self.steps and not staged:
            raise ValueError("a path needs `steps` or `stages`")
        if self.steps and staged and self.steps != staged:
            raise ValueError("`steps` and `stages` list different steps; give one of them")
        seen: set[str] = set()
        for step in self.steps or staged:
            if step in seen:
                raise ValueError(f"step {step!r} appears more than once")
            seen.add(step)
        return self


class CatalogFileSchema(_Strict):
    """One catalog file, as written (README: "The catalog format")."""

    model_config = ConfigDict(title="mlops-path catalog")

    resources: list[ResourceSchema] = []
    paths: list[PathSchema] = []


class _Record(BaseModel):
    # Unknown keys are kept, so a field written by a newer mlops-path survives a rewrite.
    model_config = ConfigDict(extra="allow", frozen=True)


class NoteSchema(_Record):
    at: datetime
    text: str


class EntrySchema(_Record):
    status: Literal["todo", "in-progress", "done", "skipped"]
    updated: datetime
    done_at: datetime | None = None
    started_at: datetime | None = None
    notes: list[NoteSchema] = []


class ChangeSchema(_Record):
    at: datetime
    action: str
    ids: list[str]
    before: dict[str, EntrySchema | None]
    undone_at: datetime | None = None


class ProgressSchema(_Record):
    version: int
    resources: dict[str, EntrySchema] = {}
    history: list[ChangeSchema] = []
    default_path: str | None = None


class ExportSchema(_Record):
    format: Literal["mlops-path-export"]
    version: int
    exported_at: datetime
    resources: dict[str, EntrySchema]
