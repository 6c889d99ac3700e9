"""The engines that carry the files between devices, behind one small interface: a synced folder
(Syncthing, Dropbox, any folder something else keeps in sync) or a git repository. mlops-path never
moves files itself and runs no server: it writes this device's file into the shared place and lets
the engine carry it. What differs between engines is said here, once, instead of in `if engine ==
"git"` branches: how the place is set up, what one `mlops-path sync` does, and how fresh the other
devices' files are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mlops_path.core import home
from mlops_path.core.errors import FileProblem
from mlops_path.core.sync import git_repo

if TYPE_CHECKING:
    from mlops_path.core.sync.devices import Synced

Stage = Callable[["Synced", bytes], None]  # told what this device's file now holds, once written
PublishAll = Callable[[Stage | None], None]  # merge the others, then write this device's file


class Engine(Protocol):
    name: str  # as the progress file, `sync status --json` and `cohort --json` say it
    live: bool  # the others' files arrive without `mlops-path sync` (so a merge stands for a sync run)

    def set_up(self, folder: Path | None, url: str | None) -> Path:
        """The shared place for this device: checked, or made (a clone)."""
        ...

    def sync(self, synced: Synced, publish_all: PublishAll) -> str:
        """One `mlops-path sync`; says what happened ("pushed", "up to date", ...)."""
        ...

    def as_of(self, synced: Synced) -> datetime | None:
        """Until when the others' files are known to be current; None: as the engine keeps them."""
        ...


class FolderEngine:
    """A folder that Syncthing, Dropbox or the like keeps in sync: the files are as fresh as that
    engine keeps them, and a sync only merges and writes."""

    name = "folder"
    live = True

    def set_up(self, folder: Path | None, url: str | None) -> Path:
        assert folder is not None
        place = folder.expanduser().resolve()
        if not place.is_dir():
            raise FileProblem(
                f"The folder {place} does not exist; create it, or give the folder Syncthing or Dropbox keeps in sync."
            )
        return place

    def sync(self, synced: Synced, publish_all: PublishAll) -> str:
        publish_all(None)
        return "folder synced"

    def as_of(self, synced: Synced) -> datetime | None:
        return None


class GitEngine:
    """A clone of the group's repository: the others' files are as fresh as the last sync, which
    starts from the remote's branch, writes this device's file, commits it alone (nothing when it
    did not change) and pushes, starting over if another device pushed first."""

    name = "git"
    live = False

    def set_up(self, folder: Path | None, url: str | None) -> Path:
        assert url is not None
        place = home.user_home() / "sync" / "repo"
        git_repo.clone(url, place)
        return place

    def sync(self, synced: Synced, publish_all: PublishAll) -> str:
        repo = synced.shared
        if not (repo / ".git").is_dir():
            raise FileProblem(f"The sync clone {repo} is gone; run `mlops-path sync init --git {synced.url}` again.")
        staged: list[tuple[Synced, bytes]] = []

        def stage(current: Synced, written: bytes) -> None:
            git_repo.stage(repo, [current.learner_folder()])
            staged[:] = [(current, written)]

        for _ in range(git_repo.PUSH_TRIES):
            git_repo.start_over(repo)
            publish_all(stage)
            current, written = staged[0]
            if not git_repo.commit(repo, current.device_file(), written, current.learner, current.device):
                return "up to date"
            if git_repo.push(repo):
                return "pushed"
        raise FileProblem(
            f"Other devices pushed {git_repo.PUSH_TRIES} times while this one tried to; run `mlops-path sync` again."
        )

    def as_of(self, synced: Synced) -> datetime | None:
        last = (synced.last_sync or {}).get("at")
        return datetime.fromisoformat(last) if isinstance(last, str) else None


ENGINES: dict[str, Engine] = {engine.name: engine for engine in (FolderEngine(), GitEngine())}
