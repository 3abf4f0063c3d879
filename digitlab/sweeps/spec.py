"""Sweeps: the same model fitted along a grid, to see under- and over-fitting.

    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1, 10))                  # validation curve over C
    spec = SweepSpec(x="train_size", values=(500, 2000, 10_000, 59_500))  # learning curve
    result = sweep_run.run(spec, X_train, y_train, X_test, y_test)       # digitlab.sweeps.run

This module says WHAT a sweep is: its grid (checked, with a sentence for a bad one), its points,
how a chain of them is fitted and scored, and the result's rows. digitlab.sweeps.plan cuts the
points into pieces; digitlab.sweeps.run says WHERE they run (local cores or a Dask cluster). An
lbfgs curve along C is one piece whose points are fitted side by side (digitlab.sweeps.lockstep_curve);
other pieces are chains, each fit warm-started from its neighbour.

Every fit in a sweep runs to convergence of its objective (objective.py), never stopped early
on held-out accuracy: early stopping is a regulariser of its own and would flatten the curve at
large C. Measured on 5,000 training images against lbfgs at tol 1e-10 (the optimum):
- digitlab-fast with a rule "halve Adam's step when an epoch lowers the objective by less than
  tol, stop after ten halvings" ends 3 % (C=0.1) to 27 % (C=10) above the optimum;
- scikit-learn's lbfgs at its default tol=1e-4 gets there cold, but a warm start from the
  neighbour passes its gradient test at once for C >= 100 (it returns the neighbour's model);
- lbfgs at tol=1e-6 ends within 1e-5 of the optimum's objective (C = 0.1 ... 10).
So a sweep uses lbfgs at tol 1e-6 (BASE); digitlab-fast is refused with that reason. On float32
features scikit-learn's lbfgs mostly ends by its other test, ftol: the objective (a float32 sum)
stops falling, with the gradient's largest entry at 2e-6 ... 5e-5 (measured, 10,000 images);
the lockstep fits compute it the same way, so they end where scikit-learn's do.
"""

from __future__ import annotations

import csv
import io
import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from digitlab.model import objective, solvers
from digitlab.model.config import ConfigError, TrainConfig

# What a sweep can run along (the x axis) and compare (one curve per value).
X_AXES = {"C": "C (inverse regularisation)", "train_size": "training images"}
SERIES = ("l1_ratio", "solver", "deskew")
DEFAULT_CS = (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4)
MAX_POINTS = 60  # a curve, not a grid search: beyond this a page waits minutes
# What converges (module docstring): lbfgs with a tight tol; max_iter high enough that it is
# a guard, not the rule (measured: at most 471 iterations on 5,000 images).
BASE = TrainConfig(solver="lbfgs", tol=1e-6, max_iter=3000)


