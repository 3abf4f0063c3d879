"""digitlab.model.features: the feature-map registry, the rbf map inside a fitted pipeline (a named
step, so pixel-only views can tell), its model files, its warm starts and the fit store's keys.
(Accuracy on real MNIST: tests/model/test_features_on_mnist.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model import features, predict
from digitlab.model import pipeline as transform
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.pipeline import FEATURES_STEP, LOGREG_STEP, PIXELS_STEP, has_pixel_weights
from digitlab.training import fitting, modelfile
from digitlab.training.store import FitStore


@pytest.fixture(scope="module")
def rbf_fit(digit_split):
    X_train, _, y_train, _ = digit_split
    return fitting.fit(TrainConfig(train_size=3000, features="rbf"), X_train, y_train)


def test_the_registry_names_pixels_and_rbf_and_config_refuses_others():
    assert list(features.FEATURES) == ["pixels", "rbf", "rbf-wide"]
    assert TrainConfig().features == "pixels"
    assert features.get("pixels").pixel_weights and not features.get("rbf").pixel_weights
    assert not features.get("rbf-wide").pixel_weights
    with pytest.raises(ConfigError, match="features must be one of pixels, rbf, rbf-wide"):
        TrainConfig(features="wavelets")


def test_each_feature_map_has_its_own_label_and_summary_for_people():
    labels = [f.label for f in features.FEATURES.values()]
    assert len(set(labels)) == len(labels) and all(label.strip() for label in labels)
    assert all(f.summary.strip() and f.label != f.name for f in features.FEATURES.values())
    assert "tutorial" in features.get(features.PIXELS).label  # the Train page's first choice


def test_an_rbf_model_is_pixels_then_a_named_feature_step_then_logreg(rbf_fit, digit_split):
    _, X_test, _, y_test = digit_split
    model = rbf_fit.model
    assert list(model.named_steps) == [PIXELS_STEP, FEATURES_STEP, LOGREG_STEP]
    assert not has_pixel_weights(model)
    kernel = model.named_steps[FEATURES_STEP].named_steps["kernel"]
    assert kernel.n_components == features.RBF_COMPONENTS
    assert model.named_steps[LOGREG_STEP].coef_.shape == (10, features.RBF_COMPONENTS)
    digit, proba = predict.predict_digit(model, X_test[0])  # raw uint8 pixels in
    assert 0 <= digit <= 9 and proba.sum() == pytest.approx(1.0, abs=1e-5)
    assert model.predict_proba(X_test[:5]).dtype == np.float32


def test_a_pixel_model_keeps_the_tutorials_two_steps(digit_split):
    X_train, _, y_train, _ = digit_split
    model = fitting.fit(TrainConfig(train_size=1000), X_train, y_train).model
    assert list(model.named_steps) == [PIXELS_STEP, LOGREG_STEP]
    assert has_pixel_weights(model)


def test_better_features_beat_pixels_with_the_same_linear_model(rbf_fit, digit_split):
    X_train, X_test, y_train, y_test = digit_split
    pixels = fitting.fit(TrainConfig(train_size=3000), X_train, y_train).model
    assert rbf_fit.model.score(X_test, y_test) > pixels.score(X_test, y_test) + 0.01


def test_an_rbf_model_file_round_trips(tmp_path, rbf_fit, digit_split):
    X_test = digit_split[1]
    loaded = modelfile.load(modelfile.save(rbf_fit, tmp_path / "rbf.skops"))
    assert loaded["config"].features == "rbf"
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          rbf_fit.model.predict_proba(X_test[:50]))


def test_a_warm_start_needs_the_same_feature_map(rbf_fit, digit_split):
    X_train, _, y_train, _ = digit_split
    other = fitting.fit(TrainConfig(train_size=3000, features="rbf", C=0.5), X_train, y_train,
                        warm_start_from=rbf_fit)
    assert other.warm_started and any("Warm start" in n for n in other.notes)
    pixels = fitting.fit(TrainConfig(train_size=3000, C=0.5), X_train, y_train,
                         warm_start_from=rbf_fit)
    assert not pixels.warm_started and any("other features" in n for n in pixels.notes)


def test_the_store_keeps_pixel_and_rbf_features_apart(digit_split):
    X_train, _, y_train, _ = digit_split
    store = FitStore(features=2)
    a = fitting.fit(TrainConfig(train_size=1000), X_train, y_train, store=store)
    b = fitting.fit(TrainConfig(train_size=1000, features="rbf"), X_train, y_train, store=store)
    assert len(store.features) == 2 and a.model is not b.model


def test_make_pipeline_builds_the_feature_step_from_the_pixels_it_will_see(digit_split):
    Z = digit_split[0][:500].astype(np.float32) / 255
    pipe = transform.make_pipeline(TrainConfig(features="rbf"), Z=Z)
    assert list(pipe.named_steps) == [PIXELS_STEP, FEATURES_STEP, LOGREG_STEP]
    gamma = pipe.named_steps[FEATURES_STEP].named_steps["kernel"].gamma
    assert gamma == pytest.approx(features.RBF_WIDTH / (784 * Z.var()), rel=1e-3)
    with pytest.raises(ValueError, match="pixel features"):
        transform.make_pipeline(TrainConfig(features="rbf"))
    wide = transform.make_pipeline(TrainConfig(features=features.RBF_WIDE_NAME), Z=Z)
    assert wide.named_steps[FEATURES_STEP].named_steps["kernel"].gamma == pytest.approx(
        gamma * features.RBF_WIDE / features.RBF_WIDTH) and features.RBF_WIDE < features.RBF_WIDTH
    assert features.kernel_width(features.PIXELS) is None


def test_the_map_is_applied_chunk_by_chunk_as_fit_transform_would(digit_split, monkeypatch):
    """features.fit_transform writes the map into one float32 array a chunk at a time (the
    rbf map of MNIST without three full copies): the same features as the pipeline's own
    fit_transform, to float32 rounding, whether the rows divide into chunks or not."""
    X_train = digit_split[0]
    Z = transform.PixelTransform("unit", False, 28).fit_transform(X_train[:600])
    config = TrainConfig(features="rbf")
    whole = features.build(config, Z).fit_transform(Z)
    for rows in (7, len(Z)):  # a ragged last chunk; one chunk
        monkeypatch.setattr(features, "CHUNK_ROWS", rows)
        step = features.build(config, Z)
        out = features.fit_transform(step, Z)
        assert out.dtype == np.float32 and out.shape == whole.shape
        assert np.allclose(out, whole, rtol=1e-3, atol=1e-3)
        assert np.allclose(step.transform(Z[:5]), whole[:5], rtol=1e-3, atol=1e-3)  # fitted too
