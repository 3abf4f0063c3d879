"""Synthetic data for the unit tests (see synthetic.py); read-only, like the MNIST fixtures."""

from __future__ import annotations

import numpy as np
import pytest

from . import synthetic


def _read_only(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


@pytest.fixture(scope="session")
def digit_split():
    """X_train (5,000), X_test (2,000), y_train, y_test: synthetic 28x28 digits in the
    tutorial's order of names, the test images drawn from other source digits."""
    parts = synthetic.split()
    _read_only(*parts)
    return parts


@pytest.fixture(scope="session")
def tiny():
    """400 synthetic 28x28 'digits': two classes told apart by which half holds the ink."""
    X, y = synthetic.two_halves()
    _read_only(X, y)
    return X, y


@pytest.fixture(scope="session")
def blobs():
    """X_train, y_train, X_test, y_test: three overlapping classes of 16 "pixels" (uint8,
    side 4): a linear model fits them well but not perfectly. For sweeps."""
    rng = np.random.default_rng(0)
    centres = rng.uniform(60, 200, size=(3, 16))

    def draw(n):
        y = rng.integers(0, 3, n)
        X = np.clip(centres[y] + rng.normal(0, 70, size=(n, 16)), 0, 255).astype(np.uint8)
        return X, y

    X_train, y_train = draw(400)
    X_test, y_test = draw(300)
    return X_train, y_train, X_test, y_test
