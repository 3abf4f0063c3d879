"""scikit-learn's LogisticRegression (lbfgs, newton-cg, newton-cholesky, sag, saga): built from
a TrainConfig, and fitted in this process by one call to fit(). The registry runs it in a child
process that Stop can end (digitlab.model.solvers.child), which calls `run` there.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from digitlab.model.solvers.base import Hooks, Outcome
from digitlab.runtime.threads import blas_limit
from digitlab.text import N_

if TYPE_CHECKING:
    from digitlab.model.config import TrainConfig


def build(config: TrainConfig):
    """The modern spelling of the tutorial's estimator for this config."""
    from sklearn.linear_model import LogisticRegression

    l1 = 0.0 if math.isinf(config.C) else float(config.l1_ratio)  # no penalty: l1_ratio is moot
    return LogisticRegression(C=float(config.C), l1_ratio=l1, solver=config.solver,
                              max_iter=int(config.max_iter), tol=float(config.tol),
                              random_state=int(config.seed))


def run(est, Z: np.ndarray, y: np.ndarray, hooks: Hooks) -> Outcome:
    """One call to fit(), in this process: no progress, no stop (digitlab.model.solvers.child
    runs it in a child that Stop can end). A warm start sets coef_ and intercept_ first, which
    LogisticRegression(warm_start=True) starts from.

    One BLAS thread, as digitlab-fast uses: when the cores are shared (the app's server, its
    browsers, other fits) a second thread mostly waits for a core; measured here on a busy
    2-core machine, lbfgs on 10,000 MNIST images took 36 s with two threads and 3.5 s with one.
    """
    from sklearn.exceptions import ConvergenceWarning

    if hooks.init is not None:
        est.set_params(warm_start=True)
        est.coef_, est.intercept_ = hooks.init
    with warnings.catch_warnings(record=True) as caught, blas_limit(hooks.blas_threads):
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(Z, y)
    n_iter = int(np.max(est.n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    notes = () if converged else (
        N_("The solver stopped at max_iter={max_iter} before converging (tol={tol:g}): "
           "raise max_iter or tol, or scale the pixels.", max_iter=int(est.max_iter),
           tol=float(est.tol)),)
    return Outcome(n_iter, converged, False, notes)
