"""Children's data in class mode: whether the class's drawings are collected at all, and for
how many days they are kept. No Streamlit here (the app's glue: pages/panels/classset_panel.py).

Both come from the server's environment, set by `run.py app --class` (its options --collect and
--keep-days) or by hand, just as the class password is:

    DIGITLAB_CLASS_COLLECT    consent (default): each student ticks a box before Save appears
                              none: nothing a student draws is saved (Save is hidden)
    DIGITLAB_CLASS_KEEP_DAYS  whole days a saved drawing is kept (default 30); older records
                              are deleted for good when the server starts

While the server runs, the teacher may change the collection setting (`Collection.change`); a
student's attempt is refused with `NotAllowed`. A restart goes back to the environment's value.
"""

from __future__ import annotations

import os
import threading

from digitlab.classroom.classdb import ClassSetError
from digitlab.classroom.classset import NotAllowed, Who
from digitlab.text import N_

COLLECT_ENV = "DIGITLAB_CLASS_COLLECT"
KEEP_DAYS_ENV = "DIGITLAB_CLASS_KEEP_DAYS"
CONSENT, NONE = "consent", "none"
COLLECT = (CONSENT, NONE)
KEEP_DAYS = 30  # a unit of lessons: long enough to train again next week, short enough to forget
MAX_KEEP_DAYS = 3650


def collect_choice(text: str | None) -> str:
    """`consent` or `none` (the default when unset); anything else is a sentence."""
    value = (text or CONSENT).strip().lower()
    if value not in COLLECT:
        raise ClassSetError(N_("The collection setting must be 'consent' or 'none', not "
                               "'{value}'.", value=value))
    return value


def keep_days(text: str | None) -> int:
    """Whole days to keep records, 1-3650 (30 when unset); anything else is a sentence."""
    if text is None or not text.strip():
        return KEEP_DAYS
    try:
        days = int(text.strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_KEEP_DAYS:
        raise ClassSetError(N_("The days to keep drawings must be a whole number from 1 to "
                               "{most}, not '{value}'.", most=MAX_KEEP_DAYS, value=text.strip()))
    return days


def keep_days_from_env() -> int:
    return keep_days(os.environ.get(KEEP_DAYS_ENV))


class Collection:
    """Whether drawings are collected, one for the whole server (every session's thread)."""

    def __init__(self, value: str | None = None):
        self._value = collect_choice(value if value is not None
                                     else os.environ.get(COLLECT_ENV))
        self._lock = threading.Lock()

    @property
    def value(self) -> str:
        return self._value

    @property
    def asks_consent(self) -> bool:
        return self._value == CONSENT

    def change(self, value: str, who: Who) -> None:
        """The teacher sets `consent` or `none` for everyone; anyone else is refused."""
        if not who.teacher:
            raise NotAllowed(N_("Only the teacher can change whether drawings are collected."))
        value = collect_choice(value)
        with self._lock:
            self._value = value
