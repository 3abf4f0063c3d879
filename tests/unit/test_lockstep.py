"""Fits in lockstep (digitlab.sweeps.lockstep) on scikit-learn's 8x8 digits: the batched
objective is scikit-learn's, each fit is the L-BFGS-B fit it would be alone, the numbers do not
depend on the threads, a stop keeps the finished fits, and every thread ends."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from digitlab.model import objective
from digitlab.sweeps import lockstep

CS = (0.001, 0.1, 10.0)


@pytest.fixture(scope="module")
def digits():
    """600 of scikit-learn's 8x8 digits as float32 features in 0..1 (some columns are 0 in
    every image, as MNIST's border is) and their labels 0..9."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = (d.data[:600] / 16).astype(np.float32)
    assert (X.max(axis=0) == 0).any()
    return X, d.target[:600]


def test_the_batched_objective_is_scikit_learns_for_every_fit(digits):
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    X, y = digits
    n, d = X.shape
    rng = np.random.default_rng(0)
    xs = [rng.normal(0, 0.3, (d + 1) * 10) for _ in CS]
    lams = [objective.penalty_strength(C, n) for C in CS]
    theirs = LinearModelLoss(HalfMultinomialLoss(n_classes=10), fit_intercept=True)
    with threadpool_limits(1):
        ours = lockstep.BatchObjective(X, y, 10)(xs, lams)
        for x, lam, (f, g) in zip(xs, lams, ours):
            f_sk, g_sk = theirs.loss_gradient(x, X, y.astype(np.float32), None, lam, 1)
            assert f == pytest.approx(f_sk, rel=1e-6)  # both sum float32 losses
            assert np.abs(g - g_sk).max() <= 1e-6 * max(1.0, np.abs(g_sk).max())
            # and digitlab.model.objective's, in its own layout (W = features x classes, b)
            W, b = x.reshape(d + 1, 10)[:d], x.reshape(d + 1, 10)[d]
            f_o, gW, gb = objective.objective(W, b, X.astype(np.float64), y, lam)
            assert f == pytest.approx(f_o, rel=1e-6)
            assert np.abs(g.reshape(d + 1, 10)[:d] - gW).max() <= 1e-6


def test_each_fit_is_the_lbfgs_fit_it_would_be_alone(digits):
    """The same minimiser as L-BFGS-B run alone on the same objective: what holds on every BLAS
    kernel. Not the iteration count: float32 products of 3 fits' columns round unlike one
    fit's (and each CPU's kernels round their own way), so the paths part near the end, where
    the objective's changes are below float32's grain (measured here: 158 against 179 alone
    at C=10 with OpenBLAS's Haswell kernels, 171 and 171 with its Sandybridge ones)."""
    X, y = digits
    with threadpool_limits(1):
        together = lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000, threads=2)
        assert sorted(f.index for f in together) == [0, 1, 2]
        batch = lockstep.BatchObjective(X, y, 10)
        for fit in together:
            lam = objective.penalty_strength(CS[fit.index], len(y))
            alone = minimize(lambda x, lam=lam: batch([x], [lam])[0], np.zeros(650, np.float32),
                             method="L-BFGS-B", jac=True,
                             options=lockstep.lbfgs_options(1e-6, 3000))
            assert fit.converged and alone.status == 0
            # measured up to 5e-6 apart (C=10, Haswell); the C values' objectives are 10x apart
            assert fit.objective == pytest.approx(alone.fun, rel=1e-4)
            w = alone.x.reshape(65, 10)
            assert np.abs(fit.coef - w[:64].T).max() <= 1e-2 * np.abs(w).max()
            ours = np.argmax(X @ fit.coef.T + fit.intercept, axis=1)
            theirs = np.argmax(X @ w[:64] + w[64], axis=1)
            assert np.mean(ours == theirs) >= 0.99  # the same answers, but for a near tie
            assert abs(np.mean(ours == y) - np.mean(theirs == y)) <= 0.01


def test_the_fits_match_scikit_learns_lbfgs(digits):
    from sklearn.linear_model import LogisticRegression

    X, y = digits
    with threadpool_limits(1):
        fits = lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000)
        for fit in fits:
            C = CS[fit.index]
            est = LogisticRegression(C=C, tol=1e-6, max_iter=3000).fit(X, y)
            assert fit.coef.shape == est.coef_.shape and fit.coef.dtype == est.coef_.dtype

            def f(coef, b, C=C):
                W = coef.T.astype(np.float64)
                return objective.objective(W, b.astype(np.float64), X.astype(np.float64), y,
                                           objective.penalty_strength(C, len(y)))[0]

            assert f(fit.coef, fit.intercept) == pytest.approx(f(est.coef_, est.intercept_),
                                                               rel=1e-5)
            ours = np.argmax(X @ fit.coef.T + fit.intercept, axis=1)
            assert np.mean(ours == est.predict(X)) >= 0.995


def test_the_numbers_do_not_depend_on_the_threads(digits):
    X, y = digits
    runs = [lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000, threads=t)
            for t in (1, 2, 3)]
    for a, b in zip(runs, runs[1:]):
        assert [(f.index, f.n_iter, f.objective) for f in sorted(a, key=lambda f: f.index)] == \
            [(f.index, f.n_iter, f.objective) for f in sorted(b, key=lambda f: f.index)]


def test_a_stop_keeps_the_finished_fits_and_ends_every_thread(digits):
    X, y = digits
    before = threading.active_count()
    seen = []
    fits = lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000, threads=2,
                                 on_fit=seen.append, should_stop=lambda: bool(seen))
    # should_stop turns true only once a fit has been reported, so a stop (fewer fits than
    # C values) shows that fits are reported while the others still run, not at the end
    assert 1 <= len(fits) < len(CS)
    assert fits == seen  # what was reported is what is returned: nothing more, nothing lost
    assert threading.active_count() == before
    # Kept: the fits that ended in the first round any fit ended, each whole (the fit the
    # same batch makes when nobody stops it). Which C that is depends on the CPU's rounding,
    # so the test compares with an unstopped run here rather than naming one.
    full = {f.index: f for f in lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000,
                                                      threads=2)}
    first_round = min(f.n_evaluations for f in full.values())
    assert {f.index for f in fits} == {i for i, f in full.items()
                                       if f.n_evaluations == first_round}
    for f in fits:
        assert f.converged and f.objective == pytest.approx(full[f.index].objective, rel=1e-9)
        assert np.allclose(f.coef, full[f.index].coef, rtol=1e-6, atol=1e-9)


def test_every_thread_ends_when_a_fit_is_reported_and_the_report_fails(digits):
    X, y = digits
    before = threading.active_count()

    def broken(fit):
        raise RuntimeError("the page went away")

    with pytest.raises(RuntimeError, match="went away"):
        lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000, threads=2, on_fit=broken)
    assert threading.active_count() == before
    after = lockstep.fit_lockstep(X, y, CS, tol=1e-6, max_iter=3000)
    assert len(after) == 3 and threading.active_count() == before


def test_max_iter_ends_a_fit_unconverged_and_two_classes_are_refused(digits):
    X, y = digits
    fits = lockstep.fit_lockstep(X, y, (10.0,), tol=1e-10, max_iter=5)
    assert fits[0].n_iter == 5 and not fits[0].converged
    with pytest.raises(ValueError, match="3 or more classes"):
        lockstep.fit_lockstep(X, y % 2, (1.0,), tol=1e-6, max_iter=100)
