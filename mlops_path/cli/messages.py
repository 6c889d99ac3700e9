"""The one- or two-line answers of the commands that change something."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlops_path.cli import output
from mlops_path.core.progress.record import Status
from mlops_path.core.words import STATUS_WORD, duration

if TYPE_CHECKING:
    from pathlib import Path

    from mlops_path.core.catalog.model import LearningPath
    from mlops_path.core.learning.position import Step
    from mlops_path.core.learning.summary import Summary
    from mlops_path.core.progress.record import Change, Note
    from mlops_path.core.progress.store import Repair


MOST_IDS = 20  # a longer list of ids is cut to "... and N more"


def marked(
    changed: list[str],
    asked: list[str],
    status: Status,
    following: Step | None,
    current: Step | None = None,
    reached: Sequence[str] = (),
) -> None:
    changed_set = set(changed)
    unchanged = [i for i in dict.fromkeys(asked) if i not in changed_set]
    out = []
    if changed:
        which = f" (the current step, {current.resource.title})" if current else ""
        out.append(f"Marked {STATUS_WORD[status]}: {output.id_list(changed, MOST_IDS)}{which}")
    if unchanged:
        out.append(f"Already {STATUS_WORD[status]}: {output.id_list(unchanged, MOST_IDS)}")
    out += reached
    if following:
        out.append(f"Next: {following.resource.title} (mlops-path next)")
    elif status is Status.DONE:
        out.append("That was the last step of this path. Well done! Every path: `mlops-path paths`.")
    output.say(out)


def nothing_changed() -> None:
    output.say(["Nothing changed."])


def milestones(before: Summary, after: Summary) -> list[str]:
    """What a change reached, said once, by the change that finishes a stage or the required path."""
    finished_before = {t.name for t in before.stages if t.total and t.done == t.total}
    out = [
        f"You finished the stage {t.name!r}."
        for t in after.stages
        if t.total and t.done == t.total and t.name not in finished_before
    ]
    if after.required and after.required_done == after.required and before.required_done < before.required:
        out.append("You finished every required step of this path. Well done!")
    return out


def noted(resource_id: str, note: Note) -> None:
    output.say([f"Noted on {resource_id} at {output.stamp(note.at)}."])


def opened(url: str, started: bool) -> None:
    output.say([f"Opening {url}" if started else f"No browser could be started; the link is {url}"])


def nothing_fits(minutes: int, shortest: Step | None) -> None:
    if shortest is None:
        output.say(["No open step left on this path."])
    else:
        length = duration(shortest.resource.minutes, estimate=not shortest.resource.minutes_measured)
        output.say(
            [
                (
                    f"No open step fits in {minutes} min; the shortest is {shortest.id}, {shortest.resource.title} "
                    f"({length})."
                )
            ]
        )


def nothing_open_on_topic(topic: str, on_topic: list[Step], open_in_path: list[Step]) -> None:
    """No open step on a topic: say what is done and skipped there, and what is left elsewhere."""
    done = [s.id for s in on_topic if s.status is Status.DONE]
    skipped = [s.id for s in on_topic if s.status is Status.SKIPPED]
    parts = [
        f"{len(done)} done" + (f" ({output.id_list(done)})" if done else ""),
        f"{len(skipped)} skipped" + (f" ({output.id_list(skipped)})" if skipped else ""),
    ]
    out = [
        (
            f"No open step on the topic {topic!r}: of its {len(on_topic)} step{'s' * (len(on_topic) != 1)}, "
            f"{' and '.join(parts)}."
        )
    ]
    if open_in_path:
        left = len(open_in_path)
        out.append(
            f"{left} other step{'s' * (left != 1)} of the path {'are' if left != 1 else 'is'} still open: "
            f"mlops-path next"
        )
    else:
        out.append("You have finished every step of this path. Well done!")
    output.say(out)


def undone(change: Change | None) -> None:
    if change is None:
        output.say(["Nothing to undo."])
    else:
        output.say([f"Undid `{change.action}` of {output.stamp(change.at)}: {output.id_list(change.ids)}"])


def cleared(ids: list[str]) -> None:
    output.say(
        [f"Cleared the progress of {len(ids)} resource{'s' * (len(ids) != 1)}; `mlops-path undo` takes it back."]
    )


def repaired(result: Repair) -> None:
    if result.set_aside:
        restored = (
            f"restored the backup {result.restored_from}"
            if result.restored_from
            else "started afresh (no sound backup)"
        )
        output.say([f"Set the broken file aside as {result.set_aside} and {restored}."])


def imported(ids: list[str]) -> None:
    if ids:
        output.say(
            [
                (
                    f"Imported changes to {len(ids)} resource{'s' * (len(ids) != 1)}: {output.id_list(ids)}; "
                    f"`mlops-path undo` takes them back."
                )
            ]
        )
    else:
        output.say(["Nothing new to import: your progress already holds everything in that export."])


def using(path: LearningPath) -> None:
    output.say([f"Now walking {path.title!r} ({path.id}); `mlops-path next` shows where you are."])


def catalog_added(target: Path) -> None:
    output.say([f"Added {target}; every command loads it now (see `mlops-path paths`)."])


def page_written(file: Path, opened: bool) -> None:
    output.say([f"Wrote {file}" + ("; opening it in your browser." if opened else ".")])
