"""`session.update` for the emulator: translate the beta flat shape, validate like the service, merge.

Any error rejects the whole update (no `session.updated`), as the service does.
"""

from __future__ import annotations

import copy
from typing import Any

from .protocol import GA_FORMATS, TRANSCRIPTION_MODELS, VOICES, ProtocolError

LEAF = None
_TURN = {k: LEAF for k in ("type", "threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms",
                           "create_response", "interrupt_response", "eagerness")}
_FORMAT = {"type": LEAF, "rate": LEAF}
GA_SCHEMA: dict[str, Any] = {
    "type": LEAF, "model": LEAF, "instructions": LEAF, "output_modalities": LEAF, "tools": LEAF,
    "tool_choice": LEAF, "max_output_tokens": LEAF, "tracing": LEAF, "truncation": LEAF, "include": LEAF,
    "prompt": LEAF, "reasoning": LEAF, "parallel_tool_calls": LEAF,
    "audio": {
        "input": {
            "format": _FORMAT, "turn_detection": _TURN, "noise_reduction": {"type": LEAF, "strength": LEAF},
            "transcription": {"model": LEAF, "language": LEAF, "prompt": LEAF},
        },
        "output": {"format": _FORMAT, "voice": LEAF, "speed": LEAF},
    },
}
BETA_KEYS = {
    "modalities", "instructions", "voice", "input_audio_format", "output_audio_format", "input_audio_transcription",
    "turn_detection", "tools", "tool_choice", "temperature", "max_response_output_tokens",
    "input_audio_noise_reduction", "speed", "tracing", "model", "include",
}
_NULLABLE = {"turn_detection", "transcription", "noise_reduction", "tracing", "prompt", "include", "reasoning"}
_NOT_STORED = {"parallel_tool_calls", "model", "type"}  # accepted, but not part of the reported session


def _unknown(path: str) -> ProtocolError:
    return ProtocolError("unknown_parameter", f"Unknown parameter: '{path}'.", path)


def _check_keys(value: Any, schema: dict[str, Any], path: str) -> None:
    if not isinstance(value, dict):
        return
    for key, sub in value.items():
        if key not in schema:
            raise _unknown(f"{path}.{key}")
        if schema[key] is not LEAF:
            _check_keys(sub, schema[key], f"{path}.{key}")


def _range(value: Any, lo: float | None, hi: float | None, param: str, integer: bool) -> None:
    kind = "integer" if integer else "decimal"
    wanted = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        expected = "an integer" if integer else "a decimal"
        raise ProtocolError("invalid_type", f"Invalid type for '{param}': expected {expected}, but got "
                                            f"{type(value).__name__} instead.", param)
    if lo is not None and value < lo:
        raise ProtocolError(f"{kind}_below_min_value", f"Invalid '{param}': {kind} below minimum value. "
                            f"Expected a value >= {lo}, but got {value} instead.", param)
    if hi is not None and value > hi:
        raise ProtocolError(f"{kind}_above_max_value", f"Invalid '{param}': {kind} above maximum value. "
                            f"Expected a value <= {hi}, but got {value} instead.", param)


def _choice(value: Any, allowed: tuple[Any, ...], param: str) -> None:
    if value not in allowed:
        listed = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'" if len(allowed) > 1 else f"'{allowed[0]}'"
        raise ProtocolError("invalid_value", f"Invalid value: '{value}'. Supported values are: {listed}.", param)


def _check_format(fmt: Any, param: str) -> None:
    if not isinstance(fmt, dict):
        raise ProtocolError("invalid_type", f"Invalid type for '{param}': expected an object.", param)
    _choice(fmt.get("type"), ("audio/pcm", "audio/pcmu", "audio/pcma"), f"{param}.type")
    if fmt.get("type") == "audio/pcm" and "rate" in fmt:
        _range(fmt["rate"], 24000, 24000, f"{param}.rate", integer=True)


