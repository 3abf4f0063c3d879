"""digitlab-fast's stopping rule: after each epoch, does the fit end, and which epoch's model
is kept (the rule in words: digitlab.model.solvers.fast.FastLogisticRegression).
"""

from __future__ import annotations

import math

import numpy as np

from digitlab.model import objective

# An epoch whose objective fell by more than this share has not settled (StoppingRule).
_SETTLE = 0.1


class StoppingRule:
    """After each epoch: does the fit end, and which model is kept (the rule: see
    FastLogisticRegression). Created with the initial model (epoch 0), kept only if cold.

    `since` counts epochs since the held-out accuracy last rose by more than tol above every
    earlier one. A warm start and its unsettled epochs count for `since` but are never kept.
    A cold fit does not end before epoch `min_epochs` (a warm start is not held to it).
    Without held-out rows (accuracy None) each model replaces the last.
    """

    def __init__(self, tol, patience, max_iter, warm, lam, W, b, vloss, acc, min_epochs=1):
        self.tol, self.patience, self.max_iter, self.warm, self.lam = (
            tol, patience, max_iter, warm, lam)
        self.min_epochs = min_epochs
        self.since, self.reference = 0, -math.inf
        self.W: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.epoch, self.acc, self.loss = 0, -math.inf, math.inf
        self.last_objective = self._objective(W, vloss)
        self._offer(0, W, b, acc, vloss, keepable=not warm)
        self.latest = (0, W.copy(), b.copy())

    def after_epoch(self, epoch, W, b, vloss, acc) -> tuple[str | None, str]:
        """Offer the epoch's model; (stopped_by_, why) if the fit ends here, else (None, "")."""
        # "Settled": the objective fell by less than _SETTLE this epoch. A model still on
        # its way may not end the fit, and a warm start's is not kept either: it lies
        # between the old setting and the new one (say C), and a warm start that stopped
        # there would hide what the new C does.
        now = self._objective(W, vloss)
        settled = not now < (1 - _SETTLE) * self.last_objective
        self.last_objective = now
        self.latest = (epoch, W, b)
        self._offer(epoch, W, b, acc, vloss, keepable=settled or not self.warm or acc is None)
        if acc is not None and settled and (
                self.warm or (self.since >= self.patience and epoch >= self.min_epochs)):
            # A cold fit stops once held-out accuracy stops rising. A warm start began at
            # a model already stopped that way on these rows: once the new setting has
            # settled there is no peak left to look for.
            return "early stopping", ("the warm start has settled" if self.warm else
                                      "held-out accuracy has not improved for "
                                      + (f"{self.since} epochs" if self.since > 1 else "an epoch"))
        return ("max_iter" if epoch >= self.max_iter else None), ""

    def kept(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(epoch, W, b) to keep: the best model, or the latest if none was keepable."""
        if self.W is None or self.b is None:  # both are set together, in _offer
            return self.latest
        return self.epoch, self.W, self.b

    def _objective(self, W, vloss: float | None) -> float:
        # `objective`'s value, its data term taken on the held-out rows.
        return math.nan if vloss is None else vloss + objective.penalty(W, self.lam)

    def _offer(self, epoch, W, b, acc, loss, keepable: bool) -> None:
        """Keep the model if keepable and the best so far: the highest held-out accuracy,
        ties going to the lower loss."""
        if acc is not None:
            self.since = 0 if acc > self.reference + self.tol else self.since + 1
            self.reference = max(self.reference, acc)
        better = (self.W is None or acc is None or acc > self.acc
                  or (acc == self.acc and loss < self.loss))
        if keepable and better:
            self.W, self.b, self.epoch = W.copy(), b.copy(), epoch
            if acc is not None:
                self.acc, self.loss = acc, loss
