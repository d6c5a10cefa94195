"""The dialect edge: beta (preview) wire events ⇄ the GA names and shapes everything else uses.

Server events go through `normalize_server_event` as soon as they are received; client events go
through `render_client_event` just before they are sent. GA traffic passes through untouched (the same
dict objects). Nothing here raises on unexpected input: unknown types and odd shapes pass through.
See the protocol brief §2.1–2.2.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

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
    audio = _flat_to_ga(session, _SESSION_FIELDS, ga)
    if audio:
        ga["audio"] = {"input": audio.get("input", {}), "output": audio.get("output", {})}
    return ga


def beta_transcription_session_to_ga(session: dict[str, Any]) -> dict[str, Any]:
    ga: dict[str, Any] = {"type": "transcription"}
    kept = {key: value for key, value in session.items() if key != "modalities"}
    ga["audio"] = {"input": _flat_to_ga(kept, _INPUT_FIELDS, ga).get("input", {})}
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
    plain = ("instructions", "tools", "tracing", "include", "model", "temperature")
    return _nested_to_beta(session, _SESSION_FIELDS, plain)


def ga_transcription_to_beta(session: dict[str, Any]) -> dict[str, Any]:
    return _nested_to_beta(session, _INPUT_FIELDS, ("include",))


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


def _same(value: Any) -> Any:
    return value


# Beta session key → where a GA session keeps it (None: top level; "input"/"output": under `audio`), its GA
# name, and the value's conversion to GA and to beta. One table for both directions; see §2.2 of the brief.
_SESSION_FIELDS: dict[str, tuple[str | None, str, Callable[[Any], Any], Callable[[Any], Any]]] = {
    "modalities": (None, "output_modalities", _ga_modalities, _beta_modalities),
    "max_response_output_tokens": (None, "max_output_tokens", _same, _same),
    "tool_choice": (None, "tool_choice", _ga_tool_choice, _beta_tool_choice),
    "input_audio_format": ("input", "format", _ga_format, _beta_format),
    "input_audio_transcription": ("input", "transcription", _same, _same),
    "input_audio_noise_reduction": ("input", "noise_reduction", _same, _same),
    "turn_detection": ("input", "turn_detection", _same, _beta_turn_detection),
    "output_audio_format": ("output", "format", _ga_format, _beta_format),
    "voice": ("output", "voice", _same, _same),
    "speed": ("output", "speed", _same, _same),
}
_INPUT_FIELDS = {key: field for key, field in _SESSION_FIELDS.items() if field[0] == "input"}  # transcription


def _flat_to_ga(flat: dict[str, Any], fields: dict[str, Any], ga: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Put the flat beta keys into `ga` (unknown ones as they are); return the `audio` sides found."""
    audio: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        if key in _NEVER_KEPT:
            continue
        if key not in fields:
            ga[key] = value
            continue
        side, name, to_ga, _ = fields[key]
        (ga if side is None else audio.setdefault(side, {}))[name] = to_ga(value)
    return audio


def _nested_to_beta(session: dict[str, Any], fields: dict[str, Any], plain: tuple[str, ...]) -> dict[str, Any]:
    """The `plain` top-level keys as they are, then every table field the GA session has."""
    beta = {key: session[key] for key in plain if key in session}
    audio = session.get("audio") or {}
    for key, (side, name, _, to_beta) in fields.items():
        where = session if side is None else audio.get(side) or {}
        if name in where:
            beta[key] = to_beta(where[name])
    return beta
