"""Work in a daemon thread that a page polls: start it, ask it to stop, see whether it still
runs and for how long, wait for it. training.TrainingJob (one fit) and sweeps.SweepJob (a
sweep) are its two kinds; each writes its own `_run`, which polls `should_stop`. Work that ends
because its caller asked raises `Stopped` (a fit's FitStopped is one).

A job whose owner is gone (`owner_alive()` false for ABANDON_AFTER_S: a closed tab) stops as if
Stop had been pressed: nobody will see its result, and in a class its cores are wanted.

No lock is needed: the worker only appends to lists and sets attributes once (both atomic in
CPython), and the page only reads them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Self

# A job whose owner (a browser tab) has been gone this long is stopped: long enough for a
# phone's websocket to reconnect after a blip, short enough that a closed tab's fit frees its
# core within about a second.
ABANDON_AFTER_S = 1.0


class Stopped(RuntimeError):
    """A computation ended by its own caller's request: no answer for anyone else, so a caller
    waiting for the same key computes it itself instead of receiving this."""


class BackgroundJob:
    """`_run` in a daemon thread named `thread_name`; `finished` is when it ended (None while it
    runs); `error` (a sentence for the page) and `exception` are the subclass's to set."""

    thread_name = "digitlab-job"

    def __init__(self, owner_alive: Callable[[], bool] | None = None) -> None:
        self.error: str | None = None  # a sentence for the page
        self.exception: BaseException | None = None  # kept for tests and bug reports
        self.started = time.monotonic()
        self.finished: float | None = None
        self._stop = threading.Event()
        self.owner_alive = owner_alive
        self.abandoned = False  # stopped because its owner was gone
        self._gone_since: float | None = None
        self._thread = threading.Thread(target=self._main, name=self.thread_name, daemon=True)

    def start(self) -> Self:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the work to stop; what it keeps is the subclass's to say."""
        self._stop.set()

    def should_stop(self) -> bool:
        """Polled by the work: Stop was pressed, or the owner has been gone ABANDON_AFTER_S."""
        if self._stop.is_set():
            return True
        if self.owner_alive is None or self.owner_alive():
            self._gone_since = None
            return False
        now = time.monotonic()
        if self._gone_since is None:
            self._gone_since = now
        if now - self._gone_since >= ABANDON_AFTER_S:
            self.abandoned = True
            self._stop.set()
        return self.abandoned

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Block until done (tests, the CLI); True if finished."""
        self._thread.join(timeout)
        return not self.running

    def _main(self) -> None:
        try:
            self._run()
        finally:
            self.finished = time.monotonic()

    def _run(self) -> None:
        raise NotImplementedError
