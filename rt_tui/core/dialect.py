"""The dialect edge: beta (preview) wire events ⇄ the GA names and shapes everything else uses.

Server events go through `normalize_server_event` as soon as they are received; client events go
through `render_client_event` just before they are sent. GA traffic passes through untouched (the same
dict objects). Nothing here raises on unexpected input: unknown types and odd shapes pass through.
See the protocol brief §2.1–2.2.
"""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["ga", "beta"]

BETA_TO_GA_TYPES: dict[str, str] = {
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "transcription_session.updated": "session.updated",
}
GA_TO_BETA_TYPES: dict[str, str] = {ga: beta for beta, ga in BETA_TO_GA_TYPES.items()}

_BETA_TO_GA_FORMAT: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}
_GA_TO_BETA_FORMAT = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
_BETA_TO_GA_CONTENT = {"text": "output_text", "audio": "output_audio"}
_GA_TO_BETA_CONTENT = {ga: beta for beta, ga in _BETA_TO_GA_CONTENT.items()}
_NAMED_TOOL_CHOICES = ("auto", "none", "required")
_GA_ONLY_RESPONSE_KEYS = ("prompt", "reasoning", "parallel_tool_calls")
_NEVER_KEPT = ("client_secret",)  # a secret has no business in events, logs or screens


# ---------------------------------------------------------------------------------------- server


def normalize_server_event(raw: dict[str, Any], dialect: Dialect) -> list[dict[str, Any]]:
    """One received server event → the GA-shaped event(s) it stands for."""
    if dialect != "beta" or not isinstance(raw, dict):
        return [raw]
    wire_type = raw.get("type")
    try:
        if wire_type == "conversation.item.created":
            return _item_created(raw)
        if wire_type in ("session.created", "session.updated"):
            return [{**raw, "session": beta_session_to_ga(raw.get("session") or {})}]
        if wire_type == "transcription_session.updated":
            session = beta_transcription_session_to_ga(raw.get("session") or {})
            return [{**raw, "type": "session.updated", "session": session}]
        if wire_type in ("response.created", "response.done"):
            return [{**raw, "response": beta_response_to_ga(raw.get("response") or {})}]
        if wire_type in ("response.output_item.added", "response.output_item.done", "conversation.item.retrieved"):
            return [{**raw, "item": beta_item_to_ga(raw.get("item") or {})}]
        if wire_type in BETA_TO_GA_TYPES:
            return [{**raw, "type": BETA_TO_GA_TYPES[wire_type]}]
    except (AttributeError, TypeError, KeyError):
        return [raw]  # malformed beyond repair: let the inspector show it as it came
    return [raw]


def _item_created(raw: dict[str, Any]) -> list[dict[str, Any]]:
    item = beta_item_to_ga(raw.get("item") or {})
    added = {**raw, "type": "conversation.item.added", "item": item}
    if item.get("status") != "completed":
        return [added]
    done = {**added, "type": "conversation.item.done"}
    if "event_id" in raw:
        done["event_id"] = f"{raw['event_id']}.done"  # GA sends two events with two ids
    return [added, done]


def beta_item_to_ga(item: dict[str, Any]) -> dict[str, Any]:
    ga = {**item, "object": item.get("object", "realtime.item")}
    content = item.get("content")
    if item.get("role") == "assistant" and isinstance(content, list):
        ga["content"] = [_rename_part(part, _BETA_TO_GA_CONTENT) for part in content]
    return ga


