"""Inside models fitted on real MNIST: ten weight images whose exactly-zero share rises with
l1_ratio, evidence that adds up for real digits, nearest training images found exactly, and the
fast solver's per-class accuracy while it trains."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.lab import explain, neighbours
from digitlab.model.config import TrainConfig
from digitlab.training import fitting


@pytest.fixture(scope="module")
def saga_fits(tutorial_split):
    """saga on 2,000 images with the L2, elastic-net and L1 penalties (a few seconds each)."""
    X_train, _, y_train, _ = tutorial_split
    return {l1: fitting.fit(TrainConfig(solver="saga", C=0.1, l1_ratio=l1, max_iter=10,
                                        train_size=2000), X_train, y_train)
            for l1 in (0.0, 0.5, 1.0)}


def test_a_fit_has_ten_weight_images_and_l1_makes_them_sparse(saga_fits):
    shares = []
    for fit in saga_fits.values():
        w = explain.pixel_weights(fit.model)
        assert w.images().shape == (10, 28, 28)
        per_class, overall = explain.zero_share(w.coef)
        assert per_class.shape == (10,)
        shares.append(overall)
    # L2 leaves only never-inked pixels at zero; L1 sets most weights to exactly zero
    assert shares[0] < shares[1] < shares[2]
    assert shares[2] > shares[0] + 0.3


def test_evidence_adds_up_for_real_test_digits(saga_fits, tutorial_split):
    _, X_test, _, y_test = tutorial_split
    model = saga_fits[0.0].model
    for i in range(20):
        r = explain.read(model, X_test[i])
        assert np.allclose(r.evidence.reshape(10, -1).sum(axis=1) + r.intercept, r.scores)
        assert np.allclose(r.probabilities, model.predict_proba(X_test[i:i + 1])[0], atol=1e-6)


@pytest.fixture(scope="module")
def index(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    return neighbours.build(X_train, y_train)


def test_a_training_image_is_its_own_nearest_neighbour_on_mnist(index, tutorial_split):
    X_train = tutorial_split[0]
    for i in (0, 1234, 59_499):
        found, dist = neighbours.nearest(index, X_train[i].reshape(28, 28), k=5)
        assert found[0] == i and dist[0] == 0.0 and (np.diff(dist) >= 0).all()


def test_nearest_training_images_are_exact_and_mostly_share_the_label(index, tutorial_split):
    X_train, X_test, _, y_test = tutorial_split
    votes = []
    for i in range(40):
        found, dist = neighbours.nearest(index, X_test[i], k=8)
        if i < 3:  # exact: the same as comparing against every training image
            d2 = ((X_train.astype(np.float32) - X_test[i].astype(np.float32)) ** 2).sum(1)
            assert set(found) == set(np.argsort(d2)[:8])
        votes.append(neighbours.vote(index, found)[0] == y_test[i])
    assert np.mean(votes) > 0.85  # an 8-nearest-neighbour vote is a good digit reader


def test_the_fast_solver_reports_each_digits_held_out_accuracy(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    events = []
    fitting.fit(TrainConfig(train_size=10_000), X_train, y_train, on_progress=events.append)
    last = [e for e in events if e.val_class_accuracy is not None][-1]
    per_class = np.array(last.val_class_accuracy)
    assert per_class.shape == (10,)
    assert per_class.min() < last.val_accuracy < per_class.max()
    assert per_class.min() > 0.6
