"""fitting.fit on synthetic digits: progress events, the store, stops, warm starts, the data
checksum, refusals. (Accuracy on real MNIST: tests/model/test_fitting_on_mnist.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model.config import ConfigError, TrainConfig
from digitlab.training import fitting
from digitlab.training.store import FitStore


def test_model_fit_reports_each_epoch_and_says_done(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    events = []
    r = fitting.fit(TrainConfig(train_size=4000), X_train, y_train, on_progress=events.append)
    assert events[0].message == "fitting" and events[-1].message == "done"
    curve = [e for e in events if e.val_accuracy is not None]
    assert len(curve) == r.n_iter + 1 and all(e.max_iter == 100 for e in curve)
    assert r.converged and r.n_train == 4000 and r.history == tuple(events)
    assert r.model.score(X_test[:2000], y_test[:2000]) > 0.87


def test_a_repeated_config_comes_from_the_store(digit_split):
    X_train, _, y_train, _ = digit_split
    cfg, store = TrainConfig(train_size=3000), FitStore()
    first = fitting.fit(cfg, X_train, y_train, store=store)
    events = []
    again = fitting.fit(cfg, X_train, y_train, on_progress=events.append, store=store)
    assert again.model is first.model and any("Reused" in n for n in again.notes)
    # a reused fit keeps the original fit's time (not the lookup's milliseconds), marked reused
    assert again.reused and not first.reused and again.fit_seconds == first.fit_seconds
    assert [e.val_accuracy for e in events[:-1]] == [e.val_accuracy for e in first.history[:-1]]
    other_data = X_train.copy()
    other_data[0, 400] ^= 1  # one pixel of one image differs: not the same data
    assert fitting.fit(cfg, other_data, y_train, store=store).model is not first.model
    store.clear()
    assert fitting.fit(cfg, X_train, y_train, store=store).model is not first.model
    assert fitting.fit(cfg, X_train, y_train).model is not first.model  # no store: no sharing


def test_a_refit_after_changing_C_finds_its_features_ready(digit_split):
    X_train, _, y_train, _ = digit_split
    cfg, store = TrainConfig(train_size=3000), FitStore()
    assert not fitting.features_ready(cfg, X_train, y_train, None)
    assert not fitting.features_ready(cfg, X_train, y_train, store)
    first = fitting.fit(cfg, X_train, y_train, store=store)
    assert not first.features_ready
    again = cfg.replace(C=cfg.C * 2)
    assert fitting.features_ready(again, X_train, y_train, store)
    assert fitting.fit(again, X_train, y_train, store=store).features_ready
    # other rows, or other pixels: features of their own
    assert not fitting.features_ready(cfg.replace(train_size=2000), X_train, y_train, store)
    assert not fitting.features_ready(cfg.replace(deskew=True), X_train, y_train, store)
    assert not fitting.features_ready(cfg, X_train[::-1], y_train[::-1], store)


def test_a_stopped_fit_is_not_stored(digit_split):
    X_train, _, y_train, _ = digit_split
    cfg, store = TrainConfig(train_size=3000), FitStore()
    stopped = fitting.fit(cfg, X_train, y_train, should_stop=lambda: True, store=store)
    assert any("Stopped on request" in n for n in stopped.notes)
    assert fitting.fit(cfg, X_train, y_train, store=store).model is not stopped.model


def test_refit_after_changing_C_warm_starts_from_the_last_model(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    first = fitting.fit(TrainConfig(train_size=5000), X_train, y_train)
    refit = fitting.fit(TrainConfig(train_size=5000, C=10.0), X_train, y_train,
                      warm_start_from=first)
    assert any("Warm start" in n for n in refit.notes)
    assert refit.n_iter <= first.n_iter
    assert refit.model.score(X_test[:2000], y_test[:2000]) > 0.87
    other = fitting.fit(TrainConfig(train_size=5000, scaling="raw"), X_train, y_train,
                      warm_start_from=first)
    assert any("started from scratch" in n for n in other.notes)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_sklearn_solvers_warm_start_too(digit_split):
    from threadpoolctl import threadpool_limits

    X_train, _, y_train, _ = digit_split
    cfg = TrainConfig(solver="lbfgs", train_size=1000, max_iter=200)
    with threadpool_limits(1):  # small products: a second BLAS thread only waits (10x here)
        first = fitting.fit(cfg, X_train, y_train)
        refit = fitting.fit(cfg.replace(C=0.5), X_train, y_train, warm_start_from=first)
    assert any("Warm start" in n for n in refit.notes)
    assert refit.n_iter < first.n_iter


def test_data_checksum_sees_every_pixel(digit_split):
    X_train, _, y_train, _ = digit_split
    X = X_train[:1000].copy()
    before = fitting.data_checksum(X, y_train[:1000])
    X[999, 783] ^= 1
    assert fitting.data_checksum(X, y_train[:1000]) != before


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_unconverged_fit_says_so(digit_split):
    X_train, _, y_train, _ = digit_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=500, max_iter=2), X_train, y_train)
    assert not result.converged
    assert any("max_iter=2" in n for n in result.notes)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_fit_reports_progress_at_start_and_end(digit_split):
    X_train, _, y_train, _ = digit_split
    events = []
    fitting.fit(TrainConfig(solver="lbfgs", train_size=300, max_iter=5), X_train, y_train,
              on_progress=events.append)
    assert events[0].iteration == 0 and events[-1].message == "done"


def test_one_class_subset_is_refused_before_fitting():
    X = np.zeros((20, 784), np.uint8)
    with pytest.raises(ConfigError, match="only one class"):
        fitting.fit(TrainConfig(train_size=10), X, np.zeros(20, np.uint8))


def test_printed_digits_are_part_of_the_stored_features(digit_split, monkeypatch):
    # The store's features are filed under the training split's checksum; the printed digits
    # joined after its rows are rows too, so a fit with them must not reuse one without them.
    from digitlab.data import typeset

    X_train, _, y_train, _ = digit_split
    Xp, yp = np.array(X_train[1000:1100]), np.array(y_train[1000:1100])
    monkeypatch.setattr(typeset, "rows", lambda n, seed=0: (Xp[:n], yp[:n]))
    cfg, store = TrainConfig(train_size=1000), FitStore()
    fitting.fit(cfg, X_train, y_train, store=store)
    shared = fitting.fit(cfg.replace(printed=100), X_train, y_train, store=store)
    alone = fitting.fit(cfg.replace(printed=100), X_train, y_train)
    assert shared.n_train == alone.n_train == 1100
    coef = [r.model.named_steps["logreg"].coef_ for r in (shared, alone)]
    assert np.allclose(*coef, atol=1e-6)

