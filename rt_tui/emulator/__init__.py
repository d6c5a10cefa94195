"""The local realtime emulator: a real websockets server speaking the GA and beta wire dialects.

Modules: `server` (transport, routes, auth, dialect), `session` (per-connection state and handlers),
`conversation` (items and their errors), `response` (event sequences and pacing), `audio_input`
(buffer, VAD turns, barge-in, transcription), `settings` (session.update), `protocol` (ids, defaults,
errors, GA→beta rendering), `responder` + `script` (replies), `faults`, `tls`, `validate`, `cli`.

Choices where the protocol brief (§7) leaves a question open:
1. Azure classic path with a date-only api-version: `2025-08-28` and later → GA, earlier dates and
   `*-preview` → beta. The classic path is served regardless of Microsoft's deprecation date.
2. Azure `/openai/v1/realtime` with `OpenAI-Beta: realtime=v1`: the header is ignored (GA).
3. GA audio content parts use `part.type: "audio"` (as the SDK and docs say); items hold `output_audio`.
4. GA `output_modalities ["text","audio"]` → `invalid_value` "Invalid modalities: [...]. Supported
   combinations are: ['text'] and ['audio']." (param `session.output_modalities`); when `session.type` is
   missing as well, the missing type is reported first.
5. "Audio content of …ms is already shorter than …ms" uses code `invalid_value` (param `audio_end_ms`);
   unknown truncate id → `item_truncate_invalid_item_id` "Error truncating item: the item with id 'X'
   does not exist."; unknown `previous_item_id` → `item_create_invalid_previous_item_id`; a
   `function_call_output` with an unknown `call_id` is accepted.
6. Audio close-out order: `response.output_audio.done`, then `…output_audio_transcript.done`, then
   `response.content_part.done`. A VAD-cancelled response closes every open event (audio/transcript
   done, content_part.done, conversation.item.done and response.output_item.done with the item
   `incomplete`), then `response.done` `cancelled`/`turn_detected`, then `rate_limits.updated`.
7. `idle_timeout_ms` accepts 5000–30000 (server_vad only). Azure routes report the same
   `session.created` defaults as OpenAI but expire after 30 minutes (OpenAI GA: 60). Unknown deployments
   are served (any name). `rate_limits.updated` follows every `response.done` on all routes.
8. `beta_api_shape_disabled` message: "The beta Realtime API shape is disabled; remove the
   'OpenAI-Beta: realtime=v1' header to use the GA API." (close 4000, reason
   `invalid_request_error.beta_api_shape_disabled`).
Other decisions: a VAD turn commits the detected speech with its prefix padding (from `audio_start_ms`
to `audio_end_ms`); audio before it is dropped and audio after it stays in the buffer for the next
turn. Errors for input the brief leaves open: bad base64 / odd byte counts in an append →
`invalid_value` (param `audio`); unsupported-but-known client types (`session.close`,
`transcription_session.update`) → `unsupported_event`. `session.update` merges nested objects except `turn_detection` and formats, which a
given object replaces (missing fields take the service defaults); `model` in an update is accepted and
ignored (the model is fixed). The emulator cannot understand speech: input transcripts are an honest
marker ("[1.4 s of speech; the emulator does not transcribe audio]") and spoken turns are answered as
such. Token usage is estimated (see `usage`). A new VAD turn while a response runs with
`interrupt_response` off does not start a second response.
The idle timeout (`idle_timeout_ms`) starts when the last response's audio would have finished playing:
`response.done` plus that response's audio duration, as the service documents; `timeout_triggered` spans the
audio written since then. A truncate naming a content index that holds no output audio → `invalid_value`
(param `content_index`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Emulator", "EmulatorOptions", "EmulatorThread", "FaultOptions", "Script"]


def __getattr__(name: str) -> Any:
    # Lazy, so `rt-tui --help` can import rt_tui.emulator.cli without loading websockets and numpy.
    if name in ("Emulator", "EmulatorThread"):
        from . import server

        return getattr(server, name)
    if name == "EmulatorOptions":
        from .options import EmulatorOptions

        return EmulatorOptions
    if name == "FaultOptions":
        from .faults import FaultOptions

        return FaultOptions
    if name == "Script":
        from .script import Script

        return Script
    raise AttributeError(name)
