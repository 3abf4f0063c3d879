"""TrainConfig validation, a small real fit, the pixel transform, and model files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab import fitting, modelfile, predict, transform
from digitlab.config import ConfigError, TrainConfig


@pytest.mark.parametrize("changes, words", [
    ({"solver": "liblinear"}, "solver must be one of"),
    ({"solver": "sag", "l1_ratio": 1.0}, "Choose solver 'saga'"),
    ({"solver": "lbfgs", "l1_ratio": 0.5}, "only supports the L2 penalty"),
    ({"C": 0.0}, "C must be a positive number"),
    ({"C": -1.0}, "got -1.0"),
    ({"l1_ratio": 1.5}, "between 0 (L2) and 1 (L1)"),
    ({"max_iter": 10.0}, "max_iter must be a whole number"),
    ({"max_iter": 0}, "at least 1"),
    ({"tol": 0}, "tol must be a positive number"),
    ({"test_size": 1.0}, "test_size must be a fraction"),
    ({"seed": -3}, "seed must be a whole number"),
    ({"scaling": "minmax"}, "scaling must be one of"),
    ({"train_size": 5}, "train_size must be a whole number of at least 10"),
])
def test_config_refuses_bad_settings_with_a_sentence(changes, words):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**changes)
    assert words in str(info.value)


def test_no_penalty_is_C_infinite_and_works_with_any_solver():
    c = TrainConfig(C=math.inf, solver="lbfgs", l1_ratio=0.7)
    assert c.penalty_name == "none"
    assert transform.make_estimator(c).l1_ratio == 0.0


def test_saga_takes_l1_and_elastic_net():
    assert TrainConfig(solver="saga", l1_ratio=1.0).penalty_name == "L1"
    assert "elastic net" in TrainConfig(solver="saga", l1_ratio=0.3).penalty_name


def test_config_round_trips_through_a_json_friendly_dict():
    c = TrainConfig(C=math.inf, train_size=500, deskew=False)
    d = c.to_dict()
    assert d["C"] == "inf"
    assert TrainConfig.from_dict(d) == c
    assert hash(c) == hash(TrainConfig.from_dict(d))  # configs key caches


@pytest.mark.parametrize("scaling, lo, hi", [("unit", 0, 1), ("raw", 0, 255)])
def test_pixel_transform_scales_to_float32(scaling, lo, hi, tutorial_split):
    X = tutorial_split[0][:200]
    Z = transform.PixelTransform(scaling).fit(X).transform(X)
    assert Z.dtype == np.float32 and Z.shape == (200, 784)
    assert Z.min() == lo and Z.max() == pytest.approx(hi)


def test_standard_scaling_centres_the_training_pixels(tutorial_split):
    X = tutorial_split[0][:2000]
    Z = transform.PixelTransform("standard").fit(X).transform(X)
    varying = X.std(axis=0) > 1
    assert np.abs(Z.mean(axis=0)).max() < 1e-3
    assert np.allclose(Z.std(axis=0)[varying], 1, atol=1e-3)
    assert np.isfinite(Z).all()


def test_small_real_fit_beats_085_on_a_10k_subset(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=10_000, max_iter=100),
                       X_train, y_train)
    assert result.n_train == 10_000
    assert result.model.score(X_test, y_test) > 0.85
    assert result.fit_seconds > 0 and result.n_iter >= 1


def test_unconverged_fit_says_so(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=500, max_iter=2), X_train, y_train)
    assert not result.converged
    assert any("max_iter=2" in n for n in result.notes)


def test_fit_reports_progress_at_start_and_end(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    events = []
    fitting.fit(TrainConfig(solver="lbfgs", train_size=300, max_iter=5), X_train, y_train,
              on_progress=events.append)
    assert events[0].iteration == 0 and events[-1].message == "done"


def test_one_class_subset_is_refused_before_fitting():
    X = np.zeros((20, 784), np.uint8)
    with pytest.raises(ConfigError, match="only one class"):
        fitting.fit(TrainConfig(train_size=10), X, np.zeros(20, np.uint8))


def test_predict_digit_returns_a_digit_and_ten_probabilities(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=2000), X_train, y_train)
    digit, proba = predict.predict_digit(result.model, X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.shape == (10,)
    assert proba.sum() == pytest.approx(1.0) and digit == int(np.argmax(proba))


def test_model_file_round_trips_with_its_preprocessing(tmp_path, tutorial_split):
    X_train, X_test, y_train, _ = tutorial_split
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