def parse_list(text: str, what: str = "C") -> tuple[float, ...]:
    """"0.001, 0.01,1e-1" -> (0.001, 0.01, 0.1); a sentence (ConfigError) for anything else."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        raise ConfigError(f"The list of {what} values is empty: give at least one, e.g. "
                          f"{_example(what)}.")
    values = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            raise ConfigError(f"{p!r} in the {what} list is not a number; write numbers "
                              f"separated by commas, e.g. {_example(what)}.") from None
    return tuple(values)


def _example(what: str) -> str:
    return {"C": "0.001,0.01,0.1,1,10", "train_size": "500,2000,10000",
            "l1_ratio": "0,0.5,1"}.get(what, "0.1,1")


@dataclass(frozen=True)
class SweepSpec:
    """A sweep: `x` ("C" or "train_size") over `values`, optionally one curve per value of
    `series` ("l1_ratio", "solver" or "deskew"); every other setting from `base`.

    Checked on creation (ConfigError with a sentence); values come back sorted, without
    repeats. warm_start: each fit begins from its neighbour's weights along its chain
    (digitlab.sweeps.plan.chains); False fits every point cold.
    """

    x: str = "C"
    values: tuple = DEFAULT_CS
    series: str | None = None
    series_values: tuple = ()
    base: TrainConfig = BASE
    warm_start: bool = True

    def __post_init__(self) -> None:
        if self.x not in X_AXES:
            raise ConfigError(f"A sweep runs along {' or '.join(X_AXES)}; got {self.x!r}.")
        values = _checked_values(self.x, self.values)
        object.__setattr__(self, "values", values)
        if self.series is not None:
            if self.series not in SERIES or self.series == self.x:
                raise ConfigError(f"Compare by one of {', '.join(SERIES)}; got {self.series!r}.")
            kinds = tuple(dict.fromkeys(self.series_values))
            if not kinds:
                raise ConfigError(f"Give at least one {self.series} value to compare.")
            object.__setattr__(self, "series_values", kinds)
        if len(values) * max(1, len(self.series_values)) > MAX_POINTS:
            raise ConfigError(f"That is {len(values) * max(1, len(self.series_values))} fits; "
                              f"a sweep takes at most {MAX_POINTS}. Use fewer values.")
        for *_, c in self.configs():  # every point's TrainConfig is valid, or a sentence
            if c.solver == solvers.FAST:
                raise ConfigError(
                    f"A sweep needs fits run to convergence, and {solvers.FAST} stops early on "
                    "held-out accuracy (a regulariser of its own, which would flatten the "
                    "curve). Use lbfgs (the default) or another scikit-learn solver.")

    def configs(self) -> list[tuple[Any, Any, TrainConfig]]:
        """(series value or None, x value, config) for every point: series by series, x
        ascending. A setting TrainConfig refuses is a ConfigError naming the point."""
        out = []
        for s in (self.series_values if self.series else (None,)):
            for v in self.values:
                changes = {self.x: v}
                if self.series:
                    changes[self.series] = s
                try:
                    out.append((s, v, self.base.replace(**changes)))
                except ConfigError as exc:
                    where = ", ".join(f"{k}={_fmt(val)}" for k, val in changes.items())
                    raise ConfigError(f"At {where}: {exc}") from None
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (how a sweep reaches its child process: digitlab.sweeps.child)."""
        return {"x": self.x, "values": list(self.values), "series": self.series,
                "series_values": list(self.series_values), "base": self.base.to_dict(),
                "warm_start": self.warm_start}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepSpec:
        """The inverse of to_dict; checked as on creation (ConfigError)."""
        return cls(x=d["x"], values=tuple(d["values"]), series=d["series"],
                   series_values=tuple(d["series_values"]),
                   base=TrainConfig.from_dict(d["base"]), warm_start=d["warm_start"])

    def in_lockstep(self, solver: str) -> bool:
        """Whether a curve with this solver is fitted side by side (digitlab.sweeps.lockstep_curve):
        lbfgs along C, where every point fits the same rows."""
        return self.x == "C" and solver == "lbfgs"

    def stopping_rule(self, solver: str) -> str:
        """One sentence a page or the CLI shows: when a fit of this sweep ends, and how."""
        if self.in_lockstep(solver):
            return (f"{solver} runs to convergence (scipy's L-BFGS-B with scikit-learn's "
                    f"settings): until its gradient's largest entry is below "
                    f"tol={self.base.tol:g} or its objective, summed in float32 as "
                    f"scikit-learn does, stops falling (scikit-learn's two tests), at most "
                    f"max_iter={self.base.max_iter}; every fit starts cold, the points fitted "
                    "side by side, sharing each pass over the data")
        test = ("the largest change in its weights" if solvers.get(solver).per_epoch
                else "its gradient's largest entry")
        start = ("from its neighbour's weights along the C path" if self.warm_start and
                 self.x == "C" else "from its neighbour's weights" if self.warm_start
                 else "cold")
        return (f"{solver} runs to convergence: until {test} is below tol={self.base.tol:g} "
                f"(scikit-learn's test), at most max_iter={self.base.max_iter}; each fit "
                f"starts {start}")


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _checked_values(x: str, values) -> tuple:
    if isinstance(values, str):
        values = parse_list(values, x)
    values = tuple(values)
    if not values:
        raise ConfigError(f"The list of {x} values is empty: give at least one, e.g. "
                          f"{_example(x)}.")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise ConfigError(f"{v!r} in the {x} list is not a number.")
        if math.isnan(v):
            raise ConfigError(f"The {x} list holds nan; give numbers only.")
    if x == "C":
        bad = [v for v in values if v <= 0]
        if bad:
            raise ConfigError(f"C must be positive (it is 1 / the penalty's strength); "
                              f"{_fmt(float(bad[0]))} is not. Use values such as "
                              f"{_example('C')}.")
        if any(math.isinf(v) for v in values):
            raise ConfigError("C=inf (no penalty) has no place on a log axis; use a large C "
                              "such as 10000 instead.")
        return tuple(sorted({float(v) for v in values}))
    bad = [v for v in values if v != int(v) or v < 10]
    if bad:
        raise ConfigError(f"Training sizes must be whole numbers of at least 10 images; "
                          f"{_fmt(bad[0])} is not.")
    return tuple(sorted({int(v) for v in values}))


