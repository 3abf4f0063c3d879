"""A fair queue for heavy work: at most `workers` pieces run at once, the rest wait their turn.

    queue = FairQueue(workers=2)                       # one per server (the app's fits)
    with queue.turn(Request(owner="ann", kind="fast pixels", size=59.5), should_stop) as threads:
        ...                                            # the fit, with `threads` BLAS threads

Why: twenty students pressing Train with twenty settings started twenty fits at once on two
cores, and everyone waited until nearly everyone was done (first result after 55 s where one
fit takes 1.2 s). With a bound, the cores finish one fit after another and results arrive in
order of asking.

The rules:
- first come, first served per owner (a student): an owner has at most one waiting entry, and
  a new request replaces it (the old one ends as "replaced" and nothing runs for it; the new
  one joins the back, as any new request does);
- an entry asked `first` (the teacher's, in class mode) waits ahead of every other waiting
  entry, behind earlier `first` ones; it never stops a running one;
- leaving (`leave`, or `should_stop()` turning true while waiting: Stop, a closed tab) removes
  the entry, and nothing runs for it; a running entry that ends, however it ends (an error
  too), frees its worker at once;
- `place` says where an entry stands and estimates the seconds until its result from the
  durations of recent work of the same kind (a running median per kind, per unit of `size`),
  or the request's `prior`, or says it has no estimate yet.

Work asked by several callers at once (the same fit) is shared above this queue, by the
single-flight store (digitlab.training.store): only its leader takes a place here.

The queue holds no thread of its own: each piece runs in its caller's thread (a BackgroundJob's)
once `turn` has given it a worker, so a waiting entry costs an idle thread and nothing more.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from digitlab.runtime.jobs import BackgroundJob, Stopped
from digitlab.text import N_

_POLL_S = 0.05  # how often a waiting caller asks should_stop()
_RECENT = 20  # durations kept per kind for the running median


def cores() -> int:
    return os.cpu_count() or 1


def workers_setting(name: str, default: int) -> int:
    """How many pieces run at once: the environment variable `name` (a server's setting, e.g.
    DIGITLAB_FIT_WORKERS=2) if set, else `default`."""
    given = os.environ.get(name, "").strip()
    if not given:
        return default
    if not given.isdigit() or int(given) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1 (how many run at once); "
                         f"got {given!r}. Unset it to use one per core.")
    return int(given)


@dataclass(frozen=True)
class Request:
    """What a caller asks the queue for: who asks (`owner`: one waiting entry each), what kind
    of work (estimates are per kind), how big (`size`, in the kind's units: seconds scale with
    it), whether it goes ahead of the others' waiting work, a key its followers can find it by,
    and a guess of its seconds for a kind never measured here (`prior`)."""

    owner: Hashable
    kind: str = ""
    size: float = 1.0
    first: bool = False
    key: Hashable = None
    prior: float | None = None


WAITING, RUNNING, DONE, LEFT, REPLACED = "waiting", "running", "done", "left", "replaced"


class Ticket:
    """One request's entry: its state moves waiting -> running -> done, or waiting -> left or
    replaced (then nothing runs for it)."""

    def __init__(self, request: Request):
        self.request = request
        self.state = WAITING
        self.asked = time.monotonic()
        self.started: float | None = None
        self.threads = 1  # the threads it may use, given with its turn
        self._moved = threading.Event()  # set when it leaves the waiting line

    @property
    def waiting(self) -> bool:
        return self.state == WAITING


@dataclass(frozen=True)
class Place:
    """Where an entry stands: how many waiting entries are ahead of it, how many run now, and
    the estimated seconds until its result (None: no estimate yet)."""

    state: str
    ahead: int
    running: int
    seconds: float | None


class FairQueue:
    """A bounded pool of turns, first come first served per owner (module docstring).

    workers : how many pieces run at once (default: one per core);
    threads : the threads each may use, so that workers x threads is about the cores;
    share_idle : a piece takes the cores no running piece holds (at least one) instead of
        `threads`: alone it has them all, and beside others it has what they leave. For work
        that runs its own threads well but not perfectly (a sweep: nine lockstep fits took
        9.9 s on two threads and 13.6 s on one, so two sweeps side by side on a thread each
        finish a class's sweeps sooner than one after another on two, and one alone keeps
        its two)."""

    def __init__(self, workers: int | None = None, total_cores: int | None = None,
                 share_idle: bool = False):
        total = total_cores or cores()
        self.workers = max(1, int(workers or total))
        self.threads = max(1, total // self.workers)
        self.total_cores, self.share_idle = total, share_idle
        self._lock = threading.Lock()
        self._waiting: list[Ticket] = []
        self._running: list[Ticket] = []
        self._recent: dict[str, deque[float]] = {}  # kind -> seconds per unit of size

    # --- asking, waiting, leaving --------------------------------------------------------------

    def submit(self, request: Request) -> Ticket:
        """A waiting entry for `request` (replacing its owner's waiting one), started at once
        when a worker is free."""
        ticket = Ticket(request)
        with self._lock:
            for old in [t for t in self._waiting if t.request.owner == request.owner]:
                self._waiting.remove(old)
                old.state = REPLACED
                old._moved.set()
            at = len(self._waiting)
            if request.first:  # behind the earlier first ones, ahead of everyone else
                at = sum(1 for t in self._waiting if t.request.first)
            self._waiting.insert(at, ticket)
            self._dispatch()
        return ticket

    def wait(self, ticket: Ticket, should_stop: Callable[[], bool] | None = None) -> bool:
        """Block until the ticket's turn (True: it runs and holds a worker until `done`), or
        until it was replaced or left, or should_stop() turned true (False: it left; nothing
        runs for it)."""
        while True:
            moved = ticket._moved.wait(_POLL_S)
            if moved and ticket.state != RUNNING:
                return False
            stop = should_stop is not None and should_stop()
            if stop:
                self.leave(ticket)
                return False
            if moved:
                return True

    def leave(self, ticket: Ticket, waiting_only: bool = False) -> None:
        """Take the ticket out: a waiting one leaves the line (nothing runs for it); a running
        one frees its worker without its duration being counted, unless `waiting_only` (a
        page's Leave button: a piece whose turn has just come frees its worker itself when it
        has stopped). Safe from any thread."""
        with self._lock:
            if ticket.state == WAITING:
                self._waiting.remove(ticket)
            elif ticket.state == RUNNING and not waiting_only:
                self._running.remove(ticket)
            else:
                return
            ticket.state = LEFT
            ticket._moved.set()
            self._dispatch()

    def done(self, ticket: Ticket) -> None:
        """A running ticket's work is finished: its duration joins its kind's median and its
        worker goes to the next waiting entry."""
        with self._lock:
            if ticket.state != RUNNING:
                return
            self._running.remove(ticket)
            ticket.state = DONE
            r = ticket.request
            if ticket.started is not None and r.size > 0:
                seconds = time.monotonic() - ticket.started
                self._recent.setdefault(r.kind, deque(maxlen=_RECENT)).append(seconds / r.size)
            self._dispatch()

    @contextlib.contextmanager
    def turn(self, request: Request, should_stop: Callable[[], bool] | None = None,
             on_ticket: Callable[[Ticket], None] | None = None) -> Iterator[int]:
        """Wait for a turn, hold a worker for the block, free it however the block ends; the
        block gets the BLAS threads it may use. Raises Stopped when the ticket leaves the
        line instead (replaced, left, or should_stop()). `on_ticket` hears of the ticket as
        soon as it is in the line (a page shows its place)."""
        ticket = self.submit(request)
        if on_ticket is not None:
            on_ticket(ticket)
        if not self.wait(ticket, should_stop):
            if ticket.state == REPLACED:
                raise Stopped(N_("Replaced by a newer request from the same person before its "
                                 "turn came; nothing ran for it."))
            raise Stopped(N_("Left the queue before its turn came; nothing ran for it."))
        ok = False
        try:
            yield ticket.threads
            ok = True
        finally:
            if ok:
                self.done(ticket)
            else:  # an error or a stop: free the worker, and do not count the time
                self.leave(ticket)

    def _dispatch(self) -> None:
        """Give free workers to the first waiting entries (the caller holds the lock)."""
        while self._waiting and len(self._running) < self.workers:
            ticket = self._waiting.pop(0)
            ticket.state, ticket.started = RUNNING, time.monotonic()
            if self.share_idle:
                held = sum(t.threads for t in self._running)
                ticket.threads = max(1, self.total_cores - held)
            else:
                ticket.threads = self.threads
            self._running.append(ticket)
            ticket._moved.set()

    # --- what a page shows ---------------------------------------------------------------------

    def place(self, ticket: Ticket) -> Place:
        with self._lock:
            running = len(self._running)
            if ticket.state != WAITING:
                return Place(ticket.state, 0, running, None)
            ahead = self._waiting[:self._waiting.index(ticket)]
            return Place(WAITING, len(ahead), running, self._until_result(ahead, ticket))

    def find(self, key: Hashable) -> Ticket | None:
        """The waiting or running ticket filed under `key` (None if there is none): a caller
        waiting for the same work shows its place."""
        if key is None:
            return None
        with self._lock:
            return next((t for t in self._waiting + self._running if t.request.key == key),
                        None)

    def counts(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._lock:
            return len(self._running), len(self._waiting)

    def estimate(self, request: Request) -> float | None:
        """Seconds the request's work takes: its kind's recent median per unit of size times
        its size, else its prior, else None."""
        with self._lock:
            return self._seconds(request)

    def _seconds(self, request: Request) -> float | None:
        recent = self._recent.get(request.kind)
        if recent:
            return statistics.median(recent) * request.size
        return request.prior

    def _until_result(self, ahead: list[Ticket], ticket: Ticket) -> float | None:
        """Seconds until `ticket`'s result: the running pieces' remaining time and the entries
        ahead handed to the worker free first, then its own (the caller holds the lock)."""
        now = time.monotonic()
        free = [0.0] * (self.workers - len(self._running))
        for t in self._running:
            total = self._seconds(t.request)
            if total is None:
                return None
            # past its estimate: still running, so count a little more, not nothing
            free.append(max(total - (now - (t.started or now)), 0.1 * total))
        for t in ahead:
            seconds = self._seconds(t.request)
            if seconds is None:
                return None
            i = free.index(min(free))
            free[i] += seconds
        own = self._seconds(ticket.request)
        return None if own is None else min(free) + own


class QueuedJob(BackgroundJob):
    """A background job that waits in a FairQueue for its turn (a fit, a sweep): as `owner`'s
    one waiting entry, ahead of the others' when `first` (the teacher's). Its `_run` passes
    `_took` as the queue's on_ticket, so `waiting()` and `leave()` know its entry.

    A job whose identical work another session asked for first waits for that work instead
    of taking a place of its own (a store's single flight): its `key` is the work's, filed in
    the queue by the job that does it, so `waiting()` shows that job's place."""

    def __init__(self, owner_alive: Callable[[], bool] | None = None,
                 queue: FairQueue | None = None, owner: Hashable = None, first: bool = False):
        super().__init__(owner_alive)
        self.queue, self.owner, self.first = queue, owner, first
        self.ticket: Ticket | None = None  # its entry in the queue, once it has one
        self.key: Hashable = None  # its work's key in a store, when identical work is shared

    def began(self) -> bool:
        """Whether its work has begun (its first progress): it no longer waits, whatever
        else it shares."""
        return False

    def waiting(self) -> tuple[Place, bool] | None:
        """(its place, whether it waits for another session's identical work) while it waits
        in the queue for a turn; None otherwise (running, finished, or no queue)."""
        if self.queue is None or not self.running or self.began():
            return None
        if self.ticket is not None:
            place = self.queue.place(self.ticket)
            return (place, False) if place.state == WAITING else None
        leader = self.queue.find(self.key)
        if leader is not None and leader.waiting:
            return self.queue.place(leader), True
        return None

    def leave(self) -> None:
        """Leave the queue now (from the page's thread): nothing runs for this job."""
        if self.queue is not None and self.ticket is not None:
            self.queue.leave(self.ticket, waiting_only=True)
        self.stop()

    def _took(self, ticket: Ticket) -> None:
        self.ticket = ticket


# What a waiting person reads, whole sentences per kind of work (so that each language can
# say them its own way); {n} and {running} are counts, {time} a duration from _seconds_words.
_WORDS = {
    "fit": {
        "next": N_("Yours is next: it starts when a running fit ends"),
        "next_shared": N_("Waiting for the same fit another session asked for: it is next"),
        "ahead": N_("Fits ahead of yours: {n}"),
        "ahead_shared": N_("Fits ahead of the same fit another session asked for: {n}"),
        "measured": N_("Running now: {running}. Estimated from the fits that finished here "
                       "recently."),
    },
    "sweep": {
        "next": N_("Yours is next: it starts when a running sweep ends"),
        "next_shared": N_("Waiting for the same sweep another session asked for: it is next"),
        "ahead": N_("Sweeps ahead of yours: {n}"),
        "ahead_shared": N_("Sweeps ahead of the same sweep another session asked for: {n}"),
        "measured": N_("Running now: {running}. Estimated from the sweeps that finished here "
                       "recently."),
    },
}


def waiting_words(place: Place, noun: str = "fit", shared: bool = False) -> tuple[str, str, str]:
    """(a headline, when, a note) for someone whose work waits, e.g. ("Fits ahead of yours: 3",
    "Your result in about 8 s", "Running now: 2. Estimated from the fits that finished here
    recently."), each a Message a page can translate. `noun`: "fit" or "sweep"; `shared`: they
    wait for another person's identical request."""
    words = _WORDS[noun]
    if place.ahead == 0:
        head = words["next_shared" if shared else "next"]
    else:
        head = words["ahead_shared" if shared else "ahead"]
        head = N_(head.msgid, n=place.ahead)
    if place.seconds is None:
        return (head, N_("No estimate yet"),
                N_("Running now: {running}. Nothing of this kind has finished here since the "
                   "server started.", running=place.running))
    return (head, N_("Your result in about {time}", time=_seconds_words(place.seconds)),
            N_(words["measured"].msgid, running=place.running))


def _seconds_words(seconds: float) -> str:
    """A duration as a person reads an estimate: whole seconds under 10 s, then steps of 5 s,
    then minutes; coarse on purpose, so that it changes every few seconds, not every poll."""
    if seconds < 9.5:
        return N_("{n} s", n=round(max(seconds, 1)))
    if seconds < 90:
        return N_("{n} s", n=5 * round(seconds / 5))
    return N_("{n} min", n=round(seconds / 60))
