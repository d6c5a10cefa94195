"""Wire-level helpers shared by the emulator: ids, the service's defaults, error events, and the
GA → beta rendering of server events (the emulator thinks in GA shapes and renders at the edge)."""

from __future__ import annotations

import base64
import copy
import json
import random
import time
from typing import Any

import orjson

_NO_SYMBOLS = bytes.maketrans(b"+/", b"Az")
_id_random = random.Random()

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
TRANSCRIPTION_MODELS = (
    "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize", "gpt-transcribe", "gpt-live-transcribe", "gpt-realtime-whisper",
)
GA_CLIENT_TYPES = (
    "session.update", "session.close", "input_audio_buffer.append", "session.input_audio_buffer.append",
    "input_audio_buffer.clear", "input_audio_buffer.commit", "conversation.item.create",
    "conversation.item.retrieve", "conversation.item.truncate", "conversation.item.delete",
    "response.create", "response.cancel",
)
BETA_CLIENT_TYPES = (
    "session.update", "transcription_session.update", "input_audio_buffer.append", "input_audio_buffer.clear",
    "input_audio_buffer.commit", "conversation.item.create", "conversation.item.retrieve",
    "conversation.item.truncate", "conversation.item.delete", "response.create", "response.cancel",
)
PCM_BYTES_PER_MS = 48  # pcm16 mono 24 kHz


def _random_alphanumeric(length: int) -> str:
    """Base64 of random bytes with its two symbols swapped for letters: 5× faster than choosing characters
    one by one, and ids and paddings are made for every event."""
    return base64.b64encode(_id_random.randbytes(16))[:length].translate(_NO_SYMBOLS).decode()


def new_id(prefix: str) -> str:
    return prefix + _random_alphanumeric(21)


def obfuscation() -> str:
    """Padding the GA service adds to text deltas so their sizes do not leak the text."""
    return _random_alphanumeric(_id_random.randint(4, 12))


def encode_frame(event: dict[str, Any]) -> bytes:
    """An event as the UTF-8 JSON text of one WebSocket frame.

    orjson is ~30× faster than `json.dumps` on audio deltas (16 kB of base64 each); it refuses a few
    things `json` takes (integers beyond 64 bits in client-supplied metadata or schemas), which then
    go through `json`.
    """
    try:
        return orjson.dumps(event)
    except orjson.JSONEncodeError:
        return json.dumps(event).encode()


def default_voice(model: str) -> str:
    return "alloy" if "mini" in model else "marin"


def default_turn_detection() -> dict[str, Any]:
    return {
        "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200,
        "idle_timeout_ms": None, "create_response": True, "interrupt_response": True,
    }


def pcm_format() -> dict[str, Any]:
    return {"type": "audio/pcm", "rate": 24000}


def default_session(model: str, voice: str, expires_in_s: float) -> dict[str, Any]:
    """The GA session the service reports in `session.created` (protocol brief §4 Connect)."""
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": new_id("sess_"),
        "model": model,
        "output_modalities": ["audio"],
        "instructions": "",
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": int(time.time() + expires_in_s),
        "audio": {
            "input": {
                "format": pcm_format(),
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": default_turn_detection(),
            },
            "output": {"format": pcm_format(), "voice": voice, "speed": 1.0},
        },
        "include": None,
    }


def error_event(code: str | None, message: str, param: str | None = None, event_id: str | None = None,
                kind: str = "invalid_request_error") -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": kind, "code": code, "message": message, "param": param, "event_id": event_id},
    }


class ProtocolError(Exception):
    """A client mistake the service answers with an `error` event (the session survives)."""

    def __init__(self, code: str | None, message: str, param: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.code, self.message, self.param, self.kind = code, message, param, kind

    def event(self, client_event_id: str | None) -> dict[str, Any]:
        return error_event(self.code, self.message, self.param, client_event_id, self.kind)


# --- GA → beta rendering -------------------------------------------------------------------------

_BETA_TYPES = {
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "conversation.item.added": "conversation.item.created",
}
_GA_ONLY = {"conversation.item.done", "input_audio_buffer.timeout_triggered"}
_BETA_FORMATS = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
GA_FORMATS = {v: k for k, v in _BETA_FORMATS.items()}


def beta_format(fmt: dict[str, Any] | None) -> str:
    return _BETA_FORMATS.get((fmt or {}).get("type", "audio/pcm"), "pcm16")


def beta_modalities(output_modalities: list[str]) -> list[str]:
    return ["text"] if output_modalities == ["text"] else ["audio", "text"]


def to_beta_session(session: dict[str, Any], temperature: float) -> dict[str, Any]:
    audio_in = session["audio"]["input"]
    audio_out = session["audio"]["output"]
    turn = copy.deepcopy(audio_in["turn_detection"])
    if turn is not None:
        turn.pop("idle_timeout_ms", None)
    beta = {
        "id": session["id"], "object": "realtime.session", "model": session["model"],
        "expires_at": session["expires_at"],
        "modalities": beta_modalities(session["output_modalities"]),
        "instructions": session["instructions"], "voice": audio_out["voice"],
        "input_audio_format": beta_format(audio_in["format"]),
        "output_audio_format": beta_format(audio_out["format"]),
        "input_audio_transcription": audio_in["transcription"], "turn_detection": turn,
        "input_audio_noise_reduction": audio_in["noise_reduction"], "speed": audio_out["speed"],
        "tools": session["tools"], "tool_choice": beta_tool_choice(session["tool_choice"]), "temperature": temperature,
        "max_response_output_tokens": session["max_output_tokens"], "tracing": session["tracing"],
    }
    return beta


def _beta_item(item: dict[str, Any]) -> dict[str, Any]:
    item = copy.deepcopy(item)
    for part in item.get("content") or []:
        if part.get("type") == "output_text":
            part["type"] = "text"
        elif part.get("type") == "output_audio":
            part["type"] = "audio"
    return item


def _beta_response(response: dict[str, Any], temperature: float) -> dict[str, Any]:
    response = copy.deepcopy(response)
    response["modalities"] = beta_modalities(response.pop("output_modalities", ["audio"]))
    audio = response.pop("audio", None) or {}
    output = audio.get("output", {})
    response["voice"] = output.get("voice", "alloy")
    response["output_audio_format"] = beta_format(output.get("format"))
    response["temperature"] = temperature
    response["output"] = [_beta_item(item) for item in response.get("output", [])]
    details = (response.get("usage") or {}).get("input_token_details")
    if details:
        details.pop("image_tokens", None)
        details.pop("cached_tokens_details", None)
    return response


def to_beta(event: dict[str, Any], temperature: float = 0.8) -> dict[str, Any] | None:
    """Render one GA-shaped server event in the beta dialect; None when beta has no such event."""
    kind = event["type"]
    if kind in _GA_ONLY:
        return None
    event = copy.copy(event)
    event["type"] = _BETA_TYPES.get(kind, kind)
    event.pop("obfuscation", None)
    if kind == "response.function_call_arguments.done":
        event.pop("name", None)
    if kind in ("session.created", "session.updated"):
        event["session"] = to_beta_session(event["session"], temperature)
    if "item" in event:
        event["item"] = _beta_item(event["item"])
    if "response" in event:
        event["response"] = _beta_response(event["response"], temperature)
    return event


def beta_tool_choice(choice: Any) -> str:
    """GA `{type: function, name}` → the beta string form (the function's name)."""
    return choice.get("name", "auto") if isinstance(choice, dict) else choice
