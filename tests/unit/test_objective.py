"""digitlab.model.objective (value and gradient) equals scikit-learn's own multinomial loss at the
same
C: the objective FastLogisticRegression minimises is LogisticRegression's. (That the solver gets
within a small gap of lbfgs's optimum on real MNIST: tests/model/test_objective_on_mnist.py.)

The problem is small: 1,500 synthetic training digits, averaged over 4x4 blocks to 7x7 = 49
features, / 255; the weights are random, so any images would do."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.model.objective import objective, penalty_strength


@pytest.fixture(scope="module")
def blocks(digit_split):
    """(X float64 (1500, 49), y class indices 0..9)."""
    X_train, _, y_train, _ = digit_split
    n = 1500
    X = X_train[:n].reshape(n, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(n, 49) / 255
    assert list(np.unique(y_train[:n])) == list(range(10))  # labels are the class indices
    return X, np.asarray(y_train[:n], dtype=np.intp)


@pytest.mark.parametrize("C", [0.1, 1.0, math.inf])
def test_objective_and_gradient_are_scikit_learns(blocks, rng, C):
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    X, y = blocks
    n, d, k = len(y), X.shape[1], 10
    W, b = rng.normal(0, 0.5, (d, k)), rng.normal(0, 0.5, k)
    lam = penalty_strength(C, n)
    assert lam == (0.0 if math.isinf(C) else 1 / (C * n))
    f, gW, gb = objective(W, b, X, y, lam)

    # What LogisticRegression(solver="lbfgs") minimises in scikit-learn 1.9.1: the MEAN
    # multinomial cross-entropy + 0.5 * l2_reg_strength * ||coef||^2 with l2_reg_strength =
    # 1 / (C * n); coef is (n_classes, n_features + 1), the intercepts in the last column and
    # not penalised.
    loss = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=k), fit_intercept=True)
    coef = np.column_stack([W.T, b])
    f_sk, g_sk = loss.loss_gradient(coef, X, y.astype(np.float64), sample_weight=None,
                                    l2_reg_strength=lam, n_threads=1)
    assert f == pytest.approx(f_sk, rel=1e-9)
    np.testing.assert_allclose(gW.T, g_sk[:, :-1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gb, g_sk[:, -1], rtol=1e-9, atol=1e-12)
