"""Plain-text descriptions of conversation turns (no Textual, no colours: TCSS styles the widgets)."""

from __future__ import annotations

from typing import Any

ROLE_LABELS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool", "error": "Error"}


def turn_title(turn: Any) -> str:
    """The one-line header of a turn: who, what kind, status."""
    if turn.kind == "error":
        return "Error"
    if turn.kind == "function_call":
        return f"Function call  {turn.name or '?'}"
    if turn.kind == "function_call_output":
        return "Function output"
    label = ROLE_LABELS.get(turn.role, turn.role.title())
    if turn.has_audio:
        label += "  (voice)"
    return label


def turn_status(turn: Any) -> str:
    if turn.kind == "function_call" and turn.output is None and turn.error:
        return turn.error  # e.g. expired: its session ended before it was answered
    if turn.kind == "function_call" and turn.status == "completed" and turn.output is None:
        return "pending — waiting for an output"
    if turn.status == "in_progress":
        return "streaming…"
    if turn.status == "interrupted":
        heard = turn.heard_ms
        return f"interrupted — heard {heard / 1000:.1f} s" if heard is not None else "interrupted"
    if turn.status in ("cancelled", "incomplete", "failed"):
        return turn.status
    return ""


def turn_meta(turn: Any) -> str:
    """Latency and token figures of an assistant turn ("" when there are none yet)."""
    parts: list[str] = []
    if turn.latency_ms is not None:
        parts.append(f"latency {turn.latency_ms:.0f} ms")
    if turn.usage is not None:
        parts.append(usage_text(turn.usage))
    return "  ·  ".join(p for p in parts if p)


def usage_text(usage: Any) -> str:
    """"in 12 (text 12, audio 0) · out 30 (text 8, audio 22)" from a core Usage."""
    if usage is None:
        return ""
    tokens_in = _num(usage, "input_tokens")
    tokens_out = _num(usage, "output_tokens")
    detail_in = _detail(usage, "input_text_tokens", "input_audio_tokens")
    detail_out = _detail(usage, "output_text_tokens", "output_audio_tokens")
    return f"tokens in {tokens_in}{detail_in} · out {tokens_out}{detail_out}"


def _num(obj: Any, name: str) -> int:
    value = getattr(obj, name, 0)
    return int(value or 0)


def _detail(usage: Any, text_name: str, audio_name: str) -> str:
    if not hasattr(usage, text_name) and not hasattr(usage, audio_name):
        return ""
    return f" (text {_num(usage, text_name)}, audio {_num(usage, audio_name)})"


def turn_body(turn: Any) -> str:
    """What the turn says: text, transcript, call arguments and output, or the error."""
    if turn.kind == "function_call":
        lines = [f"arguments: {turn.arguments or ''}"]
        if turn.output is not None:
            lines.append(f"output: {turn.output}")
        return "\n".join(lines)
    if turn.kind == "function_call_output":
        return turn.output or turn.text or ""
    if turn.kind == "error":
        return turn.error or turn.text or ""
    if not turn.text and turn.has_audio and turn.role == "user":
        if turn.error:  # the input transcription failed: say so rather than suggest it is off
            return f"(audio — {turn.error})"
        return "(audio — no transcript: input transcription is off, or still running)"
    return turn.text or ""
