from __future__ import annotations

import pytest
from openai.types.realtime import RealtimeSessionCreateRequest
from pydantic import ValidationError
from sdk_strict import SESSION_UPDATE, assert_strict

from rt_tui.core.session import (
    EAGERNESS,
    NOISE_REDUCTION,
    TRANSCRIPTION_MODELS,
    VOICES,
    SessionConfig,
    describe_errors,
)

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def both_shapes(cfg: SessionConfig) -> tuple[dict, dict]:
    ga = cfg.session_update("ga")
    beta = cfg.session_update("beta")
    model = assert_strict(SESSION_UPDATE["ga"], ga)
    assert isinstance(model.session, RealtimeSessionCreateRequest)
    assert_strict(SESSION_UPDATE["beta"], beta)
    return ga["session"], beta["session"]


def reasons(changes: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        SessionConfig().updated(changes)
    return describe_errors(info.value)


def test_defaults_equal_the_services():
    ga, beta = both_shapes(SessionConfig())
    vad = ga["audio"]["input"]["turn_detection"]
    assert vad == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }
    assert ga["type"] == "realtime"
    assert ga["output_modalities"] == ["audio"]
    assert ga["audio"]["output"]["voice"] == "marin"
    assert ga["audio"]["input"]["transcription"] is None
    assert ga["audio"]["input"]["noise_reduction"] is None
    assert ga["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert (ga["max_output_tokens"], ga["tools"], ga["tool_choice"]) == ("inf", [], "auto")
    assert beta["modalities"] == ["audio", "text"]
    assert beta["max_response_output_tokens"] == "inf"
    assert "temperature" not in beta and "temperature" not in ga
    assert "type" not in beta


def test_semantic_vad_in_both_shapes():
    cfg = SessionConfig().updated({"turn_detection.type": "semantic_vad", "turn_detection.eagerness": "high"})
    ga, beta = both_shapes(cfg)
    expected = {"type": "semantic_vad", "eagerness": "high", "create_response": True, "interrupt_response": True}
    assert ga["audio"]["input"]["turn_detection"] == expected
    assert beta["turn_detection"] == expected


def test_server_vad_parameters_in_both_shapes():
    cfg = SessionConfig().updated(
        {
            "turn_detection.threshold": 0.7,
            "turn_detection.prefix_padding_ms": 500,
            "turn_detection.silence_duration_ms": 800,
            "turn_detection.idle_timeout_ms": 6000,
            "turn_detection.create_response": False,
            "turn_detection.interrupt_response": False,
        }
    )
    ga, beta = both_shapes(cfg)
    vad = ga["audio"]["input"]["turn_detection"]
    assert (vad["threshold"], vad["prefix_padding_ms"], vad["silence_duration_ms"]) == (0.7, 500, 800)
    assert vad["idle_timeout_ms"] == 6000
    assert vad["create_response"] is False and vad["interrupt_response"] is False
    assert beta["turn_detection"]["threshold"] == 0.7
    assert "idle_timeout_ms" not in beta["turn_detection"]  # GA-only field


def test_turn_detection_off_is_null():
    ga, beta = both_shapes(SessionConfig().updated({"turn_detection.type": "none"}))
    assert ga["audio"]["input"]["turn_detection"] is None
    assert "turn_detection" in beta and beta["turn_detection"] is None


def test_transcription_and_noise_reduction():
    cfg = SessionConfig().updated(
        {"transcription_model": "gpt-4o-transcribe", "transcription_language": "de", "noise_reduction": "far_field"}
    )
    ga, beta = both_shapes(cfg)
    assert ga["audio"]["input"]["transcription"] == {"model": "gpt-4o-transcribe", "language": "de"}
    assert beta["input_audio_transcription"] == {"model": "gpt-4o-transcribe", "language": "de"}
    assert ga["audio"]["input"]["noise_reduction"] == {"type": "far_field"}
    assert beta["input_audio_noise_reduction"] == {"type": "far_field"}
    off = cfg.updated({"transcription_model": "off", "noise_reduction": None})
    ga, beta = both_shapes(off)
    assert ga["audio"]["input"]["transcription"] is None and beta["input_audio_transcription"] is None
    assert ga["audio"]["input"]["noise_reduction"] is None and beta["input_audio_noise_reduction"] is None


def test_text_modality():
    ga, beta = both_shapes(SessionConfig(output_modalities="text"))
    assert ga["output_modalities"] == ["text"]
    assert beta["modalities"] == ["text"]


def test_temperature_only_in_beta():
    ga, beta = both_shapes(SessionConfig(temperature=1.0))
    assert beta["temperature"] == 1.0
    assert "temperature" not in ga


def test_max_tokens_number_and_inf():
    ga, beta = both_shapes(SessionConfig(max_output_tokens=256))
    assert ga["max_output_tokens"] == 256 and beta["max_response_output_tokens"] == 256
    assert SessionConfig().updated({"max_output_tokens": "inf"}).max_output_tokens == "inf"
    assert SessionConfig().updated({"max_output_tokens": "4096"}).max_output_tokens == 4096


def test_tools_and_tool_choice():
    cfg = SessionConfig(tools=[WEATHER_TOOL], tool_choice="required")
    ga, beta = both_shapes(cfg)
    assert ga["tools"] == [WEATHER_TOOL] and beta["tools"] == [WEATHER_TOOL]
    assert ga["tool_choice"] == "required" and beta["tool_choice"] == "required"
    forced = cfg.updated({"tool_choice": {"type": "function", "name": "get_weather"}})
    ga, beta = both_shapes(forced)
    assert ga["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert beta["tool_choice"] == "get_weather"  # beta types tool_choice as a string


def test_tool_without_type_gets_function():
    cfg = SessionConfig(tools=[{"name": "ping", "parameters": {"type": "object", "properties": {}}}])
    assert cfg.tools[0]["type"] == "function"
    both_shapes(cfg)


def test_voice_can_be_left_out():
    cfg = SessionConfig(voice="cedar")
    assert "voice" not in cfg.session_update("ga", include_voice=False)["session"]["audio"]["output"]
    assert "voice" not in cfg.session_update("beta", include_voice=False)["session"]
    assert cfg.session_update("ga")["session"]["audio"]["output"]["voice"] == "cedar"
    with pytest.raises(ValueError):
        cfg.session_update("v2")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"turn_detection.threshold": 1.2}, "turn_detection.threshold", "threshold must be between 0.0 and 1.0"),
        ({"turn_detection.threshold": -0.1}, "turn_detection.threshold", "between 0.0 and 1.0"),
        ({"turn_detection.threshold": "loud"}, "turn_detection.threshold", "threshold must be a number"),
        ({"turn_detection.prefix_padding_ms": 5001}, "turn_detection.prefix_padding_ms", "between 0 and 5000"),
        ({"turn_detection.silence_duration_ms": -1}, "turn_detection.silence_duration_ms", "between 0 and 10000"),
        ({"turn_detection.silence_duration_ms": 2.5}, "turn_detection.silence_duration_ms", "whole number"),
        ({"turn_detection.idle_timeout_ms": 1000}, "turn_detection.idle_timeout_ms", "between 5000 and 30000"),
        ({"turn_detection.type": "push"}, "turn_detection.type", "server_vad, semantic_vad or none"),
        ({"turn_detection.eagerness": "eager"}, "turn_detection.eagerness", "low, medium, high or auto"),
        ({"turn_detection.create_response": "perhaps"}, "turn_detection.create_response", "true or false"),
        ({"voice": "nova"}, "voice", "voice must be one of"),
        ({"output_modalities": "both"}, "output_modalities", "audio or text"),
        ({"transcription_model": "whisper-2"}, "transcription_model", "off or one of"),
        ({"transcription_language": "English please"}, "transcription_language", "ISO-639-1"),
        ({"noise_reduction": "medium_field"}, "noise_reduction", "near_field or far_field"),
        ({"temperature": 0.5}, "temperature", "temperature must be between 0.6 and 1.2"),
        ({"temperature": 1.3}, "temperature", "between 0.6 and 1.2"),
        ({"max_output_tokens": 0}, "max_output_tokens", "between 1 and 4096, or 'inf'"),
        ({"max_output_tokens": 4097}, "max_output_tokens", "between 1 and 4096"),
        ({"max_output_tokens": "lots"}, "max_output_tokens", "whole number"),
        ({"tools": [{"type": "code_interpreter"}]}, "tools", "only function tools"),
        ({"tools": [{"name": "has space"}]}, "tools", "name must be"),
        ({"tools": [{"name": "a"}, {"name": "a"}]}, "tools", "used twice"),
        ({"tools": [{"name": "a", "parameters": "x"}]}, "tools", "JSON schema object"),
        ({"tools": [{"name": "a", "strict": True}]}, "tools", "unknown key(s) strict"),
        ({"tool_choice": "sometimes"}, "tool_choice", "auto, none, required"),
        ({"tool_choice": {"type": "function", "name": "nope"}}, "tool_choice", "not among the tools"),
        ({"bogus_field": 1}, "bogus_field", "not a setting"),
        ({"max_output_tokens": True}, "max_output_tokens", "must be a number, not true/false"),
        ({"turn_detection.threshold": True}, "turn_detection.threshold", "threshold must be a number"),
        ({"temperature": False}, "temperature", "temperature must be a number"),
    ],
)
def test_refused_with_a_readable_reason(changes, path, reason):
    found = reasons(changes)
    assert path in found, found
    assert reason in found[path]