# --- the points ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One fit of a sweep: its place (series value, x value) and its full config."""

    index: int
    series: Any
    x: Any
    config: TrainConfig


def points(spec: SweepSpec) -> list[Point]:
    return [Point(i, s, v, c) for i, (s, v, c) in enumerate(spec.configs())]


# --- one point: fit and score ------------------------------------------------------------------


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
    """A point's training features and labels: the first n rows, as TrainConfig.train_size
    means."""
    Z = data.features[point.config.deskew][0]
    n = point.config.train_size
    n = len(data.y_train) if n is None else min(n, len(data.y_train))
    return Z[:n], data.y_train[:n]


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
    lam = objective.penalty_strength(config.C, len(y))
    r = 0.0 if math.isinf(config.C) else config.l1_ratio
    return loss + objective.penalty(W, lam * (1 - r)) + lam * r * float(np.abs(W).sum())


# --- the result --------------------------------------------------------------------------------

COLUMNS = ("C", "l1_ratio", "solver", "deskew", "train_size", "train_accuracy",
           "test_accuracy", "fit_seconds", "n_iter", "converged", "objective",
           "warm_start_from", "worker")


@dataclass(frozen=True)
class SweepResult:
    """The finished points of a sweep (all of them unless it was stopped) and how it ran."""

    spec: SweepSpec
    points: tuple[PointResult, ...]
    planned: int
    where: str  # "local cores: 2 worker processes" / "Dask scheduler tcp://...: 2 workers"
    workers: int
    chains: tuple[tuple[int, ...], ...]
    seconds: float
    stopped: bool = False

    @property
    def solvers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.solver for *_, c in self.spec.configs()))

    def rows(self) -> list[dict[str, Any]]:
        """One dict per point (JSON- and CSV-ready), in sweep order."""
        out = []
        for p in sorted(self.points, key=lambda p: p.index):
            c = p.config
            out.append({
                "C": c.C, "l1_ratio": c.l1_ratio, "solver": c.solver, "deskew": c.deskew,
                "train_size": p.n_train, "train_accuracy": round(p.train_accuracy, 6),
                "test_accuracy": round(p.test_accuracy, 6),
                "fit_seconds": round(p.fit_seconds, 3), "n_iter": p.n_iter,
                "converged": p.converged, "objective": round(p.objective, 7),
                "warm_start_from": p.warm_from, "worker": p.worker})
        return out

    def best(self) -> PointResult | None:
        """The point with the highest test accuracy (the first of equals), or None."""
        return max(sorted(self.points, key=lambda p: p.index),
                   key=lambda p: p.test_accuracy, default=None)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        return buf.getvalue()

    def summary(self) -> dict[str, Any]:
        """The JSON object the CLI prints: `results` plus how the sweep ran."""
        best = self.best()
        return {
            "results": self.rows(), "x": self.spec.x, "series": self.spec.series,
            "where": self.where, "workers": self.workers,
            "chains": [list(c) for c in self.chains], "seconds": round(self.seconds, 3),
            "stopped": self.stopped, "planned": self.planned,
            "stopping_rules": {s: self.spec.stopping_rule(s) for s in self.solvers},
            "best": None if best is None else {"x": best.x, "series": best.series,
                                               "test_accuracy": best.test_accuracy},
        }

