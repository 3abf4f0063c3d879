"""The data cache's folder, when it is shared or cannot be used.

Two processes fetching into an empty cache at once (a teacher's CLI and the app, two servers)
must both succeed with one download and no torn file: the file itself is written to a temp
file and renamed (digitlab.data.sources.write_cache), and `fetch_lock()` makes the second process
wait for the first and then read what it cached instead of downloading again.

A cache folder that cannot be written (a read-only home, a path under a file) is not an error:
the data is used from memory, and `unwritable()` gives the one sentence that says so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".fetch.lock"
MEMORY = "nothing will be cached"  # begins the note that says the data runs from memory


def unwritable(folder: Path) -> str | None:
    """None when files can be created in `folder` (made if missing), else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def memory_note(folder: Path, why: str) -> str:
    """The one note (in Dataset.notes) that says the data runs from memory."""
    return (f"cache: {MEMORY}: {folder} cannot be written ({why}), so the data runs from "
            "memory and the next start fetches it again")


def as_sentence(note: str) -> str:
    """memory_note() as a page shows it: "Nothing will be cached: ... again." """
    said = note.removeprefix("cache: ")
    return said[:1].upper() + said[1:] + "."


@contextlib.contextmanager
def fetch_lock(folder: Path) -> Iterator[None]:
    """Held by one fetching process at a time (an OS lock on a file in `folder`: released even
    if the process dies). Nothing to hold where the folder cannot be written or on Windows."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one process at a time is the user's job
        yield
        return
    if unwritable(folder) is not None:
        yield
        return
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
