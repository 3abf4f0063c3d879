"""Where a sweep's fits run: on this machine's cores, or on a Dask cluster, with the same code.

    result = run(spec, X_train, y_train, X_test, y_test)                     # local cores
    result = run(spec, ..., where=Where(scheduler="tcp://10.0.0.5:8786"))    # a Dask cluster
    result = run(spec, ..., where=Where.from_env())    # DIGITLAB_DASK_SCHEDULER, if it is set

A sweep is cut into pieces (digitlab.sweeps.plan.chains), each one joblib task: an lbfgs curve
along C is one task that fits its points side by side in lockstep (digitlab.sweeps.lockstep_curve),
its rounds' arithmetic shared by the task's threads; any other piece is a chain that fits its
points in order, each warm-started from the one before. The tasks run side by side through
joblib, with no barrier between them:
- locally on its threading backend, one thread per core. The fits are lbfgs's, whose work is
  NumPy/BLAS and scikit-learn's Cython loss, which release the GIL; the data stays in this
  process (nothing to ship), and BLAS/OpenMP are held to one thread per fit meanwhile;
- on Dask through joblib's dask backend, the data scattered to every worker once
  (`scatter=[data]`, i.e. client.scatter(..., broadcast=True)): every chain's task refers to
  it by its future.
Each finished point is reported at once (a callback here; a Dask event from a worker), so a
progress bar counts fits, and a stop request ends every chain before its next fit and every
lockstep batch within a round, keeping the finished points.

Dask workers must be able to import digitlab (the same checkout on PYTHONPATH, or installed).
The app's sweeps (digitlab.sweeps.job) run this on local cores in a child process
(digitlab.sweeps.child).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import cast

import numpy as np

from digitlab.model.config import ConfigError
from digitlab.model.pipeline import PixelTransform
from digitlab.sweeps.fit import PointResult, SweepData, fit_chain
from digitlab.sweeps.lockstep_curve import fit_batch
from digitlab.sweeps.plan import chains
from digitlab.sweeps.spec import MAX_POINTS, SweepResult, SweepSpec, points
from digitlab.text import N_

SCHEDULER_ENV = "DIGITLAB_DASK_SCHEDULER"
_CONNECT_S = 10  # a scheduler that does not answer in this long is reported, not waited for


class ClusterError(ConfigError):
    """The Dask scheduler cannot be reached or has no workers: a sentence says what to do."""


@dataclass(frozen=True)
class Where:
    """Where fits run: a Dask scheduler's address, or None for this machine's cores (n_jobs
    threads; None = one per core, 1 = one fit at a time, BLAS left at its default)."""

    scheduler: str | None = None
    n_jobs: int | None = None

    def __post_init__(self) -> None:
        n = self.n_jobs
        if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer))
                              or n < 1):
            raise ConfigError(f"The number of fits at a time (--jobs) must be a whole number "
                              f"of at least 1; got {n!r}.")

    @classmethod
    def from_env(cls, scheduler: str | None = None, n_jobs: int | None = None) -> Where:
        """`scheduler` if given, else $DIGITLAB_DASK_SCHEDULER if set, else local cores."""
        address = scheduler or os.environ.get(SCHEDULER_ENV, "").strip() or None
        return cls(address, n_jobs)

    def describe(self) -> str:
        if self.scheduler:
            return N_("the Dask cluster at {address}", address=self.scheduler)
        return N_("this machine's cores ({n} at a time)", n=self.local_jobs())

    def local_jobs(self) -> int:
        """Threads here: n_jobs, or one per core; never more than a sweep has fits."""
        from joblib import cpu_count

        return min(self.n_jobs or max(1, cpu_count()), MAX_POINTS)


def rows_needed(spec: SweepSpec, n_train: int) -> int:
    """How many of the split's `n_train` training rows the sweep's largest point fits."""
    return max(n_train if c.train_size is None else c.train_size for *_, c in spec.configs())


def sweep_data(spec: SweepSpec, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
               y_test: np.ndarray, side: int = 28) -> SweepData:
    """The features every fit shares, computed once: one (train, test) pair per deskew setting
    in the sweep, for as many training rows as its largest point uses. The pixel transform is
    fitted on those rows (it learns only for "standard" scaling)."""
    n = rows_needed(spec, len(y_train))
    if n > len(y_train):
        raise ConfigError(f"The training split has {len(y_train):,} images; a sweep point asks "
                          f"for {n:,}. Use sizes up to {len(y_train):,}.")
    features = {}
    for deskew in sorted({c.deskew for *_, c in spec.configs()}):
        pixels = PixelTransform(spec.base.scaling, deskew, side)
        features[deskew] = (pixels.fit_transform(X_train[:n]), pixels.transform(X_test))
    return SweepData(features, np.asarray(y_train[:n]), np.asarray(y_test))


class _Collected:
    """The points finished so far, each reported once (a Dask event and the chain's return
    value both bring it), in the order they came; thread-safe."""

    def __init__(self, on_point: Callable[[PointResult], None] | None):
        self.on_point, self.points, self._lock = on_point, {}, threading.Lock()

    def add(self, result: PointResult) -> None:
        with self._lock:
            new = result.index not in self.points
            if new or self.points[result.index].coef.size == 0:
                self.points[result.index] = result  # the one with weights, when it comes
            if new and self.on_point is not None:
                self.on_point(result)


@dataclass
class _Here:
    """Reporter for chains in this process (threads, or one at a time)."""

    collected: _Collected
    should_stop: Callable[[], bool] | None

    def point(self, result: PointResult) -> None:
        self.collected.add(result)

    def stop_requested(self) -> bool:
        return self.should_stop is not None and self.should_stop()


def point_message(result: PointResult) -> dict:
    """A point as plain values (what Dask's event log carries as msgpack): no pickle crosses
    the network, and the weights stay on the worker (the figure needs only the numbers)."""
    light = {f.name: getattr(result, f.name) for f in fields(result)
             if f.name not in ("coef", "intercept", "config")}
    return {**light, "config": result.config.to_dict()}


def point_from_message(message: dict) -> PointResult:
    from digitlab.model.config import TrainConfig

    return PointResult(**{**message, "config": TrainConfig.from_dict(message["config"])},
                       coef=np.empty((0, 0)), intercept=np.empty(0))


@dataclass
class _OnDask:
    """Reporter for chains on Dask workers (pickled into each task): a point goes back as an
    event on `topic`; a stop is a distributed Event the client sets."""

    topic: str
    stop_event: str

    def point(self, result: PointResult) -> None:
        from distributed import get_worker

        get_worker().log_event(self.topic, {"point": point_message(result)})

    def stop_requested(self) -> bool:
        from distributed import Event

        return cast(bool, Event(self.stop_event).is_set())  # sync client: a bool, not a coroutine


@contextlib.contextmanager
def backend(where: Where, data: SweepData, collected: _Collected,
            should_stop: Callable[[], bool] | None = None) -> Iterator[tuple]:
    """Set joblib's backend for `where` and ship `data` there once; yields (workers, where it
    runs in words, the data as chains should be given it, the chains' reporter)."""
    from joblib import parallel_config
    from threadpoolctl import threadpool_limits

    if where.scheduler:
        with _on_dask(where.scheduler, data, collected, should_stop) as out:
            yield out
        return
    n = where.local_jobs()
    here = _Here(collected, should_stop)
    if n == 1:
        with parallel_config(backend="sequential"):
            yield 1, N_("this process, one fit at a time"), data, here
        return
    # One BLAS/OpenMP thread per fit while n fits share the cores (process-wide while it runs).
    with threadpool_limits(1), parallel_config(backend="threading", n_jobs=n):
        yield n, N_("local cores: {n} threads", n=n), data, here


@contextlib.contextmanager
def _on_dask(address: str, data: SweepData, collected: _Collected,
             should_stop: Callable[[], bool] | None) -> Iterator[tuple]:
    from distributed import Event
    from joblib import parallel_config

    client = _connect(address)
    reporter = _OnDask(f"digitlab-sweep-{uuid.uuid4().hex}", f"digitlab-stop-{uuid.uuid4().hex}")
    stop, done = Event(reporter.stop_event, client=client), threading.Event()

    def relay_stop() -> None:  # the page's Stop (a local flag) -> the workers' Event
        while not done.wait(0.2):
            if should_stop is not None and should_stop():
                stop.set()
                return

    watcher = threading.Thread(target=relay_stop, name="digitlab-sweep-stop", daemon=True)
    client.subscribe_topic(reporter.topic,
                           lambda event: collected.add(point_from_message(event[1]["point"])))
    watcher.start()
    try:
        # {worker address: threads}; a sync client returns the dict, not a coroutine
        threads = cast(dict[str, int], client.ncores())
        with parallel_config(backend="dask", client=client, scatter=[data]):
            yield (sum(threads.values()), N_("Dask scheduler {address}: {workers} workers, "
                                             "{threads} threads", address=address,
                                             workers=len(threads),
                                             threads=sum(threads.values())), data, reporter)
    finally:
        done.set()
        watcher.join()
        client.unsubscribe_topic(reporter.topic)
        client.close()


def _connect(address: str):
    try:
        from dask.distributed import Client
    except ImportError:  # pinned in requirements.txt; this is a broken install
        raise ClusterError("Dask is not installed here: pip install 'dask[distributed]'.") from None
    try:
        client = Client(address, timeout=f"{_CONNECT_S}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"Could not reach a Dask scheduler at {address!r} ({type(exc).__name__}: {exc}). "
            f"Start one (dask scheduler; dask worker ADDRESS) or unset {SCHEDULER_ENV} to run "
            "on this machine's cores.") from None
    try:
        client.wait_for_workers(1, timeout=_CONNECT_S)
    except (TimeoutError, OSError):
        client.close()
        raise ClusterError(f"The Dask scheduler at {address} has no workers: start one with "
                           f"`dask worker {address}` (with digitlab importable).") from None
    return client


def run(spec: SweepSpec, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
        y_test: np.ndarray, where: Where = Where(), side: int = 28,
        on_point: Callable[[PointResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> SweepResult:
    """Fit every point of `spec` where `where` says: lbfgs curves along C side by side in
    lockstep, other curves in warm-start chains, across the workers.

    on_point(PointResult) is called once per point as it finishes (from a worker thread or
    Dask's event loop: keep it quick); when should_stop() turns True every chain ends before
    its next fit and every lockstep batch within a round, and the finished points are kept.
    Raises ConfigError (ClusterError) with a sentence for a bad grid or an unreachable
    cluster."""
    from joblib import Parallel, delayed

    t0 = time.perf_counter()
    pts = points(spec)
    data = sweep_data(spec, X_train, y_train, X_test, y_test, side)
    collected = _Collected(on_point)
    with backend(where, data, collected, should_stop) as (workers, described, shipped, reporter):
        plan = chains(spec, workers)
        # local threads: a lockstep batch gets the cores the tasks leave; on Dask, its worker's
        threads = None if where.scheduler else max(1, workers // len(plan))
        outputs = cast(list[list[PointResult]], Parallel(n_jobs=min(workers, len(plan)))(
            delayed(fit_batch)(shipped, [pts[i] for i in piece], spec, reporter, threads)
            if spec.in_lockstep(pts[piece[0]].config.solver) else
            delayed(fit_chain)(shipped, [pts[i] for i in piece], spec, reporter)
            for piece in plan))
    for result in (r for chain in outputs for r in chain):
        collected.add(result)
    finished = tuple(sorted(collected.points.values(), key=lambda p: p.index))
    return SweepResult(spec, finished, len(pts), described, workers,
                       tuple(tuple(c) for c in plan), time.perf_counter() - t0,
                       len(finished) < len(pts))
