"""One registry of solvers: what each accepts, reports, can stop, costs, how it is built and run.

Validation (digitlab.model.config), fitting, the job thread, the Train page, the CLI and the
benchmarks ask this table instead of matching names. Adding a solver is one `Solver(...)`
entry below (and, for a new kind of estimator, its build and run functions beside it).

scikit-learn 1.9's multinomial solvers are all here but liblinear, which refuses more than two
classes. "digitlab-fast" (digitlab.model.solvers.fast) is DigitLab's own: mini-batch Adam in float32 with
early stopping, seconds instead of minutes on all of MNIST, and the default.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digitlab.runtime import childproc

if TYPE_CHECKING:
    from digitlab.model.config import TrainConfig
    from digitlab.model.solvers.fast import EpochInfo

FULL_TRAIN = 59_500  # the tutorial split's training images: what seconds_per_epoch is measured on


@dataclass(frozen=True)
class Hooks:
    """What a fit hands its solver besides the data: where to start, whom to tell after each
    epoch, and whom to ask whether to stop. Solvers that cannot use one ignore it."""

    init: tuple[np.ndarray, np.ndarray] | None = None  # (coef, intercept) of a warm start
    on_epoch: Callable[[EpochInfo], None] | None = None
    should_stop: Callable[[], bool] | None = None
    # rows -> fresh features of those training rows, asked per mini-batch (digitlab.data.augment)
    batch_transform: Callable[[slice], np.ndarray] | None = None


@dataclass(frozen=True)
class Outcome:
    """How a solver's run ended, in its own words."""

    n_iter: int
    converged: bool
    stopped: bool  # ended by should_stop: the best model so far, not the config's fit
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Solver:
    """One solver, everything the rest of DigitLab needs to know about it.

    name : the `TrainConfig.solver` value.
    summary : one line for pickers and help: what it is.
    step_size : what "no learning rate" means for it (the Train page's maths panel).
    takes_l1 : accepts l1_ratio > 0 (L1 or elastic net); every solver takes L2 and no penalty.
    per_epoch : max_iter counts passes over the training rows ("Epochs"), not iterations.
    can_stop : asked to stop (Stop, a closed tab), ends within about a second and frees its
        core: digitlab-fast between mini-batches, scikit-learn's by ending the child process
        they fit in (digitlab.model.solvers.child).
    keeps_best : a stopped fit returns its best model so far (it reports every epoch); the
        others have no model before they finish, so a stopped fit keeps nothing.
    seconds_per_epoch : measured cost of one epoch/iteration on the full training split, when
        the fit's time is honestly max_iter of them; None when it stops whenever it converges.
    shuffled_rows : fits on the training rows shuffled by the seed (digitlab-fast holds out
        their last tenth); scikit-learn's solvers take the rows in the split's order.
    augments : takes Hooks.batch_transform, so it can train on augmented digits made afresh
        for every mini-batch (scikit-learn's solvers see one fixed array).
    build : TrainConfig -> an unfitted estimator.
    run : (estimator, features, labels, Hooks) -> Outcome; fits the estimator in place.
    in_child : fits in a child process (digitlab.model.solvers.child): its features are made shareable
        (digitlab.runtime.childproc), so the child maps the server's copy instead of its own.
    """

    name: str
    summary: str
    step_size: str
    takes_l1: bool
    per_epoch: bool
    can_stop: bool
    keeps_best: bool
    seconds_per_epoch: float | None
    shuffled_rows: bool
    augments: bool
    build: Callable[[TrainConfig], Any]
    run: Callable[[Any, np.ndarray, np.ndarray, Hooks], Outcome]
    in_child: bool = False

    @property
    def unit(self) -> str:
        return "epoch" if self.per_epoch else "iteration"

    def expected_seconds(self, config: TrainConfig, n_train: int) -> float | None:
        """A rough fit time at max_iter epochs (an upper bound), or None when there is no
        honest estimate."""
        if self.seconds_per_epoch is None:
            return None
        return self.seconds_per_epoch * config.max_iter * n_train / FULL_TRAIN


# --- scikit-learn's LogisticRegression ---------------------------------------------------------


def _build_sklearn(config: TrainConfig):
    """The modern spelling of the tutorial's estimator for this config."""
    from sklearn.linear_model import LogisticRegression

    l1 = 0.0 if math.isinf(config.C) else float(config.l1_ratio)  # no penalty: l1_ratio is moot
    return LogisticRegression(C=float(config.C), l1_ratio=l1, solver=config.solver,
                              max_iter=int(config.max_iter), tol=float(config.tol),
                              random_state=int(config.seed))


