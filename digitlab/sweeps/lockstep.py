"""Many lbfgs fits on the same rows, run in lockstep so that they share each pass over the data.

    fits = fit_lockstep(Z, y, Cs=[0.001, 0.01, 0.1, 1, 10], tol=1e-6, max_iter=3000)
    fits[i].coef, fits[i].intercept, fits[i].n_iter, fits[i].converged

A C sweep is many fits of the same multinomial logistic regression on the SAME rows. Each fit
alone is scikit-learn's lbfgs: scipy's L-BFGS-B with scikit-learn's options (lbfgs_options)
on the objective of digitlab.model.objective (mean cross-entropy + 0.5 / (C n) ||W||^2, intercepts
unpenalised), computed as scikit-learn computes it for float32 features (its own per-row loss,
float32 weights, sums and gradient: BatchObjective says why that matters). Per iteration a
fit reads all of X twice (X @ W and G.T @ X) with only 10 columns in W: skinny products that
wait on memory.
Run side by side, the fits post their weights and ONE product X @ [W_1 .. W_k] evaluates them
all: X is read once per round for every fit still running, and the product is a real GEMM.
Measured on the 59,500 tutorial images, quiet machine, ms per evaluation of all k fits:
scikit-learn's loss_gradient 78 for one fit; here, one thread, 63 (k=1), 85 (2), 164 (5), 260
(9); two threads 37, 48, 92, 147. The 9-point sweep took 98 s against 369 s for scikit-learn's
fits one after the other (benchmarks/sweep.py).

How: scipy's minimize calls fun(x) and waits for its value, so each fit's minimize runs in its
own thread, whose fun(x) posts x and sleeps until the round's value comes back. The calling
thread is the coordinator: when every running fit has posted, it evaluates them all at once,
hands back the values, and reports each fit the moment it ends (in the calling thread, which
is the one a Dask worker knows). Each fit is its own minimize: only the arithmetic is shared.
Its values agree with those it would get alone to float32 rounding (a product over 9 fits'
columns rounds a little unlike one over 1), so near the end, where the objective's changes
are below float32's grain, the paths may part: tests/unit/test_lockstep.py compares with fits
run alone and with scikit-learn's.

The rows are cut into LANES fixed blocks, each summed in its own buffer and the buffers added
in a fixed order: the numbers do not depend on how many threads share the work, so a sweep
gives the same numbers on 1 or 2 local threads or on a Dask worker.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from digitlab.model import objective

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

LANES = 16  # blocks of rows (fixed, so the sums' order is too); threads take whole lanes
_CHUNK = 1024  # rows per product inside a lane: its logits stay in cache for G.T @ X
_STOP_EVERY_S = 0.2  # how often should_stop is asked, at most: a stop takes effect this fast


def lbfgs_options(tol: float, max_iter: int) -> dict:
    """scikit-learn's options for its lbfgs (sklearn/linear_model/_logistic.py, 1.9)."""
    return {"maxiter": int(max_iter), "maxls": 50, "gtol": float(tol),
            "ftol": 64 * np.finfo(float).eps}


@dataclass
class LockstepFit:
    """One fit's outcome: weights as scikit-learn keeps them (coef_ (k, d), intercept_ (k,),
    float32 like the features), iterations, and whether L-BFGS-B met its stopping rule."""

    index: int
    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int
    n_evaluations: int
    converged: bool
    message: str
    objective: float


