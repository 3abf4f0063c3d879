"""predict_digit: one image in, a digit and ten probabilities out."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model import predict
from digitlab.model.config import TrainConfig
from digitlab.training import fitting


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_predict_digit_returns_a_digit_and_ten_probabilities(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=2000), X_train, y_train)
    digit, proba = predict.predict_digit(result.model, X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.shape == (10,)
    assert proba.sum() == pytest.approx(1.0) and digit == int(np.argmax(proba))
