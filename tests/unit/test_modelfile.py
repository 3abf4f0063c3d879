"""Model files: a fitted pipeline and its preprocessing round-trip through skops; anything else
is refused with a sentence. (Synthetic digits: the file does not care what was learned.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab import fitting, modelfile, predict
from digitlab.config import TrainConfig
from digitlab.fast import FastLogisticRegression


def test_a_fast_model_file_round_trips(tmp_path, digit_split):
    X_train, X_test, y_train, _ = digit_split
    r = fitting.fit(TrainConfig(train_size=2000), X_train, y_train)
    loaded = modelfile.load(modelfile.save(r, tmp_path / "fast.skops"))
    assert isinstance(loaded["model"].named_steps["logreg"], FastLogisticRegression)
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          r.model.predict_proba(X_test[:50]))
    digit, proba = predict.predict_digit(loaded["model"], X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.sum() == pytest.approx(1.0, abs=1e-5)


def test_model_file_round_trips_with_its_preprocessing(tmp_path, digit_split):
    X_train, X_test, y_train, _ = digit_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=1000, scaling="standard"),
                       X_train, y_train)
    path = modelfile.save(result, tmp_path / "m.skops")
    assert path.read_bytes()[:2] == b"PK"  # a skops zip, not a pickle
    loaded = modelfile.load(path)
    assert loaded["config"] == result.config
    assert loaded["scaling"] == "standard"
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          result.model.predict_proba(X_test[:50]))


def test_loading_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    import skops.io as sio

    p = tmp_path / "other.skops"
    sio.dump({"hello": [1, 2, 3]}, p)
    with pytest.raises(ValueError, match="not a DigitLab model file"):
        modelfile.load(p)
