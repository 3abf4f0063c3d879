"""A sweep as a page's background job: SweepJob runs it in a daemon thread (digitlab.runtime.jobs)
and keeps its points as they come, for the page to poll.

On local cores the sweep runs in a child process (digitlab.sweeps.child); on a Dask cluster
from this process (digitlab.sweeps.run).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from dataclasses import replace

from digitlab.model.config import ConfigError
from digitlab.runtime import childproc
from digitlab.runtime.fairqueue import FairQueue, QueuedJob, Request
from digitlab.runtime.jobs import Stopped
from digitlab.sweeps import child as childsweep
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps.fit import PointResult
from digitlab.sweeps.run import Where
from digitlab.sweeps.spec import SweepResult, SweepSpec, points
from digitlab.text import N_, message_of
from digitlab.training.store import SingleFlightCache


class SweepJob(QueuedJob):
    """A sweep in a daemon thread, for a page to poll: `points` grows as fits end; `running`,
    `result` and `error` (a sentence) are set once; `stop()` (or the owner gone: jobs.py) ends
    every chain before its next fit and every lockstep batch within a round, keeping the
    finished points.

    On local cores the sweep runs in a child process at the lowest priority
    (digitlab.sweeps.child: a server's threads would hold its GIL), and a stop that its fits do
    not honour within about a second ends that process; on Dask, from this process.

    With a `queue` (digitlab.runtime.fairqueue: the server's sweeps' own), a local sweep waits
    there for its turn, as `owner`'s one waiting entry (ahead of the others when `first`), and
    runs with the queue's threads per worker: a class's sweeps finish one after another, and
    no more sweep processes are alive at once than the queue has workers. `waiting()` says
    where it stands; `leave()` takes it out (nothing runs for it). A Dask cluster schedules
    its own work: those sweeps do not queue here.

    With a `store` (a SingleFlightCache, one per server), identical sweeps (the same spec, on
    the same data, run the same way) run once: a class that presses Run sweep on the page's
    default together waits for one sweep, not for one each in turn. A sweep asked for while an
    identical one runs or waits follows it (its points as they come; no place of its own); one
    that ran here already is shown at once. A stopped sweep is not kept: a sweep that followed
    it runs for itself."""

    thread_name = "digitlab-sweep"

    def __init__(self, spec: SweepSpec, split, where: Where = Where(),
                 owner_alive: Callable[[], bool] | None = None, queue: FairQueue | None = None,
                 owner: Hashable = None, first: bool = False,
                 store: SingleFlightCache | None = None):
        super().__init__(owner_alive, queue if where.scheduler is None else None, owner, first)
        self.spec, self.split, self.where = spec, split, where
        self.store = store
        if store is not None:  # what makes two sweeps' results the same
            self.key = ("sweep", spec, split.data_key, split.checksum, split.side, where)
        self.planned = len(points(spec))
        self.points: list[PointResult] = []
        self.result: SweepResult | None = None
        self.notice: str | None = None  # a sentence for the page: left the queue, or shared

    def began(self) -> bool:
        return bool(self.points)

    def _turn(self):
        """Its turn in the queue (the threads it may use), or a turn at once without one.
        Sized by its fits' training images (thousands), estimated per kind of sweep."""
        if self.queue is None:
            return contextlib.nullcontext(None)
        n = len(self.split.y_train)
        size = sum(n if c.train_size is None else min(c.train_size, n)
                   for *_, c in self.spec.configs()) / 1000
        kind = f"sweep · {self.spec.x} · " + ",".join(sorted(
            {c.solver for *_, c in self.spec.configs()}))
        return self.queue.turn(Request(self.owner, kind, size, self.first, self.key),
                               self.should_stop, self._took)

    def so_far(self) -> SweepResult:
        """The result when finished, else the points finished so far as a stopped result
        (for a live figure)."""
        if self.result is not None:
            return self.result
        pts = tuple(sorted(self.points, key=lambda p: p.index))
        return SweepResult(self.spec, pts, self.planned, self.where.describe(), 0, (),
                           self.elapsed, stopped=False)

    def _sweep(self, on_point: Callable[[PointResult], None]) -> SweepResult:
        """Run the sweep, once its turn has come."""
        s = self.split
        here = self.where.scheduler is None and childproc.supported()
        with self._turn() as threads:
            where = self.where
            if threads is not None and where.n_jobs is None:  # the cores' share
                where = replace(where, n_jobs=threads)
            return (childsweep.run if here else sweep_run.run)(
                self.spec, s.X_train, s.y_train, s.X_test, s.y_test, where, s.side,
                on_point=on_point, should_stop=self.should_stop)

    def _run(self) -> None:
        try:
            if self.store is None:
                self.result = self._sweep(self.points.append)
            else:
                result, how = self.store.get_or_compute(
                    self.key, self._sweep, keep=lambda r: not r.stopped,
                    on_event=self.points.append, should_stop=self.should_stop)
                if how == "abandoned":
                    raise Stopped(N_("Stopped while another session's identical sweep was "
                                     "running; nothing ran for this request."))
                self.result = result
                self.notice = {"joined": N_("Shared one sweep with another session that asked "
                                            "for the same one at once."),
                               "stored": N_("The same sweep ran here earlier: these are its "
                                            "results.")}.get(how)
        except Stopped as exc:  # left the queue, or replaced there: nothing ran
            self.notice = N_("{why} Your last sweep's results are kept.", why=message_of(exc))
            self.exception = exc
        except ConfigError as exc:
            self.error = message_of(exc)
            self.exception = exc
        except MemoryError as exc:
            self.error = N_("The sweep ran out of memory: use fewer training images.")
            self.exception = exc
        except Exception as exc:  # a bug or a worker that died: said plainly, kept for reports
            self.error = N_("The sweep failed ({kind}: {exc}). Try fewer training images or "
                            "fewer points; if it keeps happening, it is a bug.",
                            kind=type(exc).__name__, exc=exc)
            self.exception = exc

