"""Issue 23's views on real MNIST: the flipbook ends on the fitted model's weights, a test digit
fed through the Draw page's pipeline lands where the map put it, and the calibration of a real
model is scikit-learn's calibration_curve on the same bins."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from digitlab.data import preprocess
from digitlab.lab import digitmap, neighbours
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.model.pipeline import LOGREG_STEP
from digitlab.training import evaluate, fitting

FAST = TrainConfig(solver=solvers.FAST, scaling="unit", train_size=5000, max_iter=8)


@pytest.fixture(scope="module")
def fast_fit(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    return fitting.fit(FAST, X_train, y_train)


def test_the_flipbooks_last_frame_is_the_fitted_models_weights(fast_fit):
    movie = fast_fit.movie
    assert movie is not None
    coef = fast_fit.model.named_steps[LOGREG_STEP].coef_
    np.testing.assert_allclose(movie.frame(-1), coef, rtol=0, atol=1e-6)
    assert movie.epoch(-1) == fast_fit.model.named_steps[LOGREG_STEP].best_iteration_
    assert movie.epochs[0] == 0 and np.all(movie.frame(0)[:, :] == 0)  # prior init: no weights
    assert movie.epochs[-1] == fast_fit.n_iter  # the last epoch run is filmed too
    assert movie.images(-1, 28).shape == (10, 28, 28)


@pytest.mark.parametrize("config", [TrainConfig(solver="sag", max_iter=3, train_size=2000),
                                    FAST.replace(features="rbf", train_size=2000)])
def test_no_movie_without_per_epoch_weights_of_pixels(tutorial_split, config):
    X_train, _, y_train, _ = tutorial_split
    assert fitting.fit(config, X_train, y_train).movie is None


def canvas(row: np.ndarray) -> np.ndarray:
    """A 28x28 test digit as the drawing pad sends one: 280x280 RGBA, white ink on black."""
    big = cv2.resize(row.reshape(28, 28), (280, 280), interpolation=cv2.INTER_LINEAR)
    return np.dstack([big, big, big, np.full_like(big, 255)])


@pytest.mark.parametrize("deskew", [False, True])
def test_a_test_digit_through_the_draw_pipeline_lands_at_its_coordinates(tutorial_split, deskew):
    X_train, X_test, y_train, y_test = tutorial_split
    index = neighbours.build(X_train[:10_000], y_train[:10_000], deskew=deskew)
    dmap = digitmap.build(index, X_test[:2000], y_test[:2000])
    assert dmap.coords.shape == (2000, 2) and dmap.deskew == deskew
    # The very image lands on its point exactly
    placed = np.array([dmap.place(X_test[i]) for i in range(50)])
    np.testing.assert_allclose(placed, dmap.coords[:50], rtol=0, atol=1e-2)
    # Redrawn by the pad and prepared by the Draw page, it lands near it: the pipeline crops,
    # rescales and evens the strokes of an image MNIST had already prepared its own way
    spread = float(np.linalg.norm(dmap.coords.std(axis=0)))
    miss, rank = [], []
    for i in range(100):
        prepared = preprocess.to_mnist(canvas(X_test[i]), deskew=deskew)
        d = np.linalg.norm(dmap.coords - dmap.place(prepared.image28), axis=1)
        miss.append(d[i] / spread)
        rank.append(np.mean(d < d[i]))
    assert np.median(miss) < 0.25  # measured ~0.11-0.15
    assert np.median(rank) < 0.05  # its own point is among the nearest few of 2,000


def test_the_map_samples_every_digit_and_places_training_neighbours(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    index = neighbours.build(X_train[:5000], y_train[:5000])
    dmap = digitmap.build(index, X_test[:3000], y_test[:3000])
    rows = dmap.sample(per_digit=40)
    assert set(np.unique(dmap.labels[rows])) == set(range(10)) and len(rows) == 400
    found, _ = neighbours.nearest(index, X_test[0], 8)
    np.testing.assert_allclose(dmap.training_coords(found), index.project(index.X[found])[:, :2],
                               rtol=0, atol=1e-2)


def test_calibration_of_a_real_model_is_scikit_learns_calibration_curve(fast_fit, tutorial_split):
    _, X_test, _, y_test = tutorial_split
    ev = evaluate.evaluate(fast_fit.model, X_test, y_test)
    proba = fast_fit.model.predict_proba(X_test)
    right = proba.argmax(axis=1) == y_test
    # top-label: the probability of its own answer, and whether that answer is right
    np.testing.assert_allclose(ev.confidence, proba.max(axis=1), atol=1e-6)
    assert np.array_equal(ev.yhat == y_test, right)
    cal = evaluate.calibration_of(ev, y_test, 10)
    # the same inputs (the kept float32 confidences), so that no value changes bin by rounding
    prob_true, prob_pred = calibration_curve(right, ev.confidence, n_bins=10)
    np.testing.assert_allclose(cal.accuracy, prob_true, atol=1e-6)
    np.testing.assert_allclose(cal.confidence, prob_pred, atol=1e-6)
    assert 0 <= cal.ece < 0.1