def beta_session_to_ga(session: dict[str, Any]) -> dict[str, Any]:
    """A flat beta session object → the nested GA one. Beta's `temperature` is kept as an extra key."""
    ga: dict[str, Any] = {"type": "realtime"}
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    for key, value in session.items():
        if key in _NEVER_KEPT:
            continue
        if key == "modalities":
            ga["output_modalities"] = _ga_modalities(value)
        elif key == "max_response_output_tokens":
            ga["max_output_tokens"] = value
        elif key == "input_audio_format":
            audio_in["format"] = _ga_format(value)
        elif key == "output_audio_format":
            audio_out["format"] = _ga_format(value)
        elif key == "input_audio_transcription":
            audio_in["transcription"] = value
        elif key == "input_audio_noise_reduction":
            audio_in["noise_reduction"] = value
        elif key == "turn_detection":
            audio_in["turn_detection"] = value
        elif key in ("voice", "speed"):
            audio_out[key] = value
        elif key == "tool_choice":
            ga["tool_choice"] = _ga_tool_choice(value)
        else:
            ga[key] = value
    if audio_in or audio_out:
        ga["audio"] = {"input": audio_in, "output": audio_out}
    return ga


def beta_transcription_session_to_ga(session: dict[str, Any]) -> dict[str, Any]:
    ga: dict[str, Any] = {"type": "transcription"}
    audio_in: dict[str, Any] = {}
    for key, value in session.items():
        if key in _NEVER_KEPT or key == "modalities":
            continue
        if key == "input_audio_format":
            audio_in["format"] = _ga_format(value)
        elif key == "input_audio_transcription":
            audio_in["transcription"] = value
        elif key == "input_audio_noise_reduction":
            audio_in["noise_reduction"] = value
        elif key == "turn_detection":
            audio_in["turn_detection"] = value
        else:
            ga[key] = value
    ga["audio"] = {"input": audio_in}
    return ga


def beta_response_to_ga(response: dict[str, Any]) -> dict[str, Any]:
    ga: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    for key, value in response.items():
        if key == "modalities":
            ga["output_modalities"] = _ga_modalities(value)
        elif key == "voice":
            audio_out["voice"] = value
        elif key == "output_audio_format":
            audio_out["format"] = _ga_format(value)
        elif key == "output" and isinstance(value, list):
            ga["output"] = [beta_item_to_ga(item) if isinstance(item, dict) else item for item in value]
        else:
            ga[key] = value  # temperature stays as an extra key, like in sessions
    if audio_out:
        ga["audio"] = {"output": audio_out}
    return ga


# ---------------------------------------------------------------------------------------- client


