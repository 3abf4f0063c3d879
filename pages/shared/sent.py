"""Only what changed goes to the browser. A page that polls a job (a fit's progress, a queue's
place, a sweep's bar) sends an element again only when its content changed, and, where asked, not
more often than every so many seconds: a class waiting at once is many pages polling, and each
message is work for the server and a redraw in a browser.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

_NOTHING = object()


class LastSent:
    """What one element was last sent. `changed(value)` is True, and remembers `value`, when it
    differs from that (always the first time) and at least `every` seconds have passed since the
    last value it said True for. A change it holds back is not remembered: asked again later, it
    says True for whatever the value is then."""

    def __init__(self, every: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._last: object = _NOTHING
        self._every = every
        self._clock = clock
        self._at = -math.inf  # when the last value was let through

    def changed(self, value: object) -> bool:
        if value == self._last:
            return False
        now = self._clock()
        if now - self._at < self._every:
            return False
        self._last, self._at = value, now
        return True
