"""Form values ⇄ `SessionConfig` fields: parsing text inputs, mapping validation errors to form fields."""

from __future__ import annotations

from typing import Any

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
TURN_DETECTION_TYPES = (("Server VAD", "server_vad"), ("Semantic VAD", "semantic_vad"), ("Off (push-to-talk)", "none"))
EAGERNESS = ("auto", "low", "medium", "high")
TRANSCRIPTION_MODELS = (("Off", ""), ("whisper-1", "whisper-1"), ("gpt-4o-transcribe", "gpt-4o-transcribe"),
                        ("gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe"))
NOISE_REDUCTION = (("Off", ""), ("Near field", "near_field"), ("Far field", "far_field"))
MODALITIES = (("Audio (+ transcript)", "audio"), ("Text only", "text"))

# Form input id → the SessionConfig path it edits (turn detection fields are nested).
TEXT_FIELDS = {
    "threshold": ("turn_detection", "threshold"),
    "prefix_padding_ms": ("turn_detection", "prefix_padding_ms"),
    "silence_duration_ms": ("turn_detection", "silence_duration_ms"),
    "idle_timeout_ms": ("turn_detection", "idle_timeout_ms"),
    "transcription_language": (None, "transcription_language"),
    "temperature": (None, "temperature"),
    "max_output_tokens": (None, "max_output_tokens"),
}


def parse_text_value(field: str, raw: str) -> Any:
    """Turn what was typed into the value the model validates; unparsable text goes through as is,
    so the model reports the reason ("Input should be a valid number…")."""
    text = raw.strip()
    if field in ("idle_timeout_ms", "temperature", "transcription_language") and text == "":
        return None
    if field == "max_output_tokens" and text.lower() in ("", "inf"):
        return "inf"
    if field == "transcription_language":
        return text
    try:
        return float(text) if field in ("threshold", "temperature") else int(text)
    except ValueError:
        return text


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def error_field(path: str) -> str:
    """The form field an error path like "turn_detection.threshold" belongs to."""
    last = path.replace("[", ".").split(".")[-1]
    if path.startswith("turn_detection") and last in ("type", "turn_detection"):
        return "turn_detection_type"
    return last
