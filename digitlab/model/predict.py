"""A trained model reads one digit: the Draw page's and the CLI's `predict`."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from digitlab.runtime.threads import blas_limit


def predict_digit(model: Pipeline, image28: np.ndarray) -> tuple[int, np.ndarray]:
    """One 28x28 (or 784) uint8 image -> (digit, the ten probabilities).

    With one BLAS thread: for one digit a second thread only waits for a core (an rbf model's
    kernel against its 1,200 landmark digits took 40 ms with two on a busy machine, 14 with
    one; a pixel model's 0.3 ms either way)."""
    with blas_limit(1):
        proba = model.predict_proba(np.asarray(image28, dtype=np.uint8).reshape(1, -1))[0]
    return int(model.classes_[int(np.argmax(proba))]), proba
