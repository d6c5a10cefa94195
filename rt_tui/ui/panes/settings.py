"""The settings form: edits a `SessionConfig`, shows validation reasons inline, never emits invalid values."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select

from rt_tui.core.session import SessionConfig, describe_errors
from rt_tui.ui.panes.settings_form import (
    EAGERNESS, MODALITIES, NOISE_REDUCTION, TEXT_FIELDS, TRANSCRIPTION_MODELS, TURN_DETECTION_TYPES, VOICES,
    error_field, format_value, parse_text_value,
)

_SERVER_VAD_ONLY = ("threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms")
_VAD_ANY = ("create_response", "interrupt_response")


class SettingsPane(VerticalScroll):
    """Posts `SettingsPane.Submitted(config)` with a valid config when the user commits a change."""

    ALLOW_MAXIMIZE = True

    class Submitted(Message):
        def __init__(self, config: SessionConfig) -> None:
            super().__init__()
            self.config = config

    class ResetRequested(Message):
        """The user asked for the service's defaults."""

    def __init__(self, config: SessionConfig, model_label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Settings"
        self.base = config
        self._model_label = model_label
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield from self._field("Model / deployment", Label(self._model_label, id="model-label", markup=False), "model")
        yield from self._field("Voice", Select([(v, v) for v in VOICES], allow_blank=False, compact=True,
                                               id="voice", value=self.base.voice), "voice")
        yield Label("", id="voice-note", classes="field-note")
        yield from self._field("Output", Select(MODALITIES, allow_blank=False, compact=True, id="output_modalities",
                                                value=self.base.output_modalities), "output_modalities")
        td = self.base.turn_detection
        yield from self._field("Turn detection", Select(TURN_DETECTION_TYPES, allow_blank=False, compact=True,
                                                        id="turn_detection_type", value=td.type),
                               "turn_detection_type")
        yield from self._text_field("VAD threshold (0–1)", "threshold")
        yield from self._text_field("Prefix padding (ms)", "prefix_padding_ms")
        yield from self._text_field("Silence duration (ms)", "silence_duration_ms")
        yield from self._text_field("Idle timeout (ms, empty = off)", "idle_timeout_ms")
        yield from self._field("Eagerness", Select([(e, e) for e in EAGERNESS], allow_blank=False, compact=True,
                                                   id="eagerness", value=td.eagerness), "eagerness")
        yield Checkbox("Create response", td.create_response, id="create_response", compact=True)
        yield Checkbox("Interrupt response", td.interrupt_response, id="interrupt_response", compact=True)
        yield from self._field("Input transcription",
                               Select(TRANSCRIPTION_MODELS, allow_blank=False, compact=True, id="transcription_model",
                                      value=self.base.transcription_model or ""), "transcription_model")
        yield from self._text_field("Transcription language (e.g. en)", "transcription_language")
        yield from self._field("Noise reduction", Select(NOISE_REDUCTION, allow_blank=False, compact=True,
                                                         id="noise_reduction", value=self.base.noise_reduction or ""),
                               "noise_reduction")
        yield from self._text_field("Temperature (0.6–1.2, beta only)", "temperature")
        yield from self._text_field("Max output tokens (1–4096 or inf)", "max_output_tokens")
        yield Label("", id="form-error", classes="field-error", markup=False)
        yield Button("Reset to defaults", id="reset-settings", compact=True)

    def _field(self, title: str, control: Any, name: str) -> ComposeResult:
        with Vertical(classes="field", id=f"field-{name}"):
            yield Label(title, classes="field-title")
            yield control
            yield Label("", id=f"error-{name}", classes="field-error", markup=False)

    def _text_field(self, title: str, name: str) -> ComposeResult:
        value = format_value(self._base_value(name))
        placeholder = {"idle_timeout_ms": "off", "transcription_language": "auto",
                       "max_output_tokens": "inf"}.get(name, "")
        yield from self._field(title, Input(value, id=name, compact=True, select_on_focus=False,
                                            placeholder=placeholder), name)

    def _base_value(self, name: str) -> Any:
        group, attr = TEXT_FIELDS[name]
        source = self.base.turn_detection if group else self.base
        return getattr(source, attr)

    def on_mount(self) -> None:
        self._show_type_fields()
        for error_label in self.query(".field-error"):
            error_label.display = False
        self.query_one("#voice-note").display = False

    # ---- reading the form -------------------------------------------------------------------------------

    def read_config(self) -> tuple[SessionConfig | None, dict[str, str]]:
        """The config the form describes (on top of `base`), or None and the reasons per field."""
        td_type = self.query_one("#turn_detection_type", Select).value
        turn_detection = self.base.turn_detection.model_dump()
        turn_detection["type"] = td_type
        visible = set(self._visible_vad_fields(str(td_type)))
        for name in ("threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"):
            if name in visible:
                turn_detection[name] = parse_text_value(name, self.query_one(f"#{name}", Input).value)
        if "eagerness" in visible:
            turn_detection["eagerness"] = self.query_one("#eagerness", Select).value
        for name in _VAD_ANY:
            if name in visible:
                turn_detection[name] = self.query_one(f"#{name}", Checkbox).value
        values = self.base.model_dump()
        values.update(
            voice=self.query_one("#voice", Select).value,
            output_modalities=self.query_one("#output_modalities", Select).value,
            turn_detection=turn_detection,
            transcription_model=self.query_one("#transcription_model", Select).value or None,
            transcription_language=parse_text_value(
                "transcription_language", self.query_one("#transcription_language", Input).value) or None,
            noise_reduction=self.query_one("#noise_reduction", Select).value or None,
            max_output_tokens=parse_text_value("max_output_tokens", self.query_one("#max_output_tokens", Input).value),
        )
        temperature = self.query_one("#temperature", Input)
        if not temperature.disabled:
            values["temperature"] = parse_text_value("temperature", temperature.value)
        try:
            return SessionConfig.model_validate(values), {}
        except ValidationError as exc:
            return None, {error_field(path): reason for path, reason in describe_errors(exc).items()}

    def validate_form(self) -> SessionConfig | None:
        config, errors = self.read_config()
        self._show_errors(errors)
        return config

    def submit(self) -> None:
        config = self.validate_form()
        if config is not None:
            self.post_message(self.Submitted(config))

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        unplaced = []
        for name, reason in errors.items():
            if not self.query(f"#error-{name}"):
                unplaced.append(f"{name}: {reason}")
        for label in self.query(".field-error").results(Label):
            name = (label.id or "").removeprefix("error-")
            text = "\n".join(unplaced) if label.id == "form-error" else errors.get(name, "")
            label.update(f"✗ {text}" if text else "")
            label.display = bool(text)

    # ---- events from the controls ----------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.validate_form()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self.submit()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "turn_detection_type":
            self._show_type_fields()
        self.submit()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "reset-settings":
            event.stop()
            self.post_message(self.ResetRequested())

    # ---- reflecting the server / app state ----------------------------------------------------------------

    def reflect(self, config: SessionConfig) -> None:
        """Show `config` (the server's, after session.updated) in every control.

        Programmatic changes post no Changed messages (`prevent`), so reflecting never sends anything.
        """
        self.base = config
        td = config.turn_detection
        with self.prevent(Select.Changed, Checkbox.Changed, Input.Changed):
            if config.voice in VOICES:
                self.query_one("#voice", Select).value = config.voice
            self.query_one("#output_modalities", Select).value = config.output_modalities
            self.query_one("#turn_detection_type", Select).value = td.type
            self.query_one("#eagerness", Select).value = td.eagerness
            self.query_one("#create_response", Checkbox).value = td.create_response
            self.query_one("#interrupt_response", Checkbox).value = td.interrupt_response
            self.query_one("#transcription_model", Select).value = config.transcription_model or ""
            self.query_one("#noise_reduction", Select).value = config.noise_reduction or ""
            for name in TEXT_FIELDS:
                if name == "temperature" and self.query_one("#temperature", Input).disabled:
                    continue
                self.query_one(f"#{name}", Input).value = format_value(self._base_value(name))
        self._show_type_fields()
        self._show_errors({})

    def set_voice_locked(self, locked: bool) -> None:
        self.query_one("#voice", Select).disabled = locked
        note = self.query_one("#voice-note", Label)
        note.update("Locked: the service refuses voice changes once the assistant has spoken." if locked else "")
        note.display = locked

    def set_dialect(self, dialect: str) -> None:
        temperature = self.query_one("#temperature", Input)
        temperature.disabled = dialect != "beta"
        if temperature.disabled:
            with self.prevent(Input.Changed):
                temperature.value = ""
            temperature.placeholder = "not in the GA API"

    def _visible_vad_fields(self, td_type: str) -> tuple[str, ...]:
        if td_type == "server_vad":
            return _SERVER_VAD_ONLY + _VAD_ANY
        if td_type == "semantic_vad":
            return ("eagerness",) + _VAD_ANY
        return ()

    def _show_type_fields(self) -> None:
        visible = set(self._visible_vad_fields(str(self.query_one("#turn_detection_type", Select).value)))
        for name in _SERVER_VAD_ONLY + ("eagerness",):
            self.query_one(f"#field-{name}").display = name in visible
        for name in _VAD_ANY:
            self.query_one(f"#{name}").display = name in visible