class BatchObjective:
    """objective.objective for k weight vectors at once on the rows X (float32), class indices
    y (0..n_classes-1). A weight vector is scikit-learn's layout: (d + 1) x n_classes in C
    order (a feature's classes side by side; the last row the intercepts), float64."""

    def __init__(self, X: np.ndarray, y: np.ndarray, n_classes: int, threads: int = 1):
        X = np.asarray(X, dtype=np.float32)
        self.n, self.d = X.shape
        # Columns that are 0 in every row (MNIST's border: 70 of 784) add exact zeros to the
        # logits and have gradient lam * w, so from w = 0 they stay 0: the products skip them.
        self.cols = np.flatnonzero(np.any(X != 0, axis=0))
        self.X = np.ascontiguousarray(X if len(self.cols) == self.d else X[:, self.cols])
        self.y_float = np.ascontiguousarray(y, dtype=np.float32)  # as scikit-learn passes y
        self.K = n_classes
        from sklearn._loss.loss import HalfMultinomialLoss

        self._loss = HalfMultinomialLoss(n_classes=n_classes).closs
        self.threads = max(1, int(threads))
        cuts = np.linspace(0, self.n, min(LANES, self.n) + 1).astype(int)
        self.lanes = [(int(a), int(b)) for a, b in zip(cuts, cuts[1:]) if b > a]

    def __call__(self, xs: Sequence[np.ndarray], lams: Sequence[float],
                 pool: ThreadPoolExecutor | None = None) -> list[tuple[float, np.ndarray]]:
        """[(f, gradient)] for each weight vector in xs, with penalty strengths lams."""
        k, K, d = len(xs), self.K, self.d
        # In the weights' own dtype, as scikit-learn's loss: scipy hands fun the dtype of x0,
        # which scikit-learn makes the features' (float32), so its weights, penalty and
        # gradient are float32 too. That grain is what ends its fits: once a step no longer
        # moves the float32 weights, the objective is unchanged and the ftol test stops.
        P = np.stack([np.asarray(x).reshape(d + 1, K) for x in xs])
        W = P[:, self.cols, :]  # (k, d', K), the columns kept
        WT = np.ascontiguousarray(W.transpose(0, 2, 1).reshape(k * K, len(self.cols)),
                                  dtype=np.float32)  # (kK, d'): the products are W.T @ X.T
        bT = P[:, d, :].reshape(k * K, 1).astype(np.float32)
        losses = np.empty((k, self.n), np.float32)  # each row's loss, as scikit-learn keeps it
        parts: list = [None] * len(self.lanes)
        lanes = itertools.count()  # next() is atomic: each lane is taken by one thread

        def work() -> None:
            while (i := next(lanes)) < len(self.lanes):
                parts[i] = self._lane(WT, bT, losses, self.lanes[i])

        helpers = [pool.submit(work) for _ in range(self.threads - 1)] if pool else []
        work()  # this thread takes lanes too
        for h in helpers:
            h.result()
        gW = parts[0][0]
        for p in parts[1:]:  # in lane order: a fixed sum, whatever the threads
            gW += p[0]
        gb = np.sum([p[1] for p in parts], axis=0)
        # The data term as scikit-learn computes it: a float32 (pairwise) sum of float32
        # losses over n, so the objective has the same float32 grain, and lbfgs's ftol test
        # (no relative decrease above 64 eps) ends a fit where scikit-learn's ends.
        data_term = losses.sum(axis=1) / np.float32(self.n)
        out = []
        for j in range(k):
            W = P[j, :d, :]
            g = np.zeros((d + 1, K), P.dtype)
            g[self.cols] = gW[j * K:(j + 1) * K].T
            g[:d] += lams[j] * W
            g[d] = gb[j * K:(j + 1) * K]
            w = W.ravel()
            penalty = float(0.5 * lams[j] * np.dot(w, w))  # scikit-learn's l2_penalty
            out.append((float(data_term[j]) + penalty, g.ravel()))
        return out

    def _lane(self, WT: np.ndarray, bT: np.ndarray, losses: np.ndarray, lane: tuple[int, int]):
        """One lane's rows: each row's cross-entropy per fit into `losses`; the lane's sums of
        X.T @ (P - Y) / n and of (P - Y) / n. A row's loss and its P - Y come from scikit-learn's
        own loss (its Cython HalfMultinomialLoss, exp and log in float64, kept in float32) on
        float32 logits, as its lbfgs computes them: an objective with another float32 grain
        (measured: our own float32 softmax) made the line search take 10-30 % more
        evaluations near the end, where the objective's changes are below float32's grain."""
        K, k, n = self.K, len(losses), self.n
        gW = np.zeros((k * K, self.X.shape[1]), np.float32)
        gb = np.zeros(k * K)
        for a in range(lane[0], lane[1], _CHUNK):
            b = min(a + _CHUNK, lane[1])
            Xc = self.X[a:b]
            Z = WT @ Xc.T  # (kK, r): logits, a fit's classes in K consecutive rows
            Z += bT
            G = np.empty_like(Z)
            for j in range(k):
                rows = slice(j * K, (j + 1) * K)
                self._loss.loss_gradient(y_true=self.y_float[a:b], raw_prediction=Z[rows].T,
                                         sample_weight=None, loss_out=losses[j, a:b],
                                         gradient_out=G[rows].T, n_threads=1)
            G /= np.float32(n)  # as scikit-learn: (P - Y) / n in float32, then the product
            gW += G @ Xc
            gb += G.sum(axis=1, dtype=np.float64)
        return gW, gb


class Stopped(Exception):
    """Raised inside a fit's fun(x) when the batch is stopped: its minimize ends there."""