def _run_sklearn(est, Z: np.ndarray, y: np.ndarray, hooks: Hooks) -> Outcome:
    """One call to fit(), in this process: no progress, no stop (digitlab.model.solvers.child runs it in
    a child that Stop can end). A warm start sets coef_ and intercept_ first, which
    LogisticRegression(warm_start=True) starts from.

    One BLAS thread, as digitlab-fast uses: when the cores are shared (the app's server, its
    browsers, other fits) a second thread mostly waits for a core; measured here on a busy
    2-core machine, lbfgs on 10,000 MNIST images took 36 s with two threads and 3.5 s with one.
    """
    from sklearn.exceptions import ConvergenceWarning

    from digitlab.runtime.threads import blas_limit

    if hooks.init is not None:
        est.set_params(warm_start=True)
        est.coef_, est.intercept_ = hooks.init
    with warnings.catch_warnings(record=True) as caught, blas_limit(1):
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(Z, y)
    n_iter = int(np.max(est.n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    notes = () if converged else (
        f"The solver stopped at max_iter={est.max_iter} before converging (tol={est.tol:g}): "
        "raise max_iter or tol, or scale the pixels.",)
    return Outcome(n_iter, converged, False, notes)


def _run_sklearn_stoppable(est, Z: np.ndarray, y: np.ndarray, hooks: Hooks) -> Outcome:
    """_run_sklearn in a child process that should_stop() ends (digitlab.model.solvers.child)."""
    from digitlab.model.solvers import child as childfit

    if not childproc.supported():  # pragma: no cover - Windows: in-process, not stoppable
        return _run_sklearn(est, Z, y, hooks)
    return childfit.run(est, Z, y, hooks)


# --- DigitLab's own --------------------------------------------------------------------------


def _build_fast(config: TrainConfig):
    from digitlab.model.solvers.fast import FastLogisticRegression

    return FastLogisticRegression(C=float(config.C), max_iter=int(config.max_iter),
                                  tol=float(config.tol), random_state=int(config.seed))


def _run_fast(est, Z: np.ndarray, y: np.ndarray, hooks: Hooks) -> Outcome:
    """Rows come shuffled (shuffled_rows), so the estimator holds out their last tenth as they
    are, without a copy."""
    import sklearn

    asked = []

    def stop() -> bool:
        if hooks.should_stop():
            asked.append(True)
            return True
        return False

    coef, intercept = hooks.init if hooks.init is not None else (None, None)
    est.set_params(shuffle=False)
    with sklearn.config_context(assume_finite=True):  # pixels from uint8: always finite
        est.fit(Z, y, coef_init=coef, intercept_init=intercept, on_progress=hooks.on_epoch,
                should_stop=stop if hooks.should_stop is not None else None,
                batch_transform=hooks.batch_transform)
    n_iter = int(est.n_iter_[0])
    converged = est.stopped_by_ == "early stopping"
    notes = []
    if asked:
        notes.append(f"Stopped on request after {n_iter} epochs; kept the best model so far "
                     f"(epoch {est.best_iteration_}).")
    elif not converged:
        notes.append(f"Stopped at max_iter={est.max_iter} epochs while the held-out accuracy "
                     "was still rising: raise max_iter.")
    return Outcome(n_iter, converged, bool(asked), tuple(notes))


# --- the registry ------------------------------------------------------------------------------

FAST = "digitlab-fast"
# sag on raw pixels, measured here: 835 s for 769 epochs on 59,500 images (2 cores, shared).
_SAG_EPOCH_S = 1.1
_NEWTON = "none: each step solves with the curvature (the Hessian), then a line search sets " \
          "its length"

# scikit-learn's solvers: one fit() call, run in a child process that Stop ends.
_SKLEARN = dict(can_stop=True, keeps_best=False, shuffled_rows=False, augments=False,
                build=_build_sklearn, run=_run_sklearn_stoppable,
                in_child=childproc.supported())

SOLVERS: dict[str, Solver] = {s.name: s for s in (
    Solver(FAST, "DigitLab's own: mini-batch Adam in float32, stops when held-out accuracy "
                 "stops rising (seconds on all of MNIST)",
           "Adam's: a fixed step (0.01 in units of the features' size), scaled per weight by "
           "running averages of its gradients",
           takes_l1=False, per_epoch=True, can_stop=True, keeps_best=True,
           seconds_per_epoch=None, shuffled_rows=True, augments=True, build=_build_fast,
           run=_run_fast),
    Solver("lbfgs", "quasi-Newton on all rows at once; scikit-learn's default",
           "none: a line search sets each step's length along a direction built from the "
           "last few gradients",
           takes_l1=False, per_epoch=False, seconds_per_epoch=None, **_SKLEARN),
    Solver("newton-cg", "Newton's method, each step solved by conjugate gradients", _NEWTON,
           takes_l1=False, per_epoch=False, seconds_per_epoch=None, **_SKLEARN),
    Solver("newton-cholesky", "Newton's method with an exact (Cholesky) solve: costly with "
                              "784 x 10 weights", _NEWTON,
           takes_l1=False, per_epoch=False, seconds_per_epoch=None, **_SKLEARN),
    Solver("sag", "stochastic average gradient: the tutorial's solver, one row at a time",
           "set from the data: 1 / (the largest squared row norm + the penalty), so raw "
           "0..255 pixels make it tiny",
           takes_l1=False, per_epoch=True, seconds_per_epoch=_SAG_EPOCH_S, **_SKLEARN),
    Solver("saga", "sag's variant that also takes L1 and elastic net",
           "set from the data, as for sag", takes_l1=True, per_epoch=True,
           seconds_per_epoch=_SAG_EPOCH_S, **_SKLEARN),
)}


def get(name: str) -> Solver:
    return SOLVERS[name]


def accepting(l1_ratio: float, C: float) -> tuple[str, ...]:
    """The solvers that accept this penalty: every one for L2 or no penalty (C=inf), only
    those that take L1 for L1 or elastic net."""
    if l1_ratio > 0 and not math.isinf(C):
        return tuple(s.name for s in SOLVERS.values() if s.takes_l1)
    return tuple(SOLVERS)
