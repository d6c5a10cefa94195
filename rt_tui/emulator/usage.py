"""Token accounting consistent with what a response produced.

Estimates, stated once: a text token is 4 characters (rounded up); audio is 1 token per 50 ms out and
per 100 ms in (the service's published audio token rates are of that order).
"""

from __future__ import annotations

import math
from typing import Any

from .conversation import ConversationStore
from .protocol import PCM_BYTES_PER_MS


def text_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def _item_text(item: dict[str, Any]) -> str:
    parts = [str(item.get(key) or "") for key in ("arguments", "output")]
    for part in item.get("content") or []:
        parts.append(str(part.get("text") or part.get("transcript") or ""))
    return " ".join(p for p in parts if p)


def response_usage(store: ConversationStore, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]],
                   streamed_text: str, audio_bytes: int) -> dict[str, Any]:
    output_ids = {item.get("id") for item in outputs}
    in_text = sum(text_tokens(_item_text(i)) for i in inputs if i.get("id") not in output_ids)
    in_audio = sum(math.ceil(len(store.audio.get(i.get("id", ""), b"")) / PCM_BYTES_PER_MS / 100)
                   for i in inputs if i.get("role") == "user")
    out_audio = math.ceil(audio_bytes / PCM_BYTES_PER_MS / 50)
    out_text = text_tokens(streamed_text) + sum(text_tokens(str(i.get("arguments") or "")) for i in outputs)
    return {
        "total_tokens": in_text + in_audio + out_text + out_audio,
        "input_tokens": in_text + in_audio,
        "output_tokens": out_text + out_audio,
        "input_token_details": {"text_tokens": in_text, "audio_tokens": in_audio, "image_tokens": 0,
                                "cached_tokens": 0,
                                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0}},
        "output_token_details": {"text_tokens": out_text, "audio_tokens": out_audio},
    }
