"""`mlops-path browse`: the path in one screen, built on Textual, imported by that command alone.

The list of steps (by stage) on the left or on top, the selected step's details beside or under
it, the path and progress in a header, what the last action did in a status line, the keys in
the footer. Every action goes through `browse_data.Library`, the same calls the commands make.
The progress file is looked at every second, so a change made elsewhere shows up while open.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from mlops_path.cli import browse_look as look
from mlops_path.cli import output
from mlops_path.cli.browse_data import Library, View, opened, topics, web_link
from mlops_path.cli.browse_screens import PickScreen
from mlops_path.core.errors import MlopsPathError
from mlops_path.core.progress.record import Status

if TYPE_CHECKING:
    from mlops_path.core.learning.position import Step

POLL_SECONDS = 1.0
SYNC_POLL_TICKS = 10  # with sync on, the other devices' files are read every this many polls


class StepList(OptionList):
    """The steps; a page up or down never stops on a stage heading (it goes to the first or last step)."""

    def action_page_up(self) -> None:
        before = self.highlighted
        super().action_page_up()  # type: ignore[no-untyped-call]  # textual leaves it unannotated
        if self.highlighted is None and before is not None:
            self.action_first()

    def action_page_down(self) -> None:
        before = self.highlighted
        super().action_page_down()  # type: ignore[no-untyped-call]  # textual leaves it unannotated
        if self.highlighted is None and before is not None:
            self.action_last()


class BrowseApp(App[None]):
    TITLE = "mlops-path browse"
    ENABLE_COMMAND_PALETTE = False
    # textual annotates it `ClassVar[...] | None`, which mypy reads as an instance variable
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide")]  # type: ignore[misc]
    CSS = """
    #head { height: auto; padding: 0 1; background: $panel; }
    #filters { height: auto; padding: 0 1; display: none; }
    #body { height: 1fr; }
    #steps { border: none; padding: 0; height: 1fr; }
    #steps > .option-list--option-disabled { color: $text; }
    #details { padding: 0 1; }
    Screen.-narrow #body { layout: vertical; }
    Screen.-narrow #details { height: 40%; min-height: 3; border-top: solid $accent; }
    Screen.-wide #body { layout: horizontal; }
    Screen.-wide #steps { width: 1fr; }
    Screen.-wide #details { width: 45%; height: 1fr; border-left: solid $accent; }
    .plain #details { border: none; }
    #status { height: auto; max-height: 3; padding: 0 1; }
    #line { display: none; }
    """
    BINDINGS: ClassVar = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("d", "mark('done')", "Done"),
        Binding("s", "mark('in-progress')", "Start"),
        Binding("o", "open", "Open"),
        Binding("x", "mark('skipped')", "Skip"),
        Binding("r", "mark('todo')", "Reset"),
        Binding("u", "undo", "Undo"),
        Binding("n", "note", "Note"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("t", "topic", "Topic"),
        Binding("p", "path", "Path"),
        Binding("j", "move('down')", "Down", show=False),
        Binding("k", "move('up')", "Up", show=False),
        Binding("escape", "clear_filters", "Clear filters", show=False),
    ]

    def __init__(self, library: Library, view: View, plain: bool = False):
        self.library, self.view, self.plain = library, view, plain
        self.query_text = ""
        self.topic: str | None = None  # the topic filter; None: every topic
        self.matches: set[str] | None = None  # the ids the text filter finds; None: no text filter
        self.line_mode: str | None = None  # "note" or "filter" while the input line is open
        self.confirm_start: str | None = None  # a done step whose restart waits for a second `s`
        self.failure: BaseException | None = None
        self.seen = library.signature()
        self.ticks = 0
        if plain and "NO_COLOR" not in os.environ:  # plain mode: no colour, as NO_COLOR asks
            os.environ["NO_COLOR"] = "1"
            try:
                super().__init__()
            finally:
                del os.environ["NO_COLOR"]
        else:
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        yield Static(id="filters")
        with Container(id="body"):
            yield StepList(id="steps")
            with VerticalScroll(id="details"):
                yield Static(id="detail")
        yield Static(id="status")
        yield Input(id="line")
        yield Footer()

    def on_mount(self) -> None:
        if self.plain:
            self.screen.add_class("plain")
        self.draw(select=self.view.current)
        self.say(["? lists every key; q quits."])
        self.query_one("#steps", OptionList).focus()
        self.set_interval(POLL_SECONDS, self.poll)

    # --- drawing ---

    def selected_id(self) -> str | None:
        steps = self.query_one("#steps", OptionList)
        if steps.highlighted is None or steps.option_count == 0:
            return None
        return steps.get_option_at_index(steps.highlighted).id

    def selected_step(self) -> Step | None:
        wanted = self.selected_id()
        return next((s for s in self.view.steps if s.id == wanted), None)

    def shown_steps(self) -> list[Step]:
        found, topic = self.matches, self.topic
        return [
            s
            for s in self.view.steps
            if (found is None or s.id in found) and (topic is None or topic in s.resource.topics)
        ]

    def draw(self, select: str | None = None) -> None:
        """Everything from `self.view`; the selection stays on the same step where it can."""
        select = select or self.selected_id()
        self.query_one("#head", Static).update(look.header(self.view, self.plain))
        shown = self.shown_steps()
        options: list[Option] = []
        stage = None
        for step in shown:
            if step.stage and step.stage != stage:
                options.append(Option(look.stage_heading(step.stage), disabled=True))
            stage = step.stage
            options.append(Option(look.row(step, step.id == self.view.current, self.plain), id=step.id))
        if not shown:
            options.append(Option(Text("No steps match; Esc clears the filters."), disabled=True))
        steps = self.query_one("#steps", OptionList)
        steps.clear_options()
        steps.add_options(options)
        ids = [o.id for o in options]
        if select in ids:
            steps.highlighted = ids.index(select)
        elif shown:
            steps.highlighted = ids.index(shown[0].id)
        self.draw_filters(len(shown))
        self.draw_details()

    def draw_filters(self, count: int) -> None:
        line = self.query_one("#filters", Static)
        if self.matches is None and self.topic is None:
            line.display = False
            return
        parts = ([f"text {self.query_text!r}"] if self.matches is not None else []) + (
            [f"topic {self.topic}"] if self.topic else []
        )
        line.update(look.message([f"Filter: {', '.join(parts)}: {count} of {len(self.view.steps)} steps (Esc clears)"]))
        line.display = True

    def draw_details(self) -> None:
        step = self.selected_step()
        detail = self.query_one("#detail", Static)
        detail.update(look.details(step, self.view.entry(step), self.plain) if step else Text(""))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "steps":
            self.draw_details()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "steps":
            self.action_open()

    def say(self, lines: list[str], error: bool = False) -> None:
        lines = lines + self.library.take_warnings()
        self.query_one("#status", Static).update(look.message(lines, error))

    # --- keeping up with changes made elsewhere ---

    def poll(self) -> None:
        """Redraw when another process wrote the progress file (with sync on, now and then also
        read the other devices' files, as every command does)."""
        self.ticks += 1
        signature = self.library.signature()
        synced = self.view.synced and self.ticks % SYNC_POLL_TICKS == 0
        if signature == self.seen and not synced:
            return
        self.seen = signature
        try:
            view = self.library.load()
        except MlopsPathError as exc:
            self.say([str(exc)], error=True)
            return
        if view.fingerprint() != self.view.fingerprint() or view.path_id != self.view.path_id:
            self.view = view
            self.reapply_filter()
            self.draw()
            self.say(["Your progress changed elsewhere; this view is up to date."])

    def reload(self, select: str | None = None) -> None:
        self.view = self.library.load()
        self.seen = self.library.signature()
        self.reapply_filter()
        self.draw(select)

    def reapply_filter(self) -> None:
        if self.matches is not None:
            self.matches = self.library.matching(self.query_text)

    def act(self, action: Callable[[], list[str]], select: str | None = None) -> None:
        """Run a library call; say what it did (or the one-sentence error), then redraw."""
        try:
            self.say(action())
        except MlopsPathError as exc:
            self.say([str(exc)], error=True)
        try:
            self.reload(select)
        except MlopsPathError as exc:
            self.say([str(exc)], error=True)

    # --- the keys ---

    def action_move(self, direction: str) -> None:
        steps = self.query_one("#steps", OptionList)
        steps.action_cursor_down() if direction == "down" else steps.action_cursor_up()

    def action_mark(self, value: str) -> None:
        step = self.selected_step()
        if step is None:
            return
        status = Status(value)
        entry = self.view.entry(step)
        if (
            status is Status.IN_PROGRESS
            and step.status is Status.DONE
            and self.confirm_start != step.id
            and entry
            and entry.done_at
        ):
            self.confirm_start = step.id
            self.say([f"{step.id} was done on {output.stamp(entry.done_at)}; press s again to start it again."])
            return
        self.confirm_start = None
        self.act(lambda: self.library.mark(step.id, status), step.id)

    def action_undo(self) -> None:
        self.act(self.library.undo)

    def action_open(self) -> None:
        step = self.selected_step()
        if step is None:
            return
        url = web_link(step)
        started = self.open_in_browser(url) if url else False
        self.say(opened(url, step, started))

    def open_in_browser(self, url: str) -> bool:
        """webbrowser honours $BROWSER; a browser that runs in the terminal gets the terminal
        (the screen is suspended, then drawn again)."""
        import webbrowser

        from textual.app import SuspendNotSupported

        def start() -> bool:
            try:
                return webbrowser.open(url)
            except webbrowser.Error:
                return False

        try:
            with self.suspend():
                return start()
        except SuspendNotSupported:
            return start()

    def action_note(self) -> None:
        if self.selected_step() is not None:
            self.open_line("note", "", "A note on this step; Enter keeps it, Esc drops it")

    def action_filter(self) -> None:
        self.open_line("filter", self.query_text, "Filter: words to find; Enter keeps it, Esc clears it")

    def open_line(self, mode: str, value: str, placeholder: str) -> None:
        line = self.query_one("#line", Input)
        self.line_mode, line.value, line.placeholder, line.display = mode, value, placeholder, True
        line.focus()

    def close_line(self) -> None:
        line = self.query_one("#line", Input)
        self.line_mode, line.display = None, False
        self.query_one("#steps", OptionList).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.line_mode == "filter":
            self.set_text_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        mode, step = self.line_mode, self.selected_step()
        self.close_line()
        if mode == "note" and step is not None:
            self.act(lambda: self.library.note(step.id, event.value), step.id)

    def set_text_filter(self, text: str) -> None:
        self.query_text = text
        try:
            self.matches = self.library.matching(text) if text.strip() else None
        except MlopsPathError as exc:
            self.say([str(exc)], error=True)
            return
        self.draw()

    def action_clear_filters(self) -> None:
        """Esc: drops the note being written; else clears the text filter, then the topic too."""
        mode = self.line_mode
        if mode is not None:
            self.close_line()
            if mode == "note":
                return
        self.query_text, self.matches = "", None
        if mode is None:
            self.topic = None
        self.draw()

    def action_topic(self) -> None:
        choices = [("", Text("Every topic"))]
        choices += [(name, output.text(f"{name}: {counted}")) for name, counted in topics(self.view.steps)]

        def chosen(topic: str | None) -> None:
            if topic is not None:
                self.topic = topic or None
                self.draw()

        self.push_screen(PickScreen("Topic", choices, self.topic or ""), chosen)

    def action_path(self) -> None:
        try:
            paths = self.library.paths()
        except MlopsPathError as exc:
            self.say([str(exc)], error=True)
            return
        choices = [
            (p.id, output.text(f"{p.title} ({p.id}): {p.counts}" + ("  (now)" if p.current else ""))) for p in paths
        ]

        def chosen(path_id: str | None) -> None:
            if path_id is not None and path_id != self.view.path_id:
                self.query_text, self.matches, self.topic = "", None, None
                self.act(lambda: self.library.use(path_id))
                self.draw(self.view.current)

        self.push_screen(PickScreen("Path", choices, self.view.path_id), chosen)

    def action_help(self) -> None:
        from mlops_path.cli.browse_screens import HelpScreen

        self.push_screen(HelpScreen())

    # --- no traceback, ever ---

    def _handle_exception(self, error: Exception) -> None:
        """A bug inside the screen: Textual restores the terminal and exits; the command then
        says so in one sentence (the traceback Textual would print is dropped)."""
        self.failure = error
        super()._handle_exception(error)
        if not os.environ.get("MLOPS_PATH_DEBUG"):
            self._exit_renderables.clear()