def _check_turn(turn: Any, param: str) -> None:
    if turn is None:
        return
    _choice(turn.get("type"), ("server_vad", "semantic_vad"), f"{param}.type")
    if "threshold" in turn:
        _range(turn["threshold"], 0.0, 1.0, f"{param}.threshold", integer=False)
    for key, hi in (("prefix_padding_ms", 5000), ("silence_duration_ms", 10000)):
        if key in turn:
            _range(turn[key], 0, hi, f"{param}.{key}", integer=True)
    if turn.get("idle_timeout_ms") is not None:
        if turn.get("type") != "server_vad":
            raise _unknown(f"{param}.idle_timeout_ms")
        _range(turn["idle_timeout_ms"], 5000, 30000, f"{param}.idle_timeout_ms", integer=True)
    if "eagerness" in turn:
        if turn.get("type") != "semantic_vad":
            raise _unknown(f"{param}.eagerness")
        _choice(turn["eagerness"], ("low", "medium", "high", "auto"), f"{param}.eagerness")
    for key in ("create_response", "interrupt_response"):
        if key in turn and not isinstance(turn[key], bool):
            raise ProtocolError("invalid_type", f"Invalid type for '{param}.{key}': expected a boolean.", f"{param}.{key}")


def _check_values(update: dict[str, Any], path: str) -> None:
    audio = update.get("audio") or {}
    audio_in, audio_out = audio.get("input") or {}, audio.get("output") or {}
    if "instructions" in update and not isinstance(update["instructions"], str):
        raise ProtocolError("invalid_type", f"Invalid type for '{path}.instructions': expected a string.",
                            f"{path}.instructions")
    if "output_modalities" in update and update["output_modalities"] not in (["audio"], ["text"]):
        raise ProtocolError("invalid_value", f"Invalid modalities: {update['output_modalities']}. "
                            "Supported combinations are: ['text'] and ['audio'].", f"{path}.output_modalities")
    if "max_output_tokens" in update and update["max_output_tokens"] != "inf":
        _range(update["max_output_tokens"], 1, 4096, f"{path}.max_output_tokens", integer=True)
    if "tool_choice" in update:
        choice = update["tool_choice"]
        if not (choice in ("auto", "none", "required") or isinstance(choice, dict) and choice.get("type") == "function"):
            _choice(choice, ("auto", "none", "required"), f"{path}.tool_choice")
    for index, tool in enumerate(update.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") != "function" or not tool.get("name"):
            raise ProtocolError("invalid_value", f"Invalid value for '{path}.tools[{index}]': a function tool "
                                "needs type 'function' and a name.", f"{path}.tools[{index}]")
    for side, block in (("input", audio_in), ("output", audio_out)):
        if "format" in block:
            _check_format(block["format"], f"{path}.audio.{side}.format")
    if "turn_detection" in audio_in:
        _check_turn(audio_in["turn_detection"], f"{path}.audio.input.turn_detection")
    transcription = audio_in.get("transcription")
    if transcription is not None and "model" in transcription:
        _choice(transcription["model"], TRANSCRIPTION_MODELS, f"{path}.audio.input.transcription.model")
    noise = audio_in.get("noise_reduction")
    if noise is not None:
        _choice(noise.get("type"), ("near_field", "far_field"), f"{path}.audio.input.noise_reduction.type")
    if "voice" in audio_out:
        voice = audio_out["voice"]
        if not (isinstance(voice, dict) and str(voice.get("id", "")).startswith("voice_")):
            _choice(voice, VOICES, f"{path}.audio.output.voice")
    if "speed" in audio_out:
        _range(audio_out["speed"], 0.25, 1.5, f"{path}.audio.output.speed", integer=False)


def beta_to_ga(update: dict[str, Any]) -> tuple[dict[str, Any], float | None]:
    """A beta flat session update → (GA nested partial update, temperature or None)."""
    for key in update:
        if key not in BETA_KEYS:
            raise _unknown(f"session.{key}")
    ga: dict[str, Any] = {}
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    for key in ("instructions", "tools", "tool_choice", "tracing", "model", "include"):
        if key in update:
            ga[key] = update[key]
    choice = update.get("tool_choice")
    if isinstance(choice, str) and choice not in ("auto", "none", "required"):
        # The beta SDK types tool_choice as a string: a forced function is named by that string.
        ga["tool_choice"] = {"type": "function", "name": choice}
    if "modalities" in update:
        modalities = update["modalities"]
        if not isinstance(modalities, list) or sorted(modalities) not in (["text"], ["audio", "text"]):
            raise ProtocolError("invalid_value", f"Invalid modalities: {modalities}. Supported combinations are: "
                                "['text'] and ['audio', 'text'].", "session.modalities")
        ga["output_modalities"] = ["text"] if modalities == ["text"] else ["audio"]
    for key, block in (("input_audio_format", audio_in), ("output_audio_format", audio_out)):
        if key in update:
            if update[key] not in GA_FORMATS:
                _choice(update[key], tuple(GA_FORMATS), f"session.{key}")
            block["format"] = {"type": GA_FORMATS[update[key]]}
            if update[key] == "pcm16":
                block["format"]["rate"] = 24000
    for beta_key, ga_key in (("turn_detection", "turn_detection"), ("input_audio_transcription", "transcription"),
                             ("input_audio_noise_reduction", "noise_reduction")):
        if beta_key in update:
            audio_in[ga_key] = update[beta_key]
    for key in ("voice", "speed"):
        if key in update:
            audio_out[key] = update[key]
    if "max_response_output_tokens" in update:
        ga["max_output_tokens"] = update["max_response_output_tokens"]
    temperature = update.get("temperature")
    if temperature is not None:
        _range(temperature, 0.6, 1.2, "session.temperature", integer=False)
    if audio_in or audio_out:
        ga["audio"] = {k: v for k, v in (("input", audio_in), ("output", audio_out)) if v}
    return ga, temperature


def check_ga_update(event: dict[str, Any]) -> dict[str, Any]:
    session = event.get("session")
    if not isinstance(session, dict):
        raise ProtocolError("missing_required_parameter", "Missing required parameter: 'session'.", "session")
    if "type" not in session:
        raise ProtocolError("missing_required_parameter", "Missing required parameter: 'session.type'.",
                            "session.type")
    _choice(session["type"], ("realtime", "transcription"), "session.type")
    if session["type"] == "transcription":
        raise ProtocolError("invalid_value", "Passing a transcription session update event to a realtime "
                            "session is not allowed.", "session.type")
    _check_keys(session, GA_SCHEMA, "session")
    return session


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict) and key not in ("format", "tool_choice"):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _fill_turn_defaults(turn: dict[str, Any] | None) -> None:
    if turn is None:
        return
    turn.setdefault("create_response", True)
    turn.setdefault("interrupt_response", True)
    if turn["type"] == "server_vad":
        for key in ("eagerness",):
            turn.pop(key, None)
        turn.setdefault("threshold", 0.5)
        turn.setdefault("prefix_padding_ms", 300)
        turn.setdefault("silence_duration_ms", 200)
        turn.setdefault("idle_timeout_ms", None)
    else:
        for key in ("threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"):
            turn.pop(key, None)
        turn.setdefault("eagerness", "auto")


def merged_session(current: dict[str, Any], update: dict[str, Any], *, voice_locked: bool) -> dict[str, Any]:
    """Validate a GA partial update (already key-checked) and return the new effective session."""
    _check_values(update, "session")
    new_voice = ((update.get("audio") or {}).get("output") or {}).get("voice")
    if voice_locked and new_voice is not None and new_voice != current["audio"]["output"]["voice"]:
        raise ProtocolError("cannot_update_voice",
                            "Cannot update a conversation's voice if assistant audio is present.", None)
    merged = copy.deepcopy(current)
    turn_update = ((update.get("audio") or {}).get("input") or {}).get("turn_detection", "absent")
    _merge(merged, {k: v for k, v in update.items() if k not in _NOT_STORED})
    if isinstance(turn_update, dict):
        # a turn_detection object replaces the previous one (switching type drops the other type's fields)
        merged["audio"]["input"]["turn_detection"] = copy.deepcopy(turn_update)
    _fill_turn_defaults(merged["audio"]["input"]["turn_detection"])
    transcription = merged["audio"]["input"]["transcription"]
    if transcription is not None:
        transcription.setdefault("model", "whisper-1")
    return merged
