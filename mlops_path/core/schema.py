"""The pydantic models at the boundaries: a catalog file, the progress file, an export.

They validate what comes from outside (a file someone wrote or edited) and give the JSON Schema
of the catalog format. Imported only when something needs validating: building these models is
the largest part of pydantic's start-up cost, and a command that reads trusted data skips it.
The domain objects the rest of the code uses are named tuples (`catalog`, `progress`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mlops_path.core import limits
from mlops_path.core.text import web_link

SLUG_PATTERN = f"^{limits.SLUG}$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=limits.MAX_ID)]
Word = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=limits.MAX_WORD)]
Title = Annotated[str, Field(min_length=1, max_length=limits.MAX_TITLE)]
Name = Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME)]
Prose = Annotated[str, Field(min_length=1, max_length=limits.MAX_PROSE)]


class _Strict(BaseModel):
    # The catalog format is public: unknown keys are errors (usually typos), and no type is coerced.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ResourceSchema(_Strict):
    """One thing to read or watch."""

    model_config = ConfigDict(title="Resource")

    id: Slug
    title: Title
    kind: Word
    url: Annotated[str, Field(min_length=1, max_length=limits.MAX_URL)]
    minutes: Annotated[int, Field(gt=0, le=100_000)]
    topics: Annotated[list[Word], Field(min_length=1, max_length=limits.MAX_LIST)]
    authors: Annotated[list[Name], Field(max_length=limits.MAX_LIST)] = []
    year: Annotated[int, Field(ge=1000, le=9999)] | None = None
    part_of: Name | None = None
    why: Prose | None = None
    optional: bool = False
    minutes_note: Name | None = None
    minutes_measured: bool = Field(
        default=False, description="true when `minutes` is measured (a video's runtime), not estimated"
    )
    access: Literal["free", "subscription", "paid", "free-registration"] | None = Field(
        default=None, description="what it costs to read or watch; left out: not stated"
    )
    access_note: Name | None = None
    replaces: Annotated[list[Slug], Field(max_length=limits.MAX_LIST)] = Field(
        default=[], description="Old ids of this resource; their progress shows here."
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        return http_url(url)


def http_url(url: str) -> str:
    """An http(s) link with a host, and nothing a browser, a shell or a terminal could misread."""
    if web_link(url) is None:
        raise ValueError("must be an http:// or https:// link with a host, without spaces or control characters")
    return url


class StageSchema(_Strict):
    model_config = ConfigDict(title="Stage")

    title: Title
    steps: Annotated[list[Slug], Field(min_length=1)]


class PathSchema(_Strict):
    """An ordered walk through resources, optionally grouped into titled stages."""

    model_config = ConfigDict(title="Path")

    id: Slug
    title: Title
    description: Prose | None = None
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


DeviceId = Annotated[str, Field(pattern=f"^{limits.DEVICE_ID}$")]
Clock = tuple[Annotated[int, Field(ge=0, lt=2**53)], Annotated[int, Field(ge=0, lt=2**53)], DeviceId]


class NoteSchema(_Record):
    at: datetime
    text: Annotated[str, Field(max_length=limits.MAX_NOTE)]
    clock: Clock | None = None


class EntrySchema(_Record):
    status: Literal["todo", "in-progress", "done", "skipped"]
    updated: datetime
    done_at: datetime | None = None
    started_at: datetime | None = None
    notes: Annotated[list[NoteSchema], Field(max_length=limits.MAX_NOTES)] = []
    clock: Clock | None = None
    notes_cleared: Clock | None = None


class ChangeSchema(_Record):
    at: datetime
    action: str
    ids: list[str]
    before: dict[str, EntrySchema | None]
    undone_at: datetime | None = None
    notes_added: dict[str, list[NoteSchema]] = {}
    source: Annotated[str, Field(max_length=limits.MAX_PROSE)] | None = None


class LastSyncSchema(_Record):
    at: datetime
    ok: bool
    message: str


class SyncConfigSchema(_Record):
    engine: Literal["folder", "git"] | None = None
    place: str | None = None
    url: str | None = None
    learner: Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME)]
    device: DeviceId
    share_notes: bool = False
    last_sync: LastSyncSchema | None = None
    known_devices: dict[DeviceId, Annotated[str, Field(max_length=limits.MAX_NAME)]] = {}
    device_name: Annotated[str, Field(max_length=limits.MAX_DEVICE_NAME)] | None = None
    key: Annotated[str, Field(pattern=f"^{limits.SYNC_KEY}$")] | None = None


class SavedWeekSchema(_Record):
    start: str
    end: str
    steps: list[str]


class SavedPlanSchema(_Record):
    path: str
    hours_per_week: float
    weeks: list[SavedWeekSchema]


class ProgressSchema(_Record):
    version: int
    resources: dict[str, EntrySchema] = {}
    history: list[ChangeSchema] = []
    default_path: str | None = None
    sync: SyncConfigSchema | None = None
    clock: tuple[int, int] | None = None
    plan: SavedPlanSchema | None = None


class ExportSchema(_Record):
    """An export from another machine or person: its ids must be ids a catalog could define."""

    format: Literal["mlops-path-export"]
    version: int
    exported_at: datetime
    resources: dict[Slug, EntrySchema]
