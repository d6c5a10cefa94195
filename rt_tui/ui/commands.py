"""Command palette entries: instruction presets (the app's actions come from its Bindings)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

PRESETS: dict[str, str] = {
    "Concise assistant": (
        "You are a concise, friendly voice assistant. Answer in one or two short sentences. "
        "If you are not sure, say so and ask one clarifying question."
    ),
    "Translator (English ⇄ Spanish)": (
        "You are a live interpreter. When the user speaks English, repeat it in Spanish; when the user speaks "
        "Spanish, repeat it in English. Translate only; do not answer questions or add comments."
    ),
    "Customer support agent": (
        "You are a patient customer support agent for Contoso Internet. Greet the caller, find out the problem, "
        "ask for the account number before discussing account details, and summarise the next steps at the end. "
        "Keep each reply under three sentences."
    ),
    "Language tutor": (
        "You are a French tutor for a beginner. Speak slowly and simply, correct one mistake at a time, "
        "and end each reply with a short question that keeps the conversation going."
    ),
}


class PresetCommands(Provider):
    """"Preset: …" loads starter instructions into the editor and applies them."""

    def _commands(self) -> list[tuple[str, str]]:
        return [(f"Preset: {name}", text) for name, text in PRESETS.items()]

    async def discover(self) -> Hits:
        for title, text in self._commands():
            yield DiscoveryHit(title, partial(self._load, text), help="Load these instructions and apply them")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._load, text),
                          help="Load these instructions and apply them")

    def _load(self, text: str) -> None:
        self.app.load_preset(text)  # type: ignore[attr-defined]
