from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from rt_tui.keymap import apply_user_keymap, binding_scopes, check_keymap, describe_problems


class Panel(Static, can_focus=True):
    BINDINGS = [
        Binding("r", "mark('panel-refresh')", "Refresh", id="panel.refresh"),
        Binding("d", "mark('panel-delete')", "Delete", id="panel.delete"),
    ]

    def action_mark(self, what: str) -> None:
        self.app.marks.append(what)  # type: ignore[attr-defined]


class KeymapHost(App[None]):
    BINDINGS = [
        Binding("ctrl+r", "mark('record')", "Record", id="host.record"),
        Binding("ctrl+t", "mark('talk')", "Talk", id="host.talk"),
        Binding("question_mark", "mark('help')", "Help", id="host.help"),
    ]

    def __init__(self, keymap: dict[str, object]) -> None:
        super().__init__()
        self.marks: list[str] = []
        self.user_keymap = keymap
        self.problems: list = []

    def compose(self) -> ComposeResult:
        yield Panel("panel", id="panel")

    def on_mount(self) -> None:
        self.problems = apply_user_keymap(self, self.user_keymap)
        self.query_one(Panel).focus()

    def action_mark(self, what: str) -> None:
        self.marks.append(what)


async def test_remapped_keys_work_and_old_keys_stop():
    app = KeymapHost({"host.record": "f5", "panel.refresh": ["x", "?"]})
    async with app.run_test() as pilot:
        assert app.problems == []
        await pilot.press("f5", "ctrl+r", "x", "r")
        await pilot.pause()
        assert app.marks == ["record", "panel-refresh"]
        # "?" is normalised the way Textual does; the panel (focused) shadows the app's own "?"
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.marks[-1] == "panel-refresh"


async def test_unknown_ids_and_bad_keys_are_reported_and_skipped():
    app = KeymapHost({"host.recrod": "f6", "host.talk": "ctrl+shfit+t", "panel.delete": 5, "host.help": "f1"})
    async with app.run_test() as pilot:
        kinds = {problem.binding_ids[0]: problem.kind for problem in app.problems}
        assert kinds == {"host.recrod": "unknown-id", "host.talk": "bad-key", "panel.delete": "bad-key"}
        message = describe_problems(app.problems)
        assert "did you mean 'host.record'" in message
        assert "unknown modifier 'shfit'" in message
        assert "3 problem(s)" in message
        await pilot.press("f6", "ctrl+r", "f1", "ctrl+t")
        await pilot.pause()
        assert app.marks == ["record", "help", "talk"]  # defaults kept, the good remap applied


async def test_conflicts_in_one_scope_are_reported_and_not_applied():
    app = KeymapHost({"host.record": "ctrl+t", "panel.refresh": "z", "panel.delete": "z"})
    async with app.run_test() as pilot:
        conflicts = [problem for problem in app.problems if problem.kind == "conflict"]
        assert len(conflicts) == 2
        text = describe_problems(conflicts)
        assert "'ctrl+t' would trigger both 'host.record' and 'host.talk' in KeymapHost" in text
        assert "'z' would trigger both 'panel.delete' and 'panel.refresh' in Panel" in text
        await pilot.press("ctrl+r", "ctrl+t", "r", "d", "z")
        await pilot.pause()
        assert app.marks == ["record", "talk", "panel-refresh", "panel-delete"]


async def test_remapping_onto_the_command_palette_key_is_a_conflict():
    app = KeymapHost({"host.talk": "ctrl+p"})
    async with app.run_test():
        assert [problem.kind for problem in app.problems] == ["conflict"]
        assert "'command_palette'" in app.problems[0].message


def test_same_key_in_different_scopes_is_not_a_conflict():
    scopes = {
        "A": [Binding("a", "one", id="a.one")],
        "B": [Binding("b", "two", id="b.two")],
    }
    problems, good = check_keymap({"a.one": "k", "b.two": "k"}, scopes)
    assert problems == [] and good == {"a.one": "k", "b.two": "k"}


async def test_scopes_include_mounted_widgets_and_the_app():
    app = KeymapHost({})
    async with app.run_test():
        scopes = binding_scopes(app)
        ids = {binding.id for bindings in scopes.values() for binding in bindings}
        assert {"host.record", "panel.refresh"} <= ids