def test_several_errors_reported_at_once():
    found = reasons({"turn_detection.threshold": 3, "temperature": 9, "voice": "x"})
    assert set(found) == {"turn_detection.threshold", "temperature", "voice"}


def test_config_is_frozen_and_updated_returns_a_copy():
    cfg = SessionConfig()
    with pytest.raises(ValidationError):
        cfg.voice = "ash"  # type: ignore[misc]
    changed = cfg.updated({"voice": "ash"})
    assert (cfg.voice, changed.voice) == ("marin", "ash")


def test_form_constants():
    assert len(VOICES) == 10 and "marin" in VOICES and "cedar" in VOICES
    assert TRANSCRIPTION_MODELS == ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
    assert NOISE_REDUCTION == ("near_field", "far_field")
    assert EAGERNESS == ("low", "medium", "high", "auto")


def test_from_ga_session_round_trips_every_setting():
    cfg = SessionConfig(
        instructions="Be brief.",
        voice="coral",
        output_modalities="text",
        turn_detection={"type": "semantic_vad", "eagerness": "low", "interrupt_response": False},
        transcription_model="whisper-1",
        transcription_language="fr",
        noise_reduction="near_field",
        max_output_tokens=100,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    assert SessionConfig.from_ga_session(cfg.to_ga_session()) == cfg
    vad = SessionConfig(turn_detection={"threshold": 0.9, "idle_timeout_ms": 10000})
    assert SessionConfig.from_ga_session(vad.to_ga_session()) == vad
    off = SessionConfig(turn_detection={"type": "none"})
    assert SessionConfig.from_ga_session(off.to_ga_session()).turn_detection.type == "none"


def test_from_ga_session_reads_a_server_session_and_ignores_unknowns():
    server = {
        "type": "realtime",
        "object": "realtime.session",
        "id": "sess_abc",
        "model": "gpt-realtime",
        "expires_at": 1_900_000_000,
        "output_modalities": ["audio"],
        "instructions": "Hi",
        "tracing": None,
        "truncation": "auto",
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": {"model": "gpt-4o-mini-transcribe-2025-12-15", "language": None},
                "noise_reduction": None,
                "turn_detection": {"type": "server_vad", "threshold": 0.4, "idle_timeout_ms": None, "future": 1},
            },
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": {"id": "voice_123"}, "speed": 1.0},
        },
        "tools": [WEATHER_TOOL, {"type": "mcp", "server_label": "x"}],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "brand_new_field": {"x": 1},
    }
    cfg = SessionConfig.from_ga_session(server)
    assert cfg.voice == "voice_123"  # a custom voice the server reports is reflected, not refused
    assert cfg.transcription_model == "gpt-4o-mini-transcribe-2025-12-15"
    assert cfg.turn_detection.threshold == 0.4
    assert cfg.tools == [WEATHER_TOOL]
    assert cfg.instructions == "Hi"


