"""SessionConfig: the one validated model of every session setting, and its GA / beta payloads.

Defaults equal the service's (protocol brief §4–5). Values out of range are refused with a reason a
person can read (`describe_errors`). `to_ga_session` / `to_beta_session` are pure and always send the
whole configuration, with explicit nulls for what is off, so one `session.update` fully determines the
server state regardless of what was sent before.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from rt_tui.core.dialect import Dialect, ga_session_to_beta


VOICES: tuple[str, ...] = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
# The models the settings form offers; the SDK's newer ones are accepted too (see ACCEPTED_…).
TRANSCRIPTION_MODELS: tuple[str, ...] = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
ACCEPTED_TRANSCRIPTION_MODELS: tuple[str, ...] = TRANSCRIPTION_MODELS + (
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-realtime-whisper",
)
NOISE_REDUCTION: tuple[str, ...] = ("near_field", "far_field")
EAGERNESS: tuple[str, ...] = ("low", "medium", "high", "auto")
TURN_DETECTION_TYPES: tuple[str, ...] = ("server_vad", "semantic_vad", "none")
OUTPUT_MODALITIES: tuple[str, ...] = ("audio", "text")
TOOL_CHOICES: tuple[str, ...] = ("auto", "none", "required")

THRESHOLD_RANGE = (0.0, 1.0)
PREFIX_PADDING_RANGE = (0, 5000)
SILENCE_DURATION_RANGE = (0, 10000)
IDLE_TIMEOUT_RANGE = (5000, 30000)
TEMPERATURE_RANGE = (0.6, 1.2)
MAX_OUTPUT_TOKENS_RANGE = (1, 4096)
SERVICE_TEMPERATURE = 0.8

# The audio engine speaks pcm16 24 kHz; saying so keeps the server from keeping another format
# (beta: "pcm16", via the dialect edge).
GA_AUDIO_FORMAT = {"type": "audio/pcm", "rate": 24000}

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOOL_KEYS = {"type", "name", "description", "parameters"}


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("rt_tui_refused", message)


def _no_bool(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, bool):  # pydantic would read True as 1
        raise _refuse(f"{_LABELS.get(str(info.field_name), info.field_name)} must be a number, not true/false")
    return value


def _in_range(name: str, value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    if not low <= value <= high:
        raise _refuse(f"{name} must be between {low} and {high}")
    return value


class TurnDetection(BaseModel):
    """Voice activity detection; `type="none"` means push-to-talk (`turn_detection: null`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["server_vad", "semantic_vad", "none"] = "server_vad"
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 200
    idle_timeout_ms: Union[int, None] = None
    create_response: bool = True
    interrupt_response: bool = True
    eagerness: Literal["low", "medium", "high", "auto"] = "auto"

    _numbers_are_not_bools = field_validator(
        "threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms", mode="before")(_no_bool)

    @field_validator("threshold")
    @classmethod
    def _threshold(cls, value: float) -> float:
        return _in_range("threshold", value, THRESHOLD_RANGE)

    @field_validator("prefix_padding_ms")
    @classmethod
    def _prefix(cls, value: int) -> int:
        return int(_in_range("prefix padding (ms)", value, PREFIX_PADDING_RANGE))

    @field_validator("silence_duration_ms")
    @classmethod
    def _silence(cls, value: int) -> int:
        return int(_in_range("silence duration (ms)", value, SILENCE_DURATION_RANGE))

    @field_validator("idle_timeout_ms")
    @classmethod
    def _idle(cls, value: int | None) -> int | None:
        return None if value is None else int(_in_range("idle timeout (ms)", value, IDLE_TIMEOUT_RANGE))

    def to_ga(self) -> dict[str, Any] | None:
        if self.type == "none":
            return None
        if self.type == "semantic_vad":
            return {
                "type": "semantic_vad",
                "eagerness": self.eagerness,
                "create_response": self.create_response,
                "interrupt_response": self.interrupt_response,
            }
        return {
            "type": "server_vad",
            "threshold": self.threshold,
            "prefix_padding_ms": self.prefix_padding_ms,
            "silence_duration_ms": self.silence_duration_ms,
            "idle_timeout_ms": self.idle_timeout_ms,
            "create_response": self.create_response,
            "interrupt_response": self.interrupt_response,
        }


class SessionConfig(BaseModel):
    """Every setting of a realtime session, validated. Change it with `updated({...})`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instructions: str = ""
    voice: str = "marin"
    output_modalities: Literal["audio", "text"] = "audio"
    turn_detection: TurnDetection = Field(default_factory=TurnDetection)
    transcription_model: Union[str, None] = None
    transcription_language: Union[str, None] = None
    noise_reduction: Union[Literal["near_field", "far_field"], None] = None
    temperature: Union[float, None] = None
    max_output_tokens: Union[int, Literal["inf"]] = "inf"
    tools: list[dict[str, Any]] = Field(default_factory=list)
    tool_choice: Union[str, dict[str, Any]] = "auto"

    # -- validation -------------------------------------------------------------------------------

    @field_validator("voice")
    @classmethod
    def _voice(cls, value: str, info: ValidationInfo) -> str:
        if _lenient(info) and value.strip():
            return value  # reflecting the server: a voice it reports is by definition one it has
        if value not in VOICES:
            raise _refuse(f"voice must be one of: {', '.join(VOICES)}")
        return value

    @field_validator("transcription_model")
    @classmethod
    def _transcription_model(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == "" or value == "off":
            return None
        if value not in ACCEPTED_TRANSCRIPTION_MODELS and not _lenient(info):
            raise _refuse(f"transcription model must be off or one of: {', '.join(TRANSCRIPTION_MODELS)}")
        return value

    @field_validator("transcription_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        if not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?", value):
            raise _refuse("transcription language must be an ISO-639-1 code such as 'en'")
        return value

    @field_validator("temperature")
    @classmethod
    def _temperature(cls, value: float | None) -> float | None:
        return None if value is None else _in_range("temperature", value, TEMPERATURE_RANGE)

    _numbers_are_not_bools = field_validator("temperature", mode="before")(_no_bool)

    @field_validator("max_output_tokens", mode="before")
    @classmethod
    def _max_tokens_before(cls, value: Any, info: ValidationInfo) -> Any:
        _no_bool(value, info)
        if isinstance(value, str) and value.strip().lower() in ("inf", "infinite", "max", ""):
            return "inf"
        return value

    @field_validator("max_output_tokens")
    @classmethod
    def _max_tokens(cls, value: int | str) -> int | str:
        if value == "inf":
            return value
        low, high = MAX_OUTPUT_TOKENS_RANGE
        if not low <= int(value) <= high:
            raise _refuse(f"max output tokens must be between {low} and {high}, or 'inf'")
        return value

    @field_validator("tools")
    @classmethod
    def _tools(cls, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for index, tool in enumerate(tools):
            where = f"tool {index + 1}"
            if tool.get("type", "function") != "function":
                raise _refuse(f"{where}: only function tools are supported (type 'function')")
            unknown = sorted(set(tool) - _TOOL_KEYS)
            if unknown:
                raise _refuse(f"{where}: unknown key(s) {', '.join(unknown)}")
            name = tool.get("name")
            if not isinstance(name, str) or not _TOOL_NAME.match(name):
                raise _refuse(f"{where}: name must be 1–64 letters, digits, '_' or '-'")
            if name in seen:
                raise _refuse(f"{where}: the name '{name}' is used twice")
            seen.add(name)
            if not isinstance(tool.get("description", ""), str):
                raise _refuse(f"{where}: description must be text")
            if not isinstance(tool.get("parameters", {}), dict):
                raise _refuse(f"{where}: parameters must be a JSON schema object")
        return [{"type": "function", **tool} for tool in tools]

    @field_validator("tool_choice")
    @classmethod
    def _tool_choice(cls, choice: str | dict[str, Any], info: ValidationInfo) -> str | dict[str, Any]:
        if isinstance(choice, str):
            if choice not in TOOL_CHOICES:
                raise _refuse(f"tool choice must be one of {', '.join(TOOL_CHOICES)} or a function")
            return choice
        if choice.get("type") != "function" or set(choice) != {"type", "name"}:
            raise _refuse("a forced tool choice must have exactly type 'function' and a name")
        names = [tool["name"] for tool in info.data.get("tools") or []]
        if choice["name"] not in names:
            raise _refuse(f"tool choice names '{choice['name']}', which is not among the tools")
        return dict(choice)

    # -- changing ---------------------------------------------------------------------------------

    def updated(self, changes: dict[str, Any]) -> SessionConfig:
        """A validated copy with `changes` applied; keys may be dotted (`"turn_detection.threshold"`).

        Raises `pydantic.ValidationError` (see `describe_errors`). Unlike `model_copy(update=…)`,
        this validates.
        """
        data = self.model_dump()
        for path, value in changes.items():
            target = data
            *parents, leaf = path.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return SessionConfig.model_validate(data)

    # -- payloads ---------------------------------------------------------------------------------

    def to_ga_session(self) -> dict[str, Any]:
        return {
            "type": "realtime",
            "instructions": self.instructions,
            "output_modalities": [self.output_modalities],
            "audio": {
                "input": {
                    "format": dict(GA_AUDIO_FORMAT),
                    "turn_detection": self.turn_detection.to_ga(),
                    "transcription": self._transcription(),
                    "noise_reduction": self._noise_reduction(),
                },
                "output": {"format": dict(GA_AUDIO_FORMAT), "voice": self.voice},
            },
            "max_output_tokens": self.max_output_tokens,
            "tools": [dict(tool) for tool in self.tools],
            "tool_choice": _copy(self.tool_choice),
        }

    def to_beta_session(self) -> dict[str, Any]:
        session = ga_session_to_beta(self.to_ga_session())
        if self.temperature is not None:
            session["temperature"] = self.temperature
        return session

    def session_update(self, dialect: Dialect, *, include_voice: bool = True) -> dict[str, Any]:
        """The whole `session.update` client event for `dialect`.

        `include_voice=False` leaves the voice out: the service refuses any voice change once the
        conversation holds assistant audio (`cannot_update_voice`).
        """
        if dialect == "ga":
            session = self.to_ga_session()
            if not include_voice:
                del session["audio"]["output"]["voice"]
        elif dialect == "beta":
            session = self.to_beta_session()
            if not include_voice:
                del session["voice"]
        else:
            raise ValueError(f"unknown dialect {dialect!r}")
        return {"type": "session.update", "session": session}

    @classmethod
    def from_ga_session(cls, session: dict[str, Any]) -> SessionConfig:
        """The configuration a GA-shaped session object (from `session.created/updated`) describes.

        Unknown fields are ignored; values the form would refuse but the server reports (a custom
        voice, a newer transcription model) are kept; values that cannot be represented fall back to
        the defaults rather than raising.
        """
        data = _fields_from_ga_session(_as_dict(session))
        for _ in range(3):  # each pass drops what was refused; a value can only be refused once
            try:
                return cls.model_validate(data, context={"lenient": True})
            except ValidationError as exc:
                _drop_refused(data, exc)
        return cls()

    def _transcription(self) -> dict[str, Any] | None:
        if self.transcription_model is None:
            return None
        transcription: dict[str, Any] = {"model": self.transcription_model}
        if self.transcription_language:
            transcription["language"] = self.transcription_language
        return transcription

    def _noise_reduction(self) -> dict[str, Any] | None:
        return None if self.noise_reduction is None else {"type": self.noise_reduction}


def describe_errors(exc: ValidationError) -> dict[str, str]:
    """Field path (`"turn_detection.threshold"`, `"tools"`, or `""` for the whole) → a readable reason."""
    reasons: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not _is_union_branch(part)]
        if loc and loc[0] == "tools":
            loc = ["tools"]
        path = ".".join(loc)
        reasons.setdefault(path, _reason(loc[-1] if loc else "", error))
    return reasons


def _reason(field: str, error: Any) -> str:
    kind = error["type"]
    label = _LABELS.get(field, field.replace("_", " ")) or "settings"
    ctx = error.get("ctx") or {}
    if kind == "rt_tui_refused":
        return str(error["msg"])
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{label} must be a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label} must be a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} must be true or false"
    if kind == "literal_error":
        return f"{label} must be one of: {ctx.get('expected', '')}".replace("'", "")
    if kind == "extra_forbidden":
        return f"{label} is not a setting"
    if kind in ("string_type", "dict_type", "list_type"):
        return f"{label} has the wrong type ({error['msg'].lower()})"
    return f"{label}: {error['msg']}"


_LABELS = {
    "threshold": "threshold",
    "prefix_padding_ms": "prefix padding (ms)",
    "silence_duration_ms": "silence duration (ms)",
    "idle_timeout_ms": "idle timeout (ms)",
    "max_output_tokens": "max output tokens",
    "output_modalities": "output modalities",
}


def _is_union_branch(part: Any) -> bool:
    # pydantic adds the union member it tried ("int", "literal['inf']", "function-after[…]") to loc
    return isinstance(part, str) and (part in ("int", "float", "str", "none") or "[" in part)


def _lenient(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("lenient"))


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def _drop_refused(data: dict[str, Any], exc: ValidationError) -> None:
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if len(loc) >= 2 and loc[0] == "turn_detection" and isinstance(data.get("turn_detection"), dict):
            data["turn_detection"].pop(loc[1], None)  # keep the rest of the server's VAD settings
        elif loc:
            data.pop(loc[0], None)


def _fields_from_ga_session(session: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if isinstance(session.get("instructions"), str):
        data["instructions"] = session["instructions"]
    modalities = session.get("output_modalities")
    if isinstance(modalities, list) and modalities:
        data["output_modalities"] = "audio" if "audio" in modalities else "text"
    audio = _as_dict(session.get("audio"))
    audio_in = _as_dict(audio.get("input"))
    audio_out = _as_dict(audio.get("output"))
    voice = audio_out.get("voice")
    if isinstance(voice, dict):
        voice = voice.get("id")
    if isinstance(voice, str):
        data["voice"] = voice
    if "turn_detection" in audio_in:
        data["turn_detection"] = _turn_detection_fields(audio_in["turn_detection"])
    if "transcription" in audio_in:
        transcription = _as_dict(audio_in["transcription"])
        data["transcription_model"] = transcription.get("model")
        data["transcription_language"] = transcription.get("language")
    if "noise_reduction" in audio_in:
        data["noise_reduction"] = _as_dict(audio_in["noise_reduction"]).get("type")
    if "max_output_tokens" in session and session["max_output_tokens"] is not None:
        data["max_output_tokens"] = session["max_output_tokens"]
    if isinstance(session.get("tools"), list):
        data["tools"] = [
            {key: tool[key] for key in _TOOL_KEYS if key in tool}
            for tool in session["tools"]
            if isinstance(tool, dict) and tool.get("type") == "function"
        ]
    choice = session.get("tool_choice")
    if isinstance(choice, str):
        data["tool_choice"] = choice
    elif isinstance(choice, dict) and choice.get("type") == "function":
        data["tool_choice"] = {"type": "function", "name": choice.get("name")}
    if isinstance(session.get("temperature"), (int, float)):  # kept by the dialect edge for beta sessions
        data["temperature"] = session["temperature"]
    return data


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _turn_detection_fields(turn_detection: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(turn_detection, dict):
        return {"type": "none"}
    known = TurnDetection.model_fields
    return {key: value for key, value in turn_detection.items() if key in known and value is not None}