class _Slot:
    """One fit's mailbox between its thread and the coordinator."""

    def __init__(self, index: int):
        self.index = index
        self.x: np.ndarray | None = None  # posted, waiting for its value
        self.value: tuple[float, np.ndarray] | None = None
        self.result: OptimizeResult | None = None  # when its minimize returned
        self.error: BaseException | None = None
        self.evaluations = 0


def fit_lockstep(X: np.ndarray, y: np.ndarray, Cs: Sequence[float], tol: float,
                 max_iter: int, threads: int = 1,
                 on_fit: Callable[[LockstepFit], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> list[LockstepFit]:
    """Fit multinomial logistic regression for every C in Cs on the same rows X (float32
    features) and labels y, cold, in lockstep; `threads` share each round's arithmetic.

    on_fit(LockstepFit) is called in this thread as soon as a fit ends; when should_stop()
    turns True (checked every round) the running fits end and only those already finished
    are returned. Every thread this starts has ended when it returns."""
    from scipy.optimize import minimize

    from digitlab.runtime.threads import blas_limit

    classes = np.unique(y)
    if len(classes) < 3:
        raise ValueError("fit_lockstep fits the multinomial model: it needs 3 or more classes "
                         "(scikit-learn fits 2 with a binomial one).")
    yi = np.searchsorted(classes, y)
    n, d = X.shape
    K = len(classes)
    batch = BatchObjective(X, yi, K, threads)
    lams = [objective.penalty_strength(float(C), n) for C in Cs]
    options = lbfgs_options(tol, max_iter)
    slots = [_Slot(i) for i in range(len(Cs))]
    cond = threading.Condition()
    stopping = False

    def fun(slot: _Slot) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
        def value(x: np.ndarray) -> tuple[float, np.ndarray]:
            with cond:
                slot.x = x.copy()
                cond.notify_all()
                while slot.value is None and not stopping:
                    cond.wait()
                if slot.value is None:
                    raise Stopped
                out, slot.value = slot.value, None
                return out
        return value

    def run(slot: _Slot) -> None:
        try:
            res = minimize(fun(slot), np.zeros((d + 1) * K, X.dtype), method="L-BFGS-B",
                           jac=True, options=options)  # x0's dtype: see BatchObjective
        except BaseException as exc:  # Stopped, or a bug: the coordinator decides
            with cond:
                slot.error = exc
                cond.notify_all()
            return
        with cond:
            slot.result = res
            cond.notify_all()

    done: list[LockstepFit] = []
    workers = [threading.Thread(target=run, args=(s,), name=f"digitlab-lockstep-{s.index}",
                                daemon=True) for s in slots]
    running = list(slots)
    next_check = 0.0
    stack = contextlib.ExitStack()
    pool = ThreadPoolExecutor(batch.threads - 1, "digitlab-lockstep-rows") \
        if batch.threads > 1 else None
    try:
        stack.enter_context(blas_limit(1))  # the lanes are the threads; BLAS's would wait
        for w in workers:
            w.start()
        while running:
            with cond:
                while not all(s.x is not None or s.result is not None or s.error is not None
                              for s in running):
                    cond.wait()
                ended = [s for s in running if s.result is not None or s.error is not None]
                running = [s for s in running if s not in ended]
                posted = [(s, s.x) for s in running if s.x is not None]
            for s in ended:
                if s.error is not None:
                    raise s.error
                done.append(_outcome(s, classes, X.dtype, d, K))
                if on_fit is not None:
                    on_fit(done[-1])
            if not running:
                break
            if should_stop is not None and (ended or time.monotonic() >= next_check):
                next_check = time.monotonic() + _STOP_EVERY_S  # it may ask a Dask scheduler
                if should_stop():
                    break
            values = batch([x for _, x in posted], [lams[s.index] for s, _ in posted], pool)
            with cond:
                for (s, _), v in zip(posted, values):
                    s.x, s.value = None, v
                    s.evaluations += 1
                cond.notify_all()
    finally:
        with cond:
            stopping = True
            cond.notify_all()
        for w in workers:
            w.join()
        if pool is not None:
            pool.shutdown()
        stack.close()
    return done


def _outcome(slot: _Slot, classes: np.ndarray, dtype, d: int, K: int) -> LockstepFit:
    res = slot.result
    if res is None:  # only a fit that ended comes here, and one that failed raised
        raise RuntimeError(f"fit {slot.index} ended without a result")
    w = np.asarray(res.x).reshape(d + 1, K)
    return LockstepFit(slot.index, np.ascontiguousarray(w[:d].T, dtype=dtype),
                       w[d].astype(dtype), int(res.nit), slot.evaluations, res.status == 0,
                       str(res.message), float(res.fun))
