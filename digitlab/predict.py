"""A trained model reads one digit: the Draw page's and the CLI's `predict`."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline


def predict_digit(model: Pipeline, image28: np.ndarray) -> tuple[int, np.ndarray]:
    """One 28x28 (or 784) uint8 image -> (digit, the ten probabilities)."""
    proba = model.predict_proba(np.asarray(image28, dtype=np.uint8).reshape(1, -1))[0]
    return int(model.classes_[int(np.argmax(proba))]), proba
