"""Sweeps: the same model fitted along a grid, to see under- and over-fitting.

    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1, 10))                  # validation curve over C
    spec = SweepSpec(x="train_size", values=(500, 2000, 10_000, 59_500))  # learning curve
    result = sweep_run.run(spec, X_train, y_train, X_test, y_test)       # digitlab.sweeps.run

This module says WHAT a sweep is: its grid (checked, with a sentence for a bad one), its
points, and its result's rows. digitlab.sweeps.fit says how a chain of points is fitted and
scored; digitlab.sweeps.plan cuts the points into pieces; digitlab.sweeps.run says WHERE they
run (local cores or a Dask cluster). An lbfgs curve along C is one piece whose points are
fitted side by side (digitlab.sweeps.lockstep_curve); other pieces are chains, each fit
warm-started from its neighbour.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digitlab.model import solvers
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.text import N_

if TYPE_CHECKING:
    from digitlab.sweeps.fit import PointResult

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
            return N_("{solver} runs to convergence (scipy's L-BFGS-B with scikit-learn's "
                      "settings): until its gradient's largest entry is below tol={tol:g} or "
                      "its objective, summed in float32 as scikit-learn does, stops falling "
                      "(scikit-learn's two tests), at most max_iter={max_iter}; every fit "
                      "starts cold, the points fitted side by side, sharing each pass over the "
                      "data", solver=solver, tol=self.base.tol, max_iter=self.base.max_iter)
        test = (N_("the largest change in its weights") if solvers.get(solver).per_epoch
                else N_("its gradient's largest entry"))
        start = (N_("from its neighbour's weights along the C path") if self.warm_start and
                 self.x == "C" else N_("from its neighbour's weights") if self.warm_start
                 else N_("cold"))
        return N_("{solver} runs to convergence: until {test} is below tol={tol:g} "
                  "(scikit-learn's test), at most max_iter={max_iter}; each fit starts {start}",
                  solver=solver, test=test, tol=self.base.tol, max_iter=self.base.max_iter,
                  start=start)


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
        try:
            float(v)
        except OverflowError:
            raise ConfigError(f"{v} in the {x} list is too large for any fit; use values such "
                              f"as {_example(x)}.") from None
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
    bad = [v for v in values if math.isinf(v) or v != int(v) or v < 10]
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


# --- the result --------------------------------------------------------------------------------

COLUMNS: tuple[str, ...] = ("C", "l1_ratio", "solver", "deskew", "train_size", "train_accuracy",
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

