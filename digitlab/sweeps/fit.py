"""How a sweep's points are fitted and scored: a chain of them in order, each warm-started from
its neighbour (`fit_chain`), or one alone (`fit_point`); each becomes a PointResult scored on
its training rows and the test split. What a sweep is: digitlab.sweeps.spec; an lbfgs curve
fitted side by side instead: digitlab.sweeps.lockstep_curve; where the fits run:
digitlab.sweeps.run.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from digitlab.model import objective, solvers
from digitlab.model.config import TrainConfig, training_rows
from digitlab.sweeps.spec import Point, SweepSpec


@dataclass
class SweepData:
    """What every fit needs, shipped to the workers once: the features of the training and
    test rows (one pair per deskew setting in the sweep) and the labels."""

    features: dict[bool, tuple[np.ndarray, np.ndarray]]
    y_train: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class PointResult:
    """A fitted point. `objective` is the training objective (objective.py, with the L1 part
    for elastic net) at the model kept: what warm and cold fits are compared by."""

    index: int
    series: Any
    x: Any
    config: TrainConfig
    n_train: int
    train_accuracy: float
    test_accuracy: float
    fit_seconds: float
    n_iter: int
    converged: bool
    objective: float
    warm_from: Any  # the x value of the neighbour it started from, or None (cold)
    worker: str  # host:pid of the process that fitted it
    coef: np.ndarray = field(repr=False)
    intercept: np.ndarray = field(repr=False)


class Reporter(Protocol):
    """How a chain, wherever it runs, tells the sweep a point is done and asks whether to go
    on (digitlab.sweeps.run has one for this process and one for Dask workers)."""

    def point(self, result: PointResult) -> None: ...

    def stop_requested(self) -> bool: ...


def fit_chain(data: SweepData, chain: list[Point], spec: SweepSpec,
              reporter: Reporter | None = None) -> list[PointResult]:
    """Fit a chain's points in order, each from the weights of the one before it (extrapolated
    along log C once two are known: the path is smooth, and measured on 5,000 images this
    saved a fifth of lbfgs's iterations over starting at the neighbour). Reports each point as
    it is done; a stop request ends the chain before its next fit."""
    done: list[PointResult] = []
    for point in chain:
        if reporter is not None and reporter.stop_requested():
            break
        start = _start(done, point) if spec.warm_start else None
        done.append(fit_point(data, point, start, done[-1].x if start is not None else None))
        if reporter is not None:
            reporter.point(done[-1])
    return done


def _start(done: list[PointResult], point: Point) -> tuple[np.ndarray, np.ndarray] | None:
    if not done:
        return None
    last = done[-1]
    if len(done) < 2 or not isinstance(point.x, float):
        return last.coef, last.intercept
    prev = done[-2]
    t = math.log(point.x / last.x) / math.log(last.x / prev.x)
    return (last.coef + t * (last.coef - prev.coef),
            last.intercept + t * (last.intercept - prev.intercept))


def fit_point(data: SweepData, point: Point, start: tuple[np.ndarray, np.ndarray] | None = None,
              warm_from: Any = None) -> PointResult:
    """Fit one point on the shipped data and score it on its training rows and on the test
    split; `start` = (coef, intercept) to begin from (a warm start), else cold."""
    Z, y = rows(data, point)
    solver = solvers.get(point.config.solver)
    est = solver.build(point.config)
    t0 = time.perf_counter()
    outcome = solver.run(est, Z, y, solvers.Hooks(init=start))
    return scored(data, point, est, time.perf_counter() - t0, outcome.n_iter,
                  outcome.converged, warm_from)


def rows(data: SweepData, point: Point) -> tuple[np.ndarray, np.ndarray]:
    """A point's training features and labels: the rows its config fits on
    (digitlab.model.config.training_rows)."""
    return training_rows(point.config, data.features[point.config.deskew][0], data.y_train)


def scored(data: SweepData, point: Point, est, seconds: float, n_iter: int, converged: bool,
           warm_from: Any = None) -> PointResult:
    """A fitted estimator as a PointResult: scored on its training rows and the test split."""
    c = point.config
    Z, y = rows(data, point)
    Zt = data.features[c.deskew][1]
    return PointResult(
        point.index, point.series, point.x, c, len(y), float(est.score(Z, y)),
        float(est.score(Zt, data.y_test)), seconds, n_iter, converged,
        training_objective(est, Z, y, c), warm_from, _worker_name(),
        np.asarray(est.coef_), np.asarray(est.intercept_))


def _worker_name() -> str:
    """The Dask worker's address, or host:pid/thread here."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}/{threading.current_thread().name}"


def training_objective(est, Z: np.ndarray, y: np.ndarray, config: TrainConfig) -> float:
    """objective.py's value at the fitted model, the L1 part of an elastic net added:
    mean cross-entropy + lam * ((1 - r) / 2 ||W||^2 + r ||W||_1), lam = 1 / (C n)."""
    W = np.asarray(est.coef_, dtype=np.float64).T
    b = np.asarray(est.intercept_, dtype=np.float64)
    yi = np.searchsorted(est.classes_, y)
    loss, _ = objective.held_out(Z, yi, W.astype(Z.dtype), b.astype(Z.dtype))
    if loss is None:  # held_out gives None only for no rows
        raise ValueError("training_objective needs at least one training row.")
    lam = objective.penalty_strength(config.C, len(y))
    r = 0.0 if math.isinf(config.C) else config.l1_ratio
    return loss + objective.penalty(W, lam * (1 - r)) + lam * r * float(np.abs(W).sum())
