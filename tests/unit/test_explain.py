"""digitlab.lab.explain on small synthetic digits: the evidence maps add up to the scores, the
softmax of the scores is what predict_proba says, the maths panel's identities hold, and only
models whose weights belong to pixels get weight images."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from digitlab.lab import explain
from digitlab.model import objective, solvers
from digitlab.model.config import TrainConfig
from digitlab.model.pipeline import FEATURES_STEP, LOGREG_STEP, PIXELS_STEP, PixelTransform
from digitlab.training import fitting


def synthetic_digits(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """28x28 uint8 'digits': class k is a bright bar in row band k, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    X = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
    for i, k in enumerate(y):
        X[i, 3 + 2 * k: 5 + 2 * k, 4:24] = 230
    return X.reshape(n, -1), y


@pytest.fixture(scope="module")
def data():
    return synthetic_digits()


def fitted(config: TrainConfig, data) -> Pipeline:
    X, y = data
    return fitting.fit(config, X, y).model


@pytest.mark.parametrize("scaling, deskew", [("unit", False), ("standard", False),
                                             ("raw", False), ("unit", True)])
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_evidence_sums_to_the_score_and_softmax_is_predict_proba(data, scaling, deskew):
    model = fitted(TrainConfig(solver="lbfgs", max_iter=50, scaling=scaling, deskew=deskew),
                   data)
    X, _ = data
    image = X[7].reshape(28, 28)
    r = explain.read(model, image)
    assert r.evidence.shape == (10, 28, 28)
    for k in range(10):
        assert r.evidence_sum(k) + r.intercept[k] == pytest.approx(r.scores[k], abs=1e-9)
    assert np.allclose(r.scores, model.decision_function(X[7:8])[0], atol=1e-3)
    assert np.allclose(r.probabilities, model.predict_proba(X[7:8])[0], atol=1e-5)
    assert r.predicted == int(np.argmax(r.probabilities)) and r.runner_up != r.predicted
    assert r.probabilities[r.runner_up] == np.sort(r.probabilities)[-2]


def test_the_fast_solver_reads_the_same_way(data):
    model = fitted(TrainConfig(), data)
    X, _ = data
    r = explain.read(model, X[3])
    assert np.allclose(r.probabilities, model.predict_proba(X[3:4])[0], atol=1e-5)


def test_evidence_is_computed_on_the_deskewed_features_a_deskew_model_sees(data):
    # the solver is beside the point (the pipeline's deskew step is): digitlab-fast, in this
    # process, keeps the test a unit test
    model = fitted(TrainConfig(solver=solvers.FAST, max_iter=30, deskew=True), data)
    X, _ = data
    slanted = np.zeros((28, 28), np.uint8)
    for row in range(6, 22):
        slanted[row, 6 + row // 2: 9 + row // 2] = 255  # a leaning stroke
    w = explain.pixel_weights(model)
    x = w.features(slanted)
    assert not np.allclose(x, slanted.reshape(-1) / 255)  # straightened, not the raw pixels
    r = explain.read(model, slanted)
    assert np.allclose(r.features, x)


def test_only_per_pixel_weights_give_weight_images(data):
    X, y = data  # which models have pixel weights is the pipeline's, not the solver's, affair
    model = fitted(TrainConfig(solver=solvers.FAST, max_iter=20), data)
    w = explain.pixel_weights(model)
    assert w is not None and w.images().shape == (10, 28, 28)

    kernel = fitted(TrainConfig(solver=solvers.FAST, max_iter=30, features="rbf"), data)
    assert explain.pixel_weights(kernel) is None  # the rbf map: weights on kernel features
    r = explain.read(kernel, X[0])  # still scores and probabilities, no evidence
    assert not r.has_evidence
    assert np.allclose(r.probabilities, kernel.predict_proba(X[:1])[0], atol=1e-5)
    with pytest.raises(ValueError):
        r.evidence_sum(0)

    other = Pipeline([(PIXELS_STEP, PixelTransform()),  # any feature step, not the registry's
                      (FEATURES_STEP, RBFSampler(n_components=50, random_state=0)),
                      (LOGREG_STEP, LogisticRegression(max_iter=50))]).fit(X, y)
    assert explain.pixel_weights(other) is None


def test_zero_share_counts_exact_zeros_per_class_and_overall():
    coef = np.ones((2, 4))
    coef[0, :2] = 0.0
    per_class, overall = explain.zero_share(coef)
    assert list(per_class) == [0.5, 0.0] and overall == 0.25


@pytest.mark.parametrize("k", [0, 3])
def test_the_margin_is_the_logit_and_sigma_of_it_is_the_probability(k):
    z = np.array([2.0, -1.0, 0.5, 4.0, -3.0])
    ovr = explain.one_vs_rest(z, k)
    p = explain.softmax(z)[k]
    assert ovr.probability == pytest.approx(p)
    assert ovr.sigma == pytest.approx(p, rel=1e-12)
    assert ovr.logit == pytest.approx(ovr.margin, rel=1e-9)
    assert ovr.misprint == pytest.approx(1 - math.exp(-ovr.margin))
    assert ovr.misprint != pytest.approx(ovr.sigma)  # the tutorial's misprint is not sigma


def test_a_certain_probability_has_an_infinite_logit():
    ovr = explain.one_vs_rest(np.array([900.0, 0.0]), 0)
    assert ovr.probability == 1.0 and math.isinf(ovr.logit) and ovr.sigma == 1.0


def test_loss_terms_match_the_objective_every_solver_minimises(data):
    X, y = data
    W = np.random.default_rng(1).normal(size=(10, 784))
    proba = explain.softmax(np.arange(10.0))
    lt = explain.loss_terms(W, C=0.5, l1_ratio=0.0, n_train=400, probabilities=proba, label=9)
    lam = objective.penalty_strength(0.5, 400)
    assert lt.penalty == pytest.approx(objective.penalty(W.T, lam))
    assert lt.image_loss == pytest.approx(-math.log(proba[9]))
    l1 = explain.loss_terms(W, C=0.5, l1_ratio=1.0, n_train=400, probabilities=proba, label=0)
    assert l1.penalty == pytest.approx(np.abs(W).sum() / (0.5 * 400))
    none = explain.loss_terms(W, C=math.inf, l1_ratio=1.0, n_train=400, probabilities=proba,
                              label=0)
    assert none.penalty == 0.0 and none.l1_ratio == 0.0
