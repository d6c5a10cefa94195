"""rt-tui: a terminal playground for the GPT realtime speech API."""

__version__ = "0.1.0"
