"""What every solver is behind the registry's one interface: a `Solver` entry says what it
accepts and costs, and its `run` takes `Hooks` and returns an `Outcome` (or raises
`FitStopped`). The families implement it: digitlab.model.solvers.logistic (scikit-learn's
LogisticRegression, fitted in a child process by digitlab.model.solvers.child) and
digitlab.model.solvers.fast (DigitLab's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digitlab.runtime.jobs import Stopped

if TYPE_CHECKING:
    from digitlab.model.config import TrainConfig
    from digitlab.model.solvers.fast import EpochInfo



@dataclass(frozen=True)
class Hooks:
    """What a fit hands its solver besides the data: where to start, whom to tell after each
    epoch, and whom to ask whether to stop. Solvers that cannot use one ignore it."""

    init: tuple[np.ndarray, np.ndarray] | None = None  # (coef, intercept) of a warm start
    on_epoch: Callable[[EpochInfo], None] | None = None
    should_stop: Callable[[], bool] | None = None
    # rows -> fresh features of those training rows, asked per mini-batch (digitlab.data.augment)
    batch_transform: Callable[[slice], np.ndarray] | None = None
    # BLAS threads the fit may use: 1 while a fair queue runs one fit per core
    # (digitlab.runtime.fairqueue), more when it runs fewer fits than there are cores
    blas_threads: int = 1


@dataclass(frozen=True)
class Outcome:
    """How a solver's run ended, in its own words."""

    n_iter: int
    converged: bool
    stopped: bool  # ended by should_stop: the best model so far, not the config's fit
    notes: tuple[str, ...] = ()


class FitStopped(Stopped):
    """Stop was asked and there is no model of this caller's own to keep: it was waiting for
    another caller's fit of the same settings, or its solver has none before it finishes."""


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
    shuffled_rows : fits on the training rows shuffled by the seed (digitlab-fast holds out
        their last tenth); scikit-learn's solvers take the rows in the split's order.
    augments : takes Hooks.batch_transform, so it can train on augmented digits made afresh
        for every mini-batch (scikit-learn's solvers see one fixed array).
    build : TrainConfig -> an unfitted estimator.
    run : (estimator, features, labels, Hooks) -> Outcome; fits the estimator in place.
    in_child : fits in a child process (digitlab.model.solvers.child): its features are made
        shareable (digitlab.runtime.childproc), so the child maps the server's copy instead of
        its own.
    """

    name: str
    summary: str
    step_size: str
    takes_l1: bool
    per_epoch: bool
    can_stop: bool
    keeps_best: bool
    shuffled_rows: bool
    augments: bool
    build: Callable[[TrainConfig], Any]
    run: Callable[[Any, np.ndarray, np.ndarray, Hooks], Outcome]
    in_child: bool = False

    @property
    def unit(self) -> str:
        return "epoch" if self.per_epoch else "iteration"
