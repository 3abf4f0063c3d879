"""The fast solver learns real MNIST: a 5,000-image subset scores above 0.87 on 2,000 test
images, and the fitted estimator looks like a scikit-learn classifier. (Its behaviour on
synthetic digits: tests/unit/test_fast.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model.solvers.fast import FastLogisticRegression


@pytest.fixture(scope="module")
def small(tutorial_split):
    """(Z, y, Zt, yt): 5,000 training and 2,000 test images as float32 pixels / 255."""
    X_train, X_test, y_train, y_test = tutorial_split
    Z = X_train[:5000].astype(np.float32) / np.float32(255)
    Zt = X_test[:2000].astype(np.float32) / np.float32(255)
    return Z, y_train[:5000], Zt, y_test[:2000]


def test_fast_solver_learns_mnist_and_looks_like_a_sklearn_classifier(small):
    Z, y, Zt, yt = small
    est = FastLogisticRegression().fit(Z, y)
    assert est.score(Zt, yt) > 0.87
    assert est.coef_.shape == (10, 784) and est.coef_.dtype == np.float32
    assert est.intercept_.shape == (10,) and list(est.classes_) == list(range(10))
    assert est.n_iter_.shape == (1,) and 1 <= est.n_iter_[0] < est.max_iter
    proba = est.predict_proba(Zt[:50])
    assert proba.shape == (50, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(est.predict(Zt[:50]), est.classes_[proba.argmax(axis=1)])
    assert est.stopped_by_ == "early stopping"
