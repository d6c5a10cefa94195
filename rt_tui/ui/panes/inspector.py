"""The event inspector pane: every client and server event, filtered, grouped, inspectable, exportable.

Self-contained: the app calls `add_event(s)` and mounts it. Events are buffered and absorbed on a
timer (`flush_interval`), so a burst of thousands costs one refresh, not one render per event; the
list renders only visible rows. Memory is bounded by the `EventLog` ring (audio elided, secrets redacted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from rt_tui.core.event_view import EventFilter, EventView
from rt_tui.core.eventlog import DEFAULT_CAPACITY, EventLog, LogRecord, elide_audio
from rt_tui.core.events import Event
from rt_tui.core.recording import Recorder, record_line, write_jsonl
from rt_tui.core.sdk_code import sdk_call_code
from rt_tui.ui.code_screen import stamped_path
from rt_tui.ui.panes.inspector_parts import FilterSuggester, StatusLine, detail_renderable
from rt_tui.ui.panes.inspector_rows import EventRows

FLUSH_BUDGET_S = 0.015  # longest a flush may hold the event loop
FLUSH_CHUNK = 256
CATCH_UP_DELAY_S = 0.005  # between budgeted flushes while a backlog remains


class InspectorPane(Vertical):
    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    InspectorPane { height: 1fr; border: round $primary-muted; border-title-color: $text-primary; }
    InspectorPane:focus-within { border: round $primary; }
    InspectorPane #inspector-status { height: 1; color: $text-muted; }
    InspectorPane #inspector-status.-dropped { color: $text-warning; }
    InspectorPane #inspector-filter { height: 1; border: none; padding: 0 1; }
    InspectorPane #inspector-detail { height: 1fr; display: none; border-top: solid $primary-muted; }
    InspectorPane.-detail #inspector-detail { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="inspector.filter"),
        Binding("d", "cycle_direction", "Direction", id="inspector.direction"),
        Binding("t", "toggle_follow", "Follow tail", id="inspector.follow"),
        Binding("space", "toggle_expand", "Expand run", id="inspector.expand"),
        Binding("enter", "toggle_detail", "Detail", id="inspector.detail"),
        Binding("c", "copy_json", "Copy JSON", id="inspector.copy"),
        Binding("k", "copy_code", "Copy as code", id="inspector.copy_code"),
        Binding("x", "export(True)", "Export shown", id="inspector.export_filtered"),
        Binding("X", "export(False)", "Export all", id="inspector.export_all", show=False),
        Binding("r", "toggle_recording", "Record", id="inspector.record"),
        Binding("escape", "close", "Close detail / clear filter", id="inspector.close", show=False),
    ]

    def __init__(
        self,
        *,
        capacity: int = DEFAULT_CAPACITY,
        export_dir: str | Path | None = None,
        flush_interval: float = 0.1,
        filter_delay: float = 0.15,
        secrets: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.border_title = "Events"
        self.event_log = EventLog(capacity, secrets)
        self.view = EventView()
        self.follow = True
        self.export_dir = Path(export_dir) if export_dir is not None else None
        self.flush_interval = flush_interval
        self.filter_delay = filter_delay
        # (event, (payload with audio elided, bytes elided)): the queue holds no base64 audio
        self._pending: list[tuple[Event, tuple[dict[str, Any], int]]] = []
        self._filter_timer: Any = None
        self._detail_seq: int | None = None
        self._catch_up: Any = None
        self.recorder: Recorder | None = None
        self.record_audio = True  # WAV tracks beside a recording (the app's --no-record-audio turns them off)
        self.exported_path: Path | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="inspector-status")
        yield Input(placeholder="filter: response.*  dir:client  id:item_…  text", id="inspector-filter", suggester=FilterSuggester())
        yield EventRows(self.view, id="inspector-rows")
        with VerticalScroll(id="inspector-detail"):
            yield Static(id="inspector-detail-body")

    def on_mount(self) -> None:
        self.set_interval(self.flush_interval, self._flush_tick)
        self._adopt_app_settings()
        self._update_status()

    def _adopt_app_settings(self) -> None:
        """Inside the rt-tui app: redact its configured key too, and honour `--record FILE`."""
        settings = getattr(self.app, "settings", None)
        target = getattr(settings, "target", None)
        api_key = getattr(target, "api_key", None)
        if isinstance(api_key, str) and api_key and api_key not in self.event_log.secrets:
            self.event_log.secrets = (*self.event_log.secrets, api_key)
        self.record_audio = getattr(settings, "record_audio", True)
        record = getattr(settings, "record", None)
        if record and self.recorder is None:
            self.start_recording(record, audio=self.record_audio)

    # ---- intake (flood control) -----------------------------------------------------------------------

    def add_event(self, event: Event) -> None:
        """Queue one event; it appears at the next flush (and is recorded now, audio included, if recording).

        Its audio is elided at once: a backlog of raw deltas would hold ~16 KB of base64 text each.
        """
        if self.recorder is not None:
            self.recorder.write(event)
        payload, audio_bytes = elide_audio(event.payload)
        if payload is not event.payload:  # the raw event must not stay referenced from the queue
            event = replace(event, payload=payload)
        self._pending.append((event, (payload, audio_bytes)))

    def add_events(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add_event(event)

    # ---- recording ------------------------------------------------------------------------------------

    def start_recording(self, path: str | Path, audio: bool = True) -> Path | None:
        """Record every following event to `path` (JSONL; WAV tracks beside it with `audio`)."""
        self.stop_recording()
        try:
            self.recorder = Recorder(path, audio=audio, secrets=self.event_log.secrets)
        except OSError as exc:
            self.notify(f"Cannot record to {path}: {exc.strerror or exc}", severity="error")
            return None
        self._update_status()
        self.notify(f"Recording to {self.recorder.path}", timeout=4)
        return self.recorder.path

    def stop_recording(self) -> Path | None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return None
        recorder.close()
        self._update_status()
        self.notify(f"Recorded {recorder.events_written:,} events to {recorder.path}", timeout=6)
        return recorder.path

    def action_toggle_recording(self) -> None:
        if self.recorder is not None:
            self.stop_recording()
        else:
            directory = self.export_dir or Path.cwd()
            path = stamped_path(directory, "rt-tui-session", ".jsonl")
            self.start_recording(path, audio=self.record_audio)

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    def flush(self, budget_s: float | None = None) -> None:
        """Absorb queued events into the log and the rows, then refresh once.

        With `budget_s`, stop after about that long and finish soon after, so a backlog never blocks
        input; a backlog beyond the ring's capacity is counted as dropped without being processed.
        """
        overflow = len(self._pending) - self.event_log.capacity
        if overflow > 0:
            del self._pending[:overflow]
            self.event_log.skip(overflow)
        if not self._pending and not self.view.scanning:
            return
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        log, view = self.event_log, self.view
        chunk_s = 0.0  # what the last chunk took: no new chunk starts unless one fits before the deadline
        while self._pending and (deadline is None or time.perf_counter() + chunk_s < deadline):
            started = time.perf_counter()
            batch = self._pending[:FLUSH_CHUNK]
            del self._pending[:FLUSH_CHUNK]
            records = log.extend_elided(batch)
            if log.dropped:
                view.drop_before(log.first_seq)
            if not view.scanning:  # a rebuild under way finds them itself
                view.add([r for r in records if r.seq >= log.first_seq])
            chunk_s = time.perf_counter() - started
        if view.scanning and (deadline is None or not chunk_s or time.perf_counter() < deadline):
            # within what is left of the budget, or (no events came) at least one chunk of the rebuild
            view.catch_up(log, None if deadline is None else deadline - time.perf_counter())
        self.rows.reload(self.follow)
        self._update_status()
        if self.follow and self.has_class("-detail"):
            self._show_detail()
        if (self._pending or view.scanning) and self._catch_up is None:
            self._catch_up = self.set_timer(CATCH_UP_DELAY_S, self._catch_up_tick)

    def _flush_tick(self) -> None:
        self.flush(FLUSH_BUDGET_S)

    def _catch_up_tick(self) -> None:
        self._catch_up = None
        self.flush(FLUSH_BUDGET_S)

    # ---- parts ----------------------------------------------------------------------------------------

    @property
    def rows(self) -> EventRows:
        return self.query_one(EventRows)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#inspector-filter", Input)

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        log = self.event_log
        parts = [f"{log.total:,} events", f"{len(self.view.rows):,} rows" + (" (filtering…)" if self.view.scanning else "")]
        if log.dropped:
            parts.append(f"{log.dropped:,} oldest dropped (keeping {log.capacity:,})")
        if self.recorder is not None:
            parts.append(f"● recording {self.recorder.path.name}")
        parts.append("following" if self.follow else "paused")
        status = self.query_one("#inspector-status", StatusLine)
        status.set_text(" · ".join(parts))
        status.set_class(bool(log.dropped), "-dropped")

    def selected_record(self) -> LogRecord | None:
        selected = self.rows.selected()
        return selected[1] if selected else None

    # ---- filtering ------------------------------------------------------------------------------------

    @on(Input.Changed, "#inspector-filter")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(self.filter_delay, self.apply_filter)

    @on(Input.Submitted, "#inspector-filter")
    def _filter_submitted(self) -> None:
        self.apply_filter()
        self.rows.focus()

    def apply_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self.view.reset(self.event_log, EventFilter.parse(self.filter_input.value), FLUSH_BUDGET_S)
        self.rows.expanded.clear()
        self.rows.reload(self.follow)
        self._update_status()
        if self.view.scanning and self._catch_up is None:  # a long ring: the next flushes carry on
            self._catch_up = self.set_timer(CATCH_UP_DELAY_S, self._catch_up_tick)

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_cycle_direction(self) -> None:
        words = [w for w in self.filter_input.value.split() if w not in ("dir:client", "dir:server", "↑", "↓")]
        current = self.view.filter.directions
        following = {frozenset(): "dir:client", frozenset({"client"}): "dir:server"}.get(current)
        self.filter_input.value = " ".join(([following] if following else []) + words)
        self.apply_filter()

    # ---- following and navigation ---------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            self.rows.reload(follow=True)
        self._update_status()

    @on(EventRows.CursorMoved)
    def _cursor_moved(self, message: EventRows.CursorMoved) -> None:
        if message.by_user and self.follow and self.rows.cursor < self.rows.line_count - 1:
            self.follow = False  # the user went looking: stay put
            self._update_status()
        if self.has_class("-detail"):
            self._show_detail()

    def action_toggle_expand(self) -> None:
        self.rows.toggle_expand()

    # ---- detail, copy, export -------------------------------------------------------------------------

    def action_toggle_detail(self) -> None:
        self.toggle_class("-detail")
        if self.has_class("-detail"):
            self._show_detail()

    def action_close(self) -> None:
        if self.has_class("-detail"):
            self.remove_class("-detail")
        elif self.filter_input.value:
            self.filter_input.value = ""
            self.apply_filter()

    def _show_detail(self) -> None:
        selected = self.rows.selected()
        body = self.query_one("#inspector-detail-body", Static)
        if selected is None:
            body.update("No event selected.")
            return
        row, record = selected
        if self._detail_seq == record.seq and not row.grouped:
            return
        self._detail_seq = record.seq
        body.update(detail_renderable(row, record))

    def action_copy_json(self) -> None:
        record = self.selected_record()
        if record is None:
            self.notify("No event selected.", severity="warning")
            return
        self.app.copy_to_clipboard(json.dumps(record.payload, indent=2, ensure_ascii=False))
        self.notify(f"Copied {record.type} as JSON (OSC 52).", timeout=3)

    def action_copy_code(self) -> None:
        record = self.selected_record()
        if record is None or record.direction != "client":
            self.notify("Copy as code works on client (↑) events.", severity="warning")
            return
        self.app.copy_to_clipboard(sdk_call_code(record.payload))
        self.notify(f"Copied the SDK call for {record.type} (OSC 52).", timeout=3)

    def action_export(self, filtered: bool) -> None:
        self.flush()  # everything received goes out, however long that takes
        event_filter = self.view.filter
        records = event_filter.select(self.event_log) if filtered else iter(self.event_log)
        suffix = "-filtered" if filtered and not event_filter.is_empty else ""
        path = stamped_path(self.export_dir or Path.cwd(), "rt-tui-events", f"{suffix}.jsonl")
        try:
            count = write_jsonl(path, (record_line(r) for r in records))
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error")
            return
        self.exported_path = path
        self.notify(f"Exported {count:,} events to {path}", timeout=6)
