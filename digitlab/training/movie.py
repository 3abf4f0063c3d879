"""Training as a movie: the ten weight images at each epoch of a fit, for a flipbook.

Only solvers that report every epoch (the registry's `per_epoch`: digitlab-fast) can be
filmed, and only models whose weights belong to pixels (no feature map between them).

Bounded by bytes, not epochs: a `Recorder` keeps at most `max_frames` epochs (default
`MAX_FRAMES`, about 0.5 MB of float16 for 28x28 pixels). When it is full it lets every other
kept epoch go and from then on keeps only every 2nd (then 4th, ...) epoch, so a 200-epoch fit
holds the same few hundred kilobytes as a 20-epoch one, spread evenly over its epochs. The
epochs are kept in float16 (the flipbook only colours them); the last frame is the fitted
model's own weights, exactly (the very array: no copy), which for digitlab-fast is the epoch
it kept (the best on its held-out digits), not necessarily the last one it ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_FRAMES = 32  # x 10 digits x 784 pixels x 2 bytes = 0.5 MB at most per fit


@dataclass(frozen=True)
class Movie:
    """The weight images of a fit's epochs.

    epochs : (n,) the epoch of each kept frame (0 = the model before the first epoch), rising.
    coefs : (n, classes, features) float16, the weights at those epochs.
    final : (classes, features) the fitted model's weights (its `coef_`, not a copy).
    final_epoch : the epoch whose model the fit kept.
    """

    epochs: np.ndarray
    coefs: np.ndarray
    final: np.ndarray
    final_epoch: int

    def __len__(self) -> int:
        return len(self.epochs) + 1

    def frame(self, i: int) -> np.ndarray:
        """Frame i's weights (classes, features) as float64; the last frame (i = len - 1 or
        -1) is the final model's."""
        i = range(len(self))[i]  # negative indices count from the end; out of range raises
        if i == len(self.epochs):
            return np.asarray(self.final, np.float64)
        return self.coefs[i].astype(np.float64)

    def epoch(self, i: int) -> int:
        """The epoch frame i shows (the last frame: the epoch the fit kept)."""
        i = range(len(self))[i]
        return self.final_epoch if i == len(self.epochs) else int(self.epochs[i])

    def images(self, i: int, side: int) -> np.ndarray:
        """Frame i as (classes, side, side) images."""
        coef = self.frame(i)
        return coef.reshape(len(coef), side, side)


class Recorder:
    """Takes a fit's weights after each epoch (`add`), keeps an evenly spread set of at most
    `max_frames`, and makes the `Movie` once the fit is done (`finish`)."""

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        if max_frames < 2:
            raise ValueError("a movie needs room for at least two frames")
        self.max_frames = max_frames
        self.stride = 1
        self._epochs: list[int] = []
        self._coefs: list[np.ndarray] = []

    def add(self, epoch: int, coef: np.ndarray) -> None:
        """The weights (classes, features) after `epoch`; copied if kept (the solver may go on
        changing its array in place)."""
        if epoch % self.stride:
            return
        if len(self._epochs) >= self.max_frames:
            self.stride *= 2
            kept = [i for i, e in enumerate(self._epochs) if e % self.stride == 0]
            self._epochs = [self._epochs[i] for i in kept]
            self._coefs = [self._coefs[i] for i in kept]
            if epoch % self.stride:
                return
        self._epochs.append(int(epoch))
        self._coefs.append(np.asarray(coef).astype(np.float16, order="C"))

    def finish(self, final: np.ndarray, final_epoch: int) -> Movie | None:
        """The movie, ending on the fitted model's weights `final`; None when no epoch was
        recorded, or when they do not have the final model's shape."""
        final = np.asarray(final)
        if not self._epochs or self._coefs[0].shape != final.shape:
            return None
        coefs = np.ascontiguousarray(np.stack(self._coefs))
        coefs.flags.writeable = False
        epochs = np.array(self._epochs, dtype=np.int32)
        epochs.flags.writeable = False
        return Movie(epochs, coefs, final, int(final_epoch))
