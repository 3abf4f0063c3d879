"""Work run in a thread of its own by a test, its outcome handed back to the test's thread: an
assertion or a pytest.raises inside a thread fails only as a warning, so the test asserts here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class InThread:
    """`t = InThread(fn)` starts fn() in a thread; `t.result()` is its value once it has ended
    (its exception raised in the caller), `t.error()` its exception or None."""

    def __init__(self, fn: Callable[[], Any]):
        self._outcome: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._run, args=(fn,))
        self.thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self._outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            self._outcome["error"] = exc

    def join(self, timeout: float = 10) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the thread still runs after {timeout} s"

    def error(self, timeout: float = 10) -> BaseException | None:
        self.join(timeout)
        return self._outcome.get("error")

    def result(self, timeout: float = 10) -> Any:
        error = self.error(timeout)
        if error is not None:
            raise error
        return self._outcome["value"]
