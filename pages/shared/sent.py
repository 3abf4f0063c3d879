"""Only what changed goes to the browser. A page that polls a job (a fit's progress, a queue's
place, a sweep's bar) sends an element again only when its content changed: a class waiting at
once is many pages polling, and each message is work for the server and a redraw in a browser.
"""

from __future__ import annotations

_NOTHING = object()


class LastSent:
    """What one element was last sent. `changed(value)` is True, and remembers `value`, when it
    differs from that (always the first time)."""

    def __init__(self) -> None:
        self._last: object = _NOTHING

    def changed(self, value: object) -> bool:
        if value == self._last:
            return False
        self._last = value
        return True
