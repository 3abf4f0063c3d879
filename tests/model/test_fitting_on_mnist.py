"""fitting.fit on real MNIST beats its baselines: lbfgs on a 10,000-image subset, and the fast
solver's one step size on raw and on standardised pixels. (The mechanics, on synthetic digits:
tests/unit/test_fitting.py.)"""

from __future__ import annotations

import pytest

from digitlab.model.config import TrainConfig
from digitlab.training import fitting


def test_small_real_fit_beats_085_on_a_10k_subset(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=10_000, max_iter=100),
                       X_train, y_train)
    assert result.n_train == 10_000
    assert result.model.score(X_test, y_test) > 0.85
    assert result.fit_seconds > 0 and result.n_iter >= 1


@pytest.mark.parametrize("scaling", ["raw", "standard"])
def test_one_step_size_suits_raw_and_standardised_pixels(tutorial_split, scaling):
    X_train, X_test, y_train, y_test = tutorial_split
    r = fitting.fit(TrainConfig(train_size=5000, scaling=scaling), X_train, y_train)
    assert r.model.score(X_test[:2000], y_test[:2000]) > 0.86
