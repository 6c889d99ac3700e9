"""What the command modules share: the learner for this invocation and the common parameters."""

from __future__ import annotations

from typing import Annotated

import typer

from mlops_path.cli.completion import complete_ids, complete_topics
from mlops_path.core.api import Learner

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (documented in the README) instead of text.")]
IdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="A resource id.", autocompletion=complete_ids, show_default=False)
]
OptionalIds = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[ID]...",
        help="Resource ids; the current step (what `next` shows) if left out.",
        autocompletion=complete_ids,
        show_default=False,
    ),
]
TopicOption = Annotated[
    str | None,
    typer.Option(
        metavar="TOPIC",
        help="Only steps on this topic, e.g. monitoring.",
        autocompletion=complete_topics,
        show_default=False,
    ),
]


_learner: Learner | None = None


def use_learner(learner_for_this_run: Learner) -> None:
    """Called by the root callback, once per invocation, with the global options applied."""
    global _learner
    _learner = learner_for_this_run


def learner() -> Learner:
    """The Learner made from this invocation's global options (--catalog, --path)."""
    return _learner if _learner is not None else Learner()
