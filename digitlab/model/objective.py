"""The objective of multinomial logistic regression, with its gradient: the maths every solver
here minimises, written once.

    f(W, b) = mean cross-entropy of softmax(X @ W + b) + 0.5 * lam * ||W||^2,  lam = 1 / (C n)

scikit-learn's LogisticRegression minimises C * sum(cross-entropy) + 0.5 * ||W||^2: the same
function divided by C * n, so the same minimiser, and C means the same in both
(tests/unit/test_objective.py checks value and gradient against scikit-learn's own).
Float32 in, float32 out: digitlab.model.solvers.fast's epochs are memory-bound.
"""

from __future__ import annotations

import math

import numpy as np

# Logits below max - 60 become exp(-60) ~ 1e-26 instead of a float32 subnormal: subnormal
# numbers make every later multiply ~100x slower, and e^-60 is already 0 for the loss.
_LOGIT_FLOOR = -60.0


def penalty_strength(C: float, n: int) -> float:
    """lam of `objective` for C and n training rows: 1 / (C * n); 0 for C = inf (no penalty)."""
    return 0.0 if math.isinf(C) else 1.0 / (C * n)


def objective(W, b, X, y, lam: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The objective the solver minimises and its gradient: (f, df/dW, df/db) at weights W
    (n_features, n_classes: coef_.T) and intercepts b, for rows X and class indices y (0..k-1):

        f = mean cross-entropy + 0.5 * lam * ||W||^2,  lam = penalty_strength(C, n),

    the intercepts unpenalised: LogisticRegression's C * sum(cross-entropy) + 0.5 * ||W||^2
    divided by C * n, so the same minimiser and C means the same. Each Adam step follows this
    gradient on its batch (tests/unit/test_objective.py checks both against scikit-learn's).
    """
    p = probabilities(X, W, b)
    f = cross_entropy(p, y) + penalty(W, lam)  # before gradient overwrites p
    return (f, *gradient(p, X, y, W, lam))


def softmax_inplace(z: np.ndarray) -> None:
    """Turn logits (rows) into probabilities, in place."""
    z -= z.max(axis=1, keepdims=True)
    np.maximum(z, _LOGIT_FLOOR, out=z)
    np.exp(z, out=z)
    s = z.sum(axis=1, keepdims=True)
    z /= s


def probabilities(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """softmax(X @ W + b), a row for each row of X."""
    z = X @ W
    z += b
    softmax_inplace(z)
    return z


def cross_entropy(p: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the probabilities p (rows) for the class indices y."""
    return float(-np.mean(np.log(np.maximum(p[np.arange(len(y)), y], np.finfo(p.dtype).tiny))))


def penalty(W: np.ndarray, lam: float) -> float:
    return 0.5 * lam * float(np.vdot(W, W))


def gradient(p, X, y, W, lam) -> tuple[np.ndarray, np.ndarray]:
    """`objective`'s gradient in (W, b), from p = softmax(X @ W + b), which it overwrites."""
    p[np.arange(len(y)), y] -= 1  # d(cross-entropy)/d(logits), summed over the rows
    p *= p.dtype.type(1.0 / len(y))
    gW = X.T @ p
    if lam:
        gW += W.dtype.type(lam) * W
    return gW, p.sum(axis=0)


def held_out(Xval, yval, W, b) -> tuple[float | None, float | None]:
    """(mean cross-entropy, accuracy) on the held-out rows; (None, None) if there are none."""
    return held_out_by_class(Xval, yval, W, b)[:2]


def held_out_by_class(Xval, yval, W, b) -> tuple[float | None, float | None,
                                                 tuple[float, ...] | None]:
    """`held_out` and the accuracy on each class's held-out rows (class indices 0..k-1; nan
    for a class with none), from the same predictions; (None, None, None) if there are none."""
    if len(yval) == 0:
        return None, None, None
    p = probabilities(Xval, W, b)
    right = np.argmax(p, axis=1) == yval
    k = W.shape[1]
    n = np.bincount(yval, minlength=k)
    hits = np.bincount(yval, weights=right, minlength=k)
    per_class = tuple(float(h / c) if c else math.nan for h, c in zip(hits, n))
    return cross_entropy(p, yval), float(np.mean(right)), per_class


def best_scale(X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, lam: float) -> float:
    """The factor a in (0, 1] that minimises the objective at (a * W, b) on rows X: a warm
    start's weights shrunk for a stronger penalty (a smaller C). A one-dimensional search:
    X @ W is computed once, so it costs a few milliseconds."""
    from scipy.optimize import minimize_scalar

    zw = (X @ W).astype(np.float64)
    rows = np.arange(len(y))
    sq = float(np.vdot(W, W))

    def f(a: float) -> float:
        z = a * zw + b
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        return float(np.mean(lse - z[rows, y])) + 0.5 * lam * a * a * sq

    res = minimize_scalar(f, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-3})
    return float(res.x) if res.fun < f(1.0) else 1.0
