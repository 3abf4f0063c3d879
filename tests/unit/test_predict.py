"""predict_digit: one image in, a digit and ten probabilities out."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model import predict
from digitlab.model.config import TrainConfig
from digitlab.training import fitting


def test_predict_digit_returns_a_digit_and_ten_probabilities(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    # DigitLab's own solver fits in this process: no child process, a unit test's milliseconds
    result = fitting.fit(TrainConfig(train_size=2000), X_train, y_train)
    digit, proba = predict.predict_digit(result.model, X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.shape == (10,)
    assert proba.sum() == pytest.approx(1.0) and digit == int(np.argmax(proba))
