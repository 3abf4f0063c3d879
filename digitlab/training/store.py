"""One explicit store of finished fits and of the features they were fitted on; single-flight.

Whoever wants fits shared holds a `FitStore` and passes it to `fitting.fit(..., store=...)`: the
app (one per server, for every session), a benchmark row that measures caching, a test.
Nothing else caches: without a store, a fit starts from the pixels.

Why sharing is safe: a key names the data (its checksum) and every setting that changes the
value, and values are never modified (feature arrays are read-only, fits are frozen).

Single-flight: when several callers ask for the same key at once, one computes it and the
others wait for that value, seeing its progress events as they come. Ten sessions pressing
Train on the same preset at the same moment fit once and hold one copy of the features
(without it, measured here: ten concurrent fits took the server from ~590 to ~890 MB).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from digitlab.runtime.jobs import Stopped

_POLL_S = 0.05  # how often a waiter relays new events and asks whether to stop waiting


class _Flight:
    """One computation in progress: its events so far, then its value or error."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.events: list[Any] = []  # appended by the leader only (atomic in CPython)
        self.value: Any = None
        self.kept = False
        self.error: BaseException | None = None


class SingleFlightCache:
    """A least-recently-used map whose misses are computed once, however many callers ask at
    the same time."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Any:
        """The stored value, or None (never waits, never computes)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def holds(self, key: Hashable) -> bool:
        """Whether a value is stored under `key` (peek's answer, without counting as a use)."""
        with self._lock:
            return key in self._items

    def get_or_compute(self, key: Hashable, compute: Callable[[Callable[[Any], None]], Any], *,
                       keep: Callable[[Any], bool] = lambda value: True,
                       on_event: Callable[[Any], None] | None = None,
                       should_stop: Callable[[], bool] | None = None,
                       private: bool = False) -> tuple[Any, str]:
        """(value, how): how is "stored", "computed" or "joined" (waited for another caller's
        computation of the same key); (None, "abandoned") when should_stop() ended a wait.

        compute(emit) returns the value; each `emit(event)` reaches this caller's on_event and
        every waiter's. A value is stored only if keep(value) (a fit stopped by its own caller
        is not what its key describes); waiters then compute it themselves, as they do when
        compute raises Stopped. A private call (a
        warm start: its value depends on more than the key) uses a stored or running value
        of the key if there is one, but neither registers its own nor stores it.
        """
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key], "stored"
                flight = self._flights.get(key)
                lead = flight is None
                if lead and not private:
                    flight = self._flights[key] = _Flight()
            if flight is None:  # leading a private call: nothing registered, nothing stored
                return compute(on_event or (lambda event: None)), "computed"
            if lead:
                return self._lead(key, flight, compute, keep, on_event), "computed"
            if not self._follow(flight, on_event, should_stop):
                return None, "abandoned"
            if flight.error is not None:
                raise flight.error  # the same inputs would fail the same way here
            if flight.kept:
                return flight.value, "joined"
            # the leader's value was not kept (it was stopped): compute it again

    def _lead(self, key, flight: _Flight, compute, keep, on_event) -> Any:
        def emit(event: Any) -> None:
            flight.events.append(event)
            if on_event is not None:
                on_event(event)

        try:
            flight.value = compute(emit)
            flight.kept = bool(keep(flight.value))
            return flight.value
        except BaseException as exc:
            if not isinstance(exc, Stopped):
                flight.error = exc
            raise
        finally:
            with self._lock:
                if flight.kept:
                    self._items[key] = flight.value
                    self._items.move_to_end(key)
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
                del self._flights[key]
            flight.done.set()

    @staticmethod
    def _follow(flight: _Flight, on_event, should_stop) -> bool:
        """Relay the leader's events until it is done (True) or should_stop() (False)."""
        seen = 0
        while True:
            finished = flight.done.wait(_POLL_S)
            events = flight.events
            if on_event is not None:
                for event in events[seen:]:
                    on_event(event)
            seen = len(events)
            if finished:
                return True
            if should_stop is not None and should_stop():
                return False

    def values(self) -> list:
        """The stored values, the least recently used first."""
        with self._lock:
            return list(self._items.values())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class FitStore:
    """Finished fits (a fitted model is ~31 kB of weights: keep many) and the last two training
    features, keyed as digitlab.training.fitting builds them: 187 MB for the full split's
    pixels, 286 MB for its rbf map. Two, not one: when some of a class pick rbf features, their
    fits take turns with the pixel fits in the fair queue, and with one kept an rbf fit after a
    pixel fit mapped the images again (the full split's rbf map took 19 s on a busy machine:
    digitlab.training.fitting), up to once per rbf student. The rbf entry is made from the
    pixel entry (the same rows, and the same pixel features to map), so the images become
    pixel features once, and the two entries hold the rows once."""

    def __init__(self, fits: int = 32, features: int = 2):
        self.fits = SingleFlightCache(fits)
        self.features = SingleFlightCache(features)

    def clear(self) -> None:
        """Forget every stored fit and feature array (the next fit starts cold)."""
        self.fits.clear()
        self.features.clear()