def render_client_event(event: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """A GA-shaped client event → the wire shape of `dialect` (GA: the same dict)."""
    if dialect != "beta" or not isinstance(event, dict):
        return event
    kind = event.get("type")
    try:
        if kind == "session.update":
            session = event.get("session") or {}
            if session.get("type") == "transcription":
                return {**event, "type": "transcription_session.update", "session": ga_transcription_to_beta(session)}
            return {**event, "session": ga_session_to_beta(session)}
        if kind == "response.create" and isinstance(event.get("response"), dict):
            return {**event, "response": ga_response_params_to_beta(event["response"])}
        if kind == "conversation.item.create" and isinstance(event.get("item"), dict):
            return {**event, "item": ga_item_to_beta(event["item"])}
    except (AttributeError, TypeError, KeyError):
        return event
    return event


def ga_item_to_beta(item: dict[str, Any]) -> dict[str, Any]:
    beta = {key: value for key, value in item.items() if key != "object"}
    content = item.get("content")
    if item.get("role") == "assistant" and isinstance(content, list):
        beta["content"] = [_rename_part(part, _GA_TO_BETA_CONTENT) for part in content]
    return beta


def ga_session_to_beta(session: dict[str, Any]) -> dict[str, Any]:
    """A GA realtime session (request shape) → beta flat fields; GA-only settings are dropped."""
    beta: dict[str, Any] = {}
    for key in ("instructions", "tools", "tracing", "include", "model", "temperature"):
        if key in session:
            beta[key] = session[key]
    if "output_modalities" in session:
        beta["modalities"] = _beta_modalities(session["output_modalities"])
    if "max_output_tokens" in session:
        beta["max_response_output_tokens"] = session["max_output_tokens"]
    if "tool_choice" in session:
        beta["tool_choice"] = _beta_tool_choice(session["tool_choice"])
    audio = session.get("audio") or {}
    audio_in = audio.get("input") or {}
    audio_out = audio.get("output") or {}
    if "format" in audio_in:
        beta["input_audio_format"] = _beta_format(audio_in["format"])
    if "format" in audio_out:
        beta["output_audio_format"] = _beta_format(audio_out["format"])
    for key in ("voice", "speed"):
        if key in audio_out:
            beta[key] = audio_out[key]
    if "turn_detection" in audio_in:
        beta["turn_detection"] = _beta_turn_detection(audio_in["turn_detection"])
    if "transcription" in audio_in:
        beta["input_audio_transcription"] = audio_in["transcription"]
    if "noise_reduction" in audio_in:
        beta["input_audio_noise_reduction"] = audio_in["noise_reduction"]
    return beta


def ga_transcription_to_beta(session: dict[str, Any]) -> dict[str, Any]:
    audio_in = (session.get("audio") or {}).get("input") or {}
    beta: dict[str, Any] = {}
    if "include" in session:
        beta["include"] = session["include"]
    if "format" in audio_in:
        beta["input_audio_format"] = _beta_format(audio_in["format"])
    if "transcription" in audio_in:
        beta["input_audio_transcription"] = audio_in["transcription"]
    if "noise_reduction" in audio_in:
        beta["input_audio_noise_reduction"] = audio_in["noise_reduction"]
    if "turn_detection" in audio_in:
        beta["turn_detection"] = _beta_turn_detection(audio_in["turn_detection"])
    return beta


def ga_response_params_to_beta(response: dict[str, Any]) -> dict[str, Any]:
    beta: dict[str, Any] = {}
    for key, value in response.items():
        if key in _GA_ONLY_RESPONSE_KEYS:
            continue
        if key == "output_modalities":
            beta["modalities"] = _beta_modalities(value)
        elif key == "max_output_tokens":
            beta["max_response_output_tokens"] = value
        elif key == "tool_choice":
            beta["tool_choice"] = _beta_tool_choice(value)
        elif key == "audio":
            output = (value or {}).get("output") or {}
            if "voice" in output:
                beta["voice"] = output["voice"]
            if "format" in output:
                beta["output_audio_format"] = _beta_format(output["format"])
        elif key == "input" and isinstance(value, list):
            beta["input"] = [ga_item_to_beta(item) if isinstance(item, dict) else item for item in value]
        else:
            beta[key] = value
    return beta


# ---------------------------------------------------------------------------------------- helpers


def _rename_part(part: Any, names: dict[str, str]) -> Any:
    if isinstance(part, dict) and part.get("type") in names:
        return {**part, "type": names[part["type"]]}
    return part


def _ga_modalities(modalities: Any) -> Any:
    if isinstance(modalities, list):
        return ["audio"] if "audio" in modalities else ["text"]
    return modalities


def _beta_modalities(modalities: Any) -> Any:
    if isinstance(modalities, list):
        return ["audio", "text"] if "audio" in modalities else ["text"]
    return modalities


def _ga_format(value: Any) -> Any:
    return dict(_BETA_TO_GA_FORMAT[value]) if value in _BETA_TO_GA_FORMAT else value


def _beta_format(value: Any) -> Any:
    if isinstance(value, dict):
        return _GA_TO_BETA_FORMAT.get(value.get("type"), value)
    return value


def _ga_tool_choice(value: Any) -> Any:
    if isinstance(value, str) and value not in _NAMED_TOOL_CHOICES:
        return {"type": "function", "name": value}
    return value


def _beta_tool_choice(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") == "function" and "name" in value:
        return value["name"]
    return value


def _beta_turn_detection(value: Any) -> Any:
    if isinstance(value, dict) and "idle_timeout_ms" in value:
        return {key: item for key, item in value.items() if key != "idle_timeout_ms"}
    return value
