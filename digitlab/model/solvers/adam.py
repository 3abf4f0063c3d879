"""digitlab-fast's epoch step: one pass of mini-batch Adam over the training rows, with
iterate averaging (the model of an epoch is the mean of its iterates). digitlab.model.solvers.fast
says why each ingredient is there and what it buys.
"""

from __future__ import annotations

import math

import numpy as np

from digitlab.model import objective

# Adam's usual moment decay rates; they are not worth exposing.
_BETA1, _BETA2, _EPS = 0.9, 0.999, 1e-8
_STOP_POLL_BATCHES = 32  # ~8 ms of work between two should_stop() calls


class Adam:
    """Adam's two moment estimates for one parameter array; updates it in place."""

    def __init__(self, p: np.ndarray):
        self.m, self.v, self.t = np.zeros_like(p), np.zeros_like(p), 0

    def step(self, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        self.t += 1
        self.m *= _BETA1
        self.m += (1 - _BETA1) * g
        self.v *= _BETA2
        self.v += (1 - _BETA2) * (g * g)
        # bias correction folded into the step size (Kingma & Ba, section 2)
        a = lr * math.sqrt(1 - _BETA2 ** self.t) / (1 - _BETA1 ** self.t)
        p -= p.dtype.type(a) * self.m / (np.sqrt(self.v) + p.dtype.type(_EPS))


class EpochStep:
    """The epoch step: one pass of mini-batch Adam over the training rows, batches in a random
    order, updating (W, b) in place. A call returns the epoch's model (the mean of its iterates,
    or with average=False the last) and its mean training cross-entropy; None if should_stop()
    came before the first step. `stopped`: should_stop() ended a pass. With `batch_transform`,
    a batch's features are batch_transform(its rows) instead of X[its rows]."""

    def __init__(self, X, y, W, b, lam, lr_w, lr_b, batch_size, average, batch_transform=None):
        self.X, self.y, self.W, self.b, self.lam, self.average = X, y, W, b, lam, average
        self.adam_w, self.adam_b, self.lr_w, self.lr_b = Adam(W), Adam(b), lr_w, lr_b
        self.bs, self.stopped = min(int(batch_size), len(y)), False
        self.batch_transform = batch_transform

    def __call__(self, rng, should_stop) -> tuple[np.ndarray, np.ndarray, float] | None:
        X, y, W, b, bs = self.X, self.y, self.W, self.b, self.bs
        sum_W, sum_b = np.zeros_like(W), np.zeros_like(b)
        loss_sum, done = 0.0, 0
        for j in rng.permutation(math.ceil(len(y) / bs)):
            if should_stop is not None and done % _STOP_POLL_BATCHES == 0 and should_stop():
                self.stopped = True
                break
            rows = slice(j * bs, min((j + 1) * bs, len(y)))
            # the hook (augmentation) makes this batch's features afresh from its rows
            xb = (X[rows] if self.batch_transform is None
                  else self.batch_transform(rows).astype(X.dtype, copy=False))
            yb = y[rows]
            p = objective.probabilities(xb, W, b)
            loss_sum += objective.cross_entropy(p, yb)
            gW, gb = objective.gradient(p, xb, yb, W, self.lam)  # the objective's, per batch
            self.adam_w.step(W, gW, self.lr_w)
            self.adam_b.step(b, gb, self.lr_b)
            if self.average:
                sum_W += W
                sum_b += b
            done += 1
        if done == 0:
            return None
        n = W.dtype.type(done)
        return (sum_W / n, sum_b / n, loss_sum / done) if self.average else (W, b, loss_sum / done)
