"""The browse screen's pop-ups: the keys (`?`) and a list to pick from (a topic with `t`, a path
with `p`). Their text is rich `Text`, never markup."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

KEYS = [
    ("Up/Down, j/k", "move"),
    ("Home/End, PgUp/PgDn", "first, last, a page"),
    ("o or Enter", "open the link in your browser ($BROWSER is honoured)"),
    ("d", "mark done"),
    ("s", "mark started (in progress)"),
    ("x", "skip"),
    ("r", "reset to todo (notes are kept)"),
    ("u", "undo the last change to your progress"),
    ("n", "add a note (Enter keeps it, Esc drops it)"),
    ("/", "filter by text: titles, ids, topics, authors, your notes"),
    ("t", "filter by topic"),
    ("p", "switch path (remembered, as `mlops-path use`)"),
    ("Esc", "clear the filters"),
    ("?", "this help"),
    ("q", "quit"),
]

MODAL_CSS = """
ModalScreen { align: center middle; }
ModalScreen > * {
    width: 90%; max-width: 100; height: auto; max-height: 90%; border: round $accent; background: $surface;
}
.plain ModalScreen > * { border: none; }
"""


class HelpScreen(ModalScreen[None]):
    """Every key, with what it does; any of Esc, q, ? or Enter closes it."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, "dismiss", "Close", show=False) for key in ("escape", "q", "question_mark", "enter")
    ]

    def compose(self) -> ComposeResult:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")
        for key, what in KEYS:
            grid.add_row(key, what)
        grid.add_row("", "")
        grid.add_row("", "Every action is the command's own: `mlops-path history` lists them.")
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold"))
            yield Static(grid)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """A list to pick one item from; Enter picks, Esc leaves everything as it was."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("q", "cancel", show=False),
        Binding("j", "down", show=False),
        Binding("k", "up", show=False),
    ]

    def __init__(self, title: str, choices: list[tuple[str, Text]], selected: str | None = None):
        super().__init__()
        self.title_text, self.choices, self.selected = title, choices, selected

    def compose(self) -> ComposeResult:
        options = OptionList(*[Option(prompt, id=key) for key, prompt in self.choices], id="pick")
        options.border_title = self.title_text
        yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self.choices]
        options.highlighted = keys.index(self.selected) if self.selected in keys else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
