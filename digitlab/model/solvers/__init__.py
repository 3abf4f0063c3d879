"""One registry of solvers: what each accepts, reports, can stop, costs, how it is built and run.

Validation (digitlab.model.config), fitting, the job thread, the Train page, the CLI and the
benchmarks ask this table instead of matching names. Adding a solver is one `Solver(...)`
entry below and, for a new family of estimators, one file beside it with its `build` and `run`
(scikit-learn's way: one file per solver family behind one interface).

    base      Solver (a table row), Hooks (what a fit hands a solver), Outcome, FitStopped
    logistic  scikit-learn's LogisticRegression: build, and run in this process
    child     the same run in a child process that Stop can end (what the registry uses)
    fast      "digitlab-fast", DigitLab's own: mini-batch Adam in float32 with early stopping,
              seconds instead of minutes on all of MNIST, and the default
    adam, stopping   digitlab-fast's epoch step and its stopping rule

scikit-learn 1.9's multinomial solvers are all here but liblinear, which refuses more than two
classes.
"""

from __future__ import annotations

import math

from digitlab.model.solvers import child, fast, logistic
from digitlab.model.solvers.base import FitStopped, Hooks, Outcome, Solver
from digitlab.runtime import childproc

__all__ = ["FAST", "SOLVERS", "FitStopped", "Hooks", "Outcome", "Solver",
           "accepting", "get"]

# --- the registry ------------------------------------------------------------------------------

FAST = "digitlab-fast"
_NEWTON = "none: each step solves with the curvature (the Hessian), then a line search sets " \
          "its length"


def _sklearn(name: str, summary: str, step_size: str, *, takes_l1: bool, per_epoch: bool) -> Solver:
    """A scikit-learn solver: one fit() call, run in a child process that Stop ends."""
    return Solver(name, summary, step_size, takes_l1=takes_l1, per_epoch=per_epoch,
                  can_stop=True, keeps_best=False,
                  shuffled_rows=False, augments=False, build=logistic.build, run=child.run,
                  in_child=childproc.supported())


SOLVERS: dict[str, Solver] = {s.name: s for s in (
    Solver(FAST, "DigitLab's own: mini-batch Adam in float32, stops when held-out accuracy "
                 "stops rising (seconds on all of MNIST)",
           "Adam's: a fixed step (0.01 in units of the features' size), scaled per weight by "
           "running averages of its gradients",
           takes_l1=False, per_epoch=True, can_stop=True, keeps_best=True,
           shuffled_rows=True, augments=True, build=fast.build,
           run=fast.run),
    _sklearn("lbfgs", "quasi-Newton on all rows at once; scikit-learn's default",
             "none: a line search sets each step's length along a direction built from the "
             "last few gradients",
             takes_l1=False, per_epoch=False),
    _sklearn("newton-cg", "Newton's method, each step solved by conjugate gradients", _NEWTON,
             takes_l1=False, per_epoch=False),
    _sklearn("newton-cholesky", "Newton's method with an exact (Cholesky) solve: costly with "
                                "784 x 10 weights", _NEWTON,
             takes_l1=False, per_epoch=False),
    _sklearn("sag", "stochastic average gradient: the tutorial's solver, one row at a time",
             "set from the data: 1 / (the largest squared row norm + the penalty), so raw "
             "0..255 pixels make it tiny",
             takes_l1=False, per_epoch=True),
    _sklearn("saga", "sag's variant that also takes L1 and elastic net",
             "set from the data, as for sag", takes_l1=True, per_epoch=True),
)}


def get(name: str) -> Solver:
    return SOLVERS[name]


def accepting(l1_ratio: float, C: float) -> tuple[str, ...]:
    """The solvers that accept this penalty: every one for L2 or no penalty (C=inf), only
    those that take L1 for L1 or elastic net."""
    if l1_ratio > 0 and not math.isinf(C):
        return tuple(s.name for s in SOLVERS.values() if s.takes_l1)
    return tuple(SOLVERS)
