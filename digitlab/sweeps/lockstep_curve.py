"""An lbfgs curve along C, fitted side by side: one task of a sweep (digitlab.sweeps.run).

    results = fit_batch(data, [points...], spec, reporter)   # the points of one curve

Every point of the batch fits the same rows, so digitlab.sweeps.lockstep runs their L-BFGS-B fits in
lockstep and evaluates all of them with one pass over the data per round. Each fit is reported
the moment it ends (fit_seconds = from the batch's start to its end, as it shared the batch);
a stop request ends the fits still running within a round and keeps those finished.

Why not warm starts along C, as chains do? The batch takes as long as its slowest fit (C's
largest): a warm start could only begin once a neighbour has finished, after it, which makes
that path longer. Measured on the 59,500 tutorial images, C=10 needs 1,526 iterations cold but
2,009 as "C=3.16 cold, then C=10 warm".
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from digitlab.model import solvers
from digitlab.runtime.threads import lower_priority
from digitlab.sweeps import lockstep
from digitlab.sweeps.fit import PointResult, Reporter, SweepData, fit_chain, rows, scored
from digitlab.sweeps.spec import Point, SweepSpec


def fit_batch(data: SweepData, batch: list[Point], spec: SweepSpec,
              reporter: Reporter | None = None, threads: int | None = None) -> list[PointResult]:
    """Fit the points of one lbfgs curve along C side by side on `threads` threads (None: the
    Dask worker's threads, or 1). They share one config but C; the numbers do not depend on
    the threads. A curve of two classes (a binomial model in scikit-learn) is fitted as a
    chain instead."""
    Z, y = rows(data, batch[0])
    if len(np.unique(y)) < 3:
        return fit_chain(data, batch, spec, reporter)
    base = batch[0].config
    # Background work, as a child fit is: the threads fit_lockstep starts inherit it (Linux),
    # so in a class the drawing sessions come first and the sweep takes the idle cores. Not a
    # caller's main thread (a sweep run one fit at a time): its priority could not come back.
    if threading.current_thread() is not threading.main_thread():
        lower_priority()
    stop = reporter.stop_requested if reporter is not None else None
    done: list[PointResult] = []
    t0 = time.perf_counter()

    def report(fit: lockstep.LockstepFit) -> None:
        point = batch[fit.index]
        est = _estimator(point, fit, np.unique(y))
        done.append(scored(data, point, est, time.perf_counter() - t0, fit.n_iter,
                           fit.converged))
        if reporter is not None:
            reporter.point(done[-1])

    lockstep.fit_lockstep(Z, y, [p.config.C for p in batch], base.tol, base.max_iter,
                          threads or _threads_here(), on_fit=report, should_stop=stop)
    return sorted(done, key=lambda r: r.index)


def _estimator(point: Point, fit: lockstep.LockstepFit, classes: np.ndarray) -> Any:
    """scikit-learn's LogisticRegression for the point, holding the lockstep fit's weights
    as its own fit would (so it scores, predicts and saves the same way)."""
    est = solvers.get(point.config.solver).build(point.config)
    est.classes_ = classes
    est.coef_, est.intercept_ = fit.coef, fit.intercept
    est.n_features_in_ = fit.coef.shape[1]
    est.n_iter_ = np.array([fit.n_iter], dtype=np.int32)
    return est


def _threads_here() -> int:
    """A Dask worker's thread count when running on one, else 1."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1
