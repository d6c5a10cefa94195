"""The emulated conversation: ordered GA items, their audio, and the service's item errors."""

from __future__ import annotations

import base64
import copy
from typing import Any

from .protocol import PCM_BYTES_PER_MS, ProtocolError, new_id

_CONTENT_TYPES = {
    "user": ("input_text", "input_audio", "input_image"),
    "system": ("input_text",),
    "assistant": ("output_text", "output_audio"),
}
_BETA_ASSISTANT = {"text": "output_text", "audio": "output_audio"}


def _listed(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _invalid(value: Any, allowed: tuple[str, ...], param: str) -> ProtocolError:
    return ProtocolError("invalid_value", f"Invalid value: '{value}'. Supported values are: {_listed(allowed)}.", param)


def _missing(param: str) -> ProtocolError:
    return ProtocolError("missing_required_parameter", f"Missing required parameter: '{param}'.", param)


class ConversationStore:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.audio: dict[str, bytes | bytearray] = {}  # item id → pcm16 (user input audio or assistant output audio)
        # assistant item id → (words of the whole reply, ms of the whole reply's audio), to cut transcripts
        self.alignment: dict[str, tuple[int, float]] = {}

    def get(self, item_id: str) -> dict[str, Any] | None:
        return next((item for item in self.items if item["id"] == item_id), None)

    def last_id(self) -> str | None:
        return self.items[-1]["id"] if self.items else None

    def public(self, item: dict[str, Any], with_audio: bool = False) -> dict[str, Any]:
        """The item as the service shows it: audio bytes only on `conversation.item.retrieved`."""
        shown = copy.deepcopy(item)
        for part in shown.get("content") or []:
            if part.get("type") in ("input_audio", "output_audio"):
                if with_audio and item["id"] in self.audio:
                    part["audio"] = base64.b64encode(self.audio[item["id"]]).decode()
                else:
                    part.pop("audio", None)
        return shown

    def check_new_item(self, raw: Any, dialect: str) -> dict[str, Any]:
        """Validate a client `conversation.item.create` item and return it as stored (GA shape)."""
        if not isinstance(raw, dict):
            raise _missing("item")
        item = copy.deepcopy(raw)
        kind = item.get("type")
        if kind is None:
            raise _missing("item.type")
        if kind not in ("message", "function_call", "function_call_output"):
            raise _invalid(kind, ("message", "function_call", "function_call_output"), "item.type")
        if item.get("id") is not None and self.get(item["id"]) is not None:
            raise ProtocolError("item_create_duplicate_id",
                                f"Error adding item: an item with id '{item['id']}' already exists.", "item.id")
        item.setdefault("id", None)
        item["id"] = item["id"] or new_id("item_")
        item["object"] = "realtime.item"
        item["status"] = "completed"
        if kind == "message":
            self._check_message(item, dialect)
        elif kind == "function_call":
            for key in ("call_id", "name"):
                if not item.get(key):
                    raise _missing(f"item.{key}")
            item.setdefault("arguments", "")
        else:
            for key in ("call_id", "output"):
                if item.get(key) is None:
                    raise _missing(f"item.{key}")
        return item

    def _check_message(self, item: dict[str, Any], dialect: str) -> None:
        role = item.get("role")
        if role not in _CONTENT_TYPES:
            raise _invalid(role, tuple(_CONTENT_TYPES), "item.role")
        content = item.get("content")
        if not isinstance(content, list):
            raise _missing("item.content")
        allowed = _CONTENT_TYPES[role]
        for index, part in enumerate(content):
            part_type = part.get("type") if isinstance(part, dict) else None
            if role == "assistant" and dialect == "beta":
                part_type = _BETA_ASSISTANT.get(part_type, part_type)
                part["type"] = part_type
            if part_type not in allowed:
                raise _invalid(part_type, allowed, f"item.content[{index}].type")
            if part_type == "input_audio":
                self._take_input_audio(item, part, index)
            if part_type == "output_audio":
                raise ProtocolError("invalid_value", "Assistant audio cannot be added by the client; add "
                                    "'output_text' content instead.", f"item.content[{index}].type")

    def _take_input_audio(self, item: dict[str, Any], part: dict[str, Any], index: int) -> None:
        try:
            pcm = base64.b64decode(part.get("audio") or "", validate=True)
        except ValueError:
            raise ProtocolError("invalid_value", "Invalid 'audio': expected base64-encoded audio bytes.",
                                f"item.content[{index}].audio") from None
        self.append_audio(item["id"], pcm)
        part.pop("audio", None)
        part.setdefault("transcript", None)

    def append_audio(self, item_id: str, pcm: bytes) -> None:
        """Grow an item's audio in place (a reply streams hundreds of chunks; re-joining them is quadratic)."""
        audio = self.audio.get(item_id)
        if not isinstance(audio, bytearray):
            audio = self.audio[item_id] = bytearray(audio or b"")
        audio += pcm

    def insert(self, item: dict[str, Any], previous_item_id: Any = None) -> str | None:
        """Insert and return the id of the item now before it (None at the start)."""
        if previous_item_id is None:
            self.items.append(item)
        elif previous_item_id == "root":
            self.items.insert(0, item)
        else:
            positions = [i for i, existing in enumerate(self.items) if existing["id"] == previous_item_id]
            if not positions:
                raise ProtocolError("item_create_invalid_previous_item_id", "Error adding item: the previous item "
                                    f"with id '{previous_item_id}' does not exist.", "previous_item_id")
            self.items.insert(positions[0] + 1, item)
        index = self.items.index(item)
        return self.items[index - 1]["id"] if index else None

    def delete(self, item_id: str) -> bool:
        item = self.get(item_id)
        if item is None:
            return False
        self.items.remove(item)
        self.audio.pop(item_id, None)
        return True

    def truncate(self, item_id: str, content_index: Any, audio_end_ms: Any) -> None:
        item = self.get(item_id)
        if item is None:
            raise ProtocolError("item_truncate_invalid_item_id",
                                f"Error truncating item: the item with id '{item_id}' does not exist.", "item_id")
        content = item.get("content") or []
        is_model_audio = item.get("role") == "assistant" and any(p.get("type") == "output_audio" for p in content)
        if not is_model_audio:
            raise ProtocolError("unsupported_content_type", "Only model output audio messages can be truncated",
                                "item_id")
        if not isinstance(content_index, int) or isinstance(content_index, bool) or not (
                0 <= content_index < len(content)) or content[content_index].get("type") != "output_audio":
            raise ProtocolError("invalid_value", f"Invalid 'content_index': the item has no audio content at index "
                                f"{content_index}.", "content_index")
        if not isinstance(audio_end_ms, int) or isinstance(audio_end_ms, bool):
            raise ProtocolError("invalid_type", "Invalid type for 'audio_end_ms': expected an integer.", "audio_end_ms")
        if audio_end_ms < 0:
            raise ProtocolError("integer_below_min_value", "Invalid 'audio_end_ms': integer below minimum value. "
                                f"Expected a value >= 0, but got {audio_end_ms} instead.", "audio_end_ms")
        audio = self.audio.get(item_id, b"")
        have_ms = len(audio) // PCM_BYTES_PER_MS
        if audio_end_ms > have_ms:
            raise ProtocolError("invalid_value", f"Audio content of {have_ms}ms is already shorter than "
                                f"{audio_end_ms}ms", "audio_end_ms")
        kept = audio_end_ms * PCM_BYTES_PER_MS
        self.audio[item_id] = audio[:kept]
        part = content[content_index]
        words = (part.get("transcript") or "").split()
        total_words, total_ms = self.alignment.get(item_id, (len(words), have_ms))
        heard = round(total_words * audio_end_ms / total_ms) if total_ms else 0
        part["transcript"] = " ".join(words[:heard])
