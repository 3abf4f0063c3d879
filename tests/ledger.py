"""The hardening ledger: what the fault and property tests did, counted as they do it, and said
in one line at the end of the run (tests/conftest.py prints it).

    hardening: 2,311 bad inputs tried, 41 faults injected, 47 sessions held,
               0 tracebacks seen, 0 records lost or torn

A test asks for the `ledger` fixture and reports real events: each hostile input it fed
(`bad_input`, or `result_or_sentence`, which also checks the answer), each fault it injected
(`fault`), each concurrent session it held open (`sessions`), each record it checked after a
fault (`records`), and what a user would have seen as a traceback (`result_or_sentence`
counts an exception that is not a sentence; `no_traceback` checks a page's text). A count is
never a constant: a test that stops feeding inputs makes the line smaller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# What a page shows when an error escaped as a traceback (Streamlit's exception element, or
# a Python traceback's first line in any text).
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'data-testid="stException"')


@dataclass
class Ledger:
    bad_inputs: int = 0
    faults: int = 0
    sessions_held: int = 0
    tracebacks: int = 0
    lost_or_torn: int = 0

    def bad_input(self, n: int = 1) -> None:
        self.bad_inputs += n

    def fault(self, n: int = 1) -> None:
        self.faults += n

    def sessions(self, n: int) -> None:
        """`n` sessions (browser tabs, app sessions, writer processes) were held at once."""
        self.sessions_held += n

    def records(self, expected: int, found: int, torn: int = 0) -> None:
        """After a fault: `expected` records should be there, `found` are, `torn` are broken."""
        self.lost_or_torn += max(expected - found, 0) + torn

    def traceback(self, n: int = 1) -> None:
        self.tracebacks += n

    def result_or_sentence(self, fn: Callable[..., Any], *args,
                           sentence: type[BaseException] | tuple[type[BaseException], ...],
                           **kwargs) -> tuple[Any, BaseException | None]:
        """Feed one hostile input: fn(*args) must return, or raise `sentence` with a message
        a person can read (non-empty, no traceback in it). Anything else is counted as a
        traceback a user would have seen, and re-raised so the test fails.
        Returns (result, None) or (None, the sentence's exception)."""
        self.bad_inputs += 1
        try:
            return fn(*args, **kwargs), None
        except sentence as exc:
            said = str(exc)
            if not said.strip() or any(mark in said for mark in TRACEBACK_MARKS):
                self.tracebacks += 1
                raise AssertionError(f"{type(exc).__name__} without a sentence: {said!r}") \
                    from exc
            return None, exc
        except BaseException:
            self.tracebacks += 1
            raise

    def no_traceback(self, text: str, where: str = "the page") -> None:
        """Check what a person sees (a page's HTML or text) for a traceback."""
        if any(mark in text for mark in TRACEBACK_MARKS):
            self.tracebacks += 1
            raise AssertionError(f"{where} shows a traceback")

    def app_run(self, at) -> None:
        """After an AppTest run: Streamlit's exception elements are tracebacks a user sees."""
        if len(at.exception):
            self.tracebacks += len(at.exception)
            raise AssertionError(f"the page shows a traceback: {at.exception[0].value}")

    def counts(self) -> dict[str, int]:
        return dict(vars(self))

    def add(self, counts: dict[str, int]) -> None:
        """Add another process's counts (a pytest-xdist worker's) to these."""
        for name, n in counts.items():
            setattr(self, name, getattr(self, name) + n)

    def line(self) -> str:
        return (f"hardening: {self.bad_inputs:,} bad inputs tried, {self.faults:,} faults "
                f"injected, {self.sessions_held:,} sessions held, {self.tracebacks:,} "
                f"tracebacks seen, {self.lost_or_torn:,} records lost or torn")


LEDGER = Ledger()  # one per test process; pytest-xdist's workers add theirs to the controller's