def test_from_ga_session_falls_back_instead_of_raising():
    cfg = SessionConfig.from_ga_session({"max_output_tokens": 99999, "instructions": "kept", "output_modalities": []})
    assert cfg.max_output_tokens == "inf"
    assert cfg.instructions == "kept"
    assert SessionConfig.from_ga_session({}) == SessionConfig()
    assert SessionConfig.from_ga_session({"audio": ["x"], "tools": "y", "tool_choice": 5}) == SessionConfig()
    assert SessionConfig.from_ga_session("not a session") == SessionConfig()  # type: ignore[arg-type]
    odd_vad = {"audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high",
                                                      "silence_duration_ms": 99999}}}}
    vad = SessionConfig.from_ga_session(odd_vad).turn_detection
    assert (vad.type, vad.eagerness, vad.silence_duration_ms) == ("semantic_vad", "high", 200)


def test_from_ga_session_reads_beta_temperature_kept_by_the_dialect_edge():
    assert SessionConfig.from_ga_session({"temperature": 0.9}).temperature == 0.9


def test_the_strict_check_itself_catches_undeclared_keys():
    beta = SessionConfig().session_update("beta")
    beta["session"]["turn_detection"]["idle_timeout_ms"] = 6000
    with pytest.raises(AssertionError, match="idle_timeout_ms"):
        assert_strict(SESSION_UPDATE["beta"], beta)
    ga = SessionConfig().session_update("ga")
    ga["session"]["temperature"] = 0.8
    with pytest.raises(AssertionError, match="temperature"):
        assert_strict(SESSION_UPDATE["ga"], ga)
