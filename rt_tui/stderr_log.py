"""Keep C libraries' stderr off the TUI: file descriptor 2 goes to a log file while the app runs.

PortAudio and ALSA write straight to fd 2 (e.g. "ALSA lib pcm.c: … Unknown PCM" when a device disappears),
which garbles a Textual screen. During `stderr_to_log(path)`:
* fd 2 is the log file, so those writes land there;
* a duplicate of the original fd 2 (the terminal) becomes `sys.stderr` and `sys.__stderr__` — Textual draws
  on `sys.__stderr__`, and Python tracebacks printed by Textual after the app exits go through `sys.stderr`,
  so both still reach the terminal.
On exit fd 2 and the Python objects are restored, so a later uncaught traceback is visible as usual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_LOG_BYTES = 1_000_000  # a bigger log is started afresh rather than growing across sessions


def default_log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("rt-tui", appauthor=False)) / "stderr.log"


@contextmanager
def stderr_to_log(path: Path) -> Iterator[Path]:
    """Redirect fd 2 to `path` (appended, created 0600) for the duration; yields the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
        path.unlink()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    terminal_fd = os.dup(2)
    terminal = os.fdopen(terminal_fd, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8",
                         errors="backslashreplace")
    saved = sys.stderr, sys.__stderr__
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stderr = sys.__stderr__ = terminal
    try:
        yield path
    finally:
        terminal.flush()
        os.dup2(terminal.fileno(), 2)
        sys.stderr, sys.__stderr__ = saved
        terminal.close()


def log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
