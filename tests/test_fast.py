"""The fast solver (digitlab.fast) and its place in fitting.fit: accuracy on real MNIST subsets,
progress, stop, warm starts, caches, model files. Small data: each test takes well under a
second or two."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from digitlab import fitting, modelfile, predict, solvers, transform
from digitlab.config import ConfigError, TrainConfig
from digitlab.fast import EpochInfo, FastLogisticRegression
from digitlab.store import FitStore


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


def test_float64_input_is_fitted_in_float64(small):
    Z, y, _, _ = small
    est = FastLogisticRegression(max_iter=2).fit(Z[:1000].astype(np.float64), y[:1000])
    assert est.coef_.dtype == np.float64


def test_string_labels_come_back_as_labels(small):
    Z, y, Zt, _ = small
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])
    est = FastLogisticRegression(max_iter=3).fit(Z, names[y])
    assert set(est.predict(Zt[:20])) <= set(names)


def test_progress_comes_once_per_epoch_with_held_out_accuracy(small):
    Z, y, _, _ = small
    events: list[EpochInfo] = []
    est = FastLogisticRegression().fit(Z, y, on_progress=events.append)
    assert [e.epoch for e in events] == list(range(est.n_iter_[0] + 1))
    assert events[0].loss is None and events[0].val_accuracy < 0.3  # the class-prior model
    assert all(e.loss > 0 and 0.8 < e.val_accuracy <= 1 for e in events[1:])
    assert all(a.elapsed <= b.elapsed for a, b in zip(events, events[1:]))
    kept = events[est.best_iteration_]
    assert est.best_iteration_ >= 1 and est.best_iteration_ == events[-1].best_epoch
    assert kept.val_accuracy == max(e.val_accuracy for e in events[1:])


def test_held_out_rows_are_the_last_tenth_of_the_training_rows_when_not_shuffled(small):
    Z, y, _, _ = small
    y_bad = y.copy()
    y_bad[-500:] = (y_bad[-500:] + 1) % 10  # wrong labels only in the held-out tenth
    events: list[EpochInfo] = []
    FastLogisticRegression(shuffle=False, max_iter=3).fit(Z, y_bad, on_progress=events.append)
    assert max(e.val_accuracy for e in events[1:]) < 0.05  # scored on exactly those rows


def test_should_stop_ends_the_fit_and_keeps_the_best_model_so_far(small):
    Z, y, Zt, yt = small
    events: list[EpochInfo] = []
    est = FastLogisticRegression(max_iter=50, n_iter_no_change=50).fit(
        Z, y, on_progress=events.append, should_stop=lambda: len(events) >= 3)
    assert est.stopped_by_ == "stop requested"
    assert est.n_iter_[0] <= 3 and est.score(Zt, yt) > 0.85


def test_stop_from_another_thread_as_the_train_page_does(small):
    Z, y, Zt, yt = small
    stop, events, out = threading.Event(), [], {}

    def on_progress(info: EpochInfo) -> None:
        events.append(info)
        if info.epoch == 2:
            stop.set()  # in the app: the Stop button, pressed in another thread

    def work() -> None:
        out["est"] = FastLogisticRegression(max_iter=1000, n_iter_no_change=1000).fit(
            Z, y, on_progress=on_progress, should_stop=stop.is_set)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert out["est"].stopped_by_ == "stop requested" and out["est"].n_iter_[0] <= 3
    assert out["est"].score(Zt, yt) > 0.85


def test_warm_start_begins_at_the_given_model_and_needs_fewer_epochs(small):
    Z, y, Zt, yt = small
    first = FastLogisticRegression().fit(Z, y)
    cold_events, warm_events = [], []
    cold = FastLogisticRegression(C=10.0).fit(Z, y, on_progress=cold_events.append)
    warm = FastLogisticRegression(C=10.0).fit(Z, y, coef_init=first.coef_,
                                              intercept_init=first.intercept_,
                                              on_progress=warm_events.append)
    assert warm_events[0].val_accuracy > 0.85 > cold_events[0].val_accuracy
    assert warm.n_iter_[0] < cold.n_iter_[0]
    assert warm.best_iteration_ >= 1  # the refit returns its own model, not the start
    assert warm.score(Zt, yt) > 0.87


def test_warm_start_after_a_much_smaller_C_lands_where_a_cold_fit_does(small):
    Z, y, Zt, yt = small
    first = FastLogisticRegression(C=1.0).fit(Z, y)
    cold = FastLogisticRegression(C=0.01).fit(Z, y)
    warm = FastLogisticRegression(C=0.01).fit(Z, y, coef_init=first.coef_,
                                              intercept_init=first.intercept_)
    # a strong penalty shrinks the weights; the refit must show that, not keep the old model
    assert np.linalg.norm(warm.coef_) < 0.7 * np.linalg.norm(first.coef_)
    assert np.linalg.norm(warm.coef_) == pytest.approx(np.linalg.norm(cold.coef_), rel=0.25)
    assert abs(warm.score(Zt, yt) - cold.score(Zt, yt)) < 0.02


def test_warm_start_with_the_wrong_shape_is_refused(small):
    Z, y, _, _ = small
    with pytest.raises(ValueError, match="coef_init must have shape"):
        FastLogisticRegression().fit(Z, y, coef_init=np.zeros((10, 5)))


def test_no_penalty_and_no_early_stopping_run_all_epochs(small):
    Z, y, Zt, yt = small
    events = []
    est = FastLogisticRegression(C=math.inf, early_stopping=False, max_iter=3).fit(
        Z, y, on_progress=events.append)
    assert est.n_iter_[0] == 3 and est.stopped_by_ == "max_iter"
    assert all(e.val_accuracy is None for e in events)
    assert est.score(Zt, yt) > 0.85


@pytest.mark.parametrize("param, value, rule", [
    ("C", 0, r"a float in the range \(0.0, inf\]"), ("C", -1.0, r"a float in the range"),
    ("max_iter", 0, r"an int in the range \[1, inf\)"), ("max_iter", 10.0, "an int"),
    ("max_iter", True, "an int"), ("n_iter_no_change", 0, "an int"), ("batch_size", 2.5, "an int"),
    ("validation_fraction", 1.0, r"a float in the range \(0.0, 1.0\)"),
    ("init", "random", "a str among"), ("early_stopping", "yes", "an instance of 'bool'"),
])
def test_bad_parameters_are_a_sentence(small, param, value, rule):
    Z, y, _, _ = small
    sentence = rf"^The '{param}' parameter of FastLogisticRegression must be {rule}.*\. Got .+$"
    with pytest.raises(ValueError, match=sentence):
        FastLogisticRegression(**{param: value}).fit(Z[:100], y[:100])


def test_C_may_be_infinite_and_counts_may_be_numpy_ints(small):
    Z, y, _, _ = small
    FastLogisticRegression(C=math.inf, max_iter=np.int64(1)).fit(Z[:100], y[:100])


def test_one_class_is_refused(small):
    Z, _, _, _ = small
    with pytest.raises(ValueError, match="only one class"):
        FastLogisticRegression().fit(Z[:50], np.zeros(50, int))


# --- through fitting.fit -----------------------------------------------------------------------


def test_the_default_config_is_the_fast_path():
    assert TrainConfig().solver == solvers.FAST == next(iter(solvers.SOLVERS))
    pipe = transform.make_pipeline(TrainConfig())
    assert isinstance(pipe.steps[0][1], transform.PixelTransform)
    assert isinstance(pipe.steps[1][1], FastLogisticRegression)


def test_fast_solver_refuses_l1_with_a_sentence():
    with pytest.raises(ConfigError, match="only supports the L2 penalty"):
        TrainConfig(solver=solvers.FAST, l1_ratio=0.5)


def test_model_fit_reports_each_epoch_and_says_done(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    events = []
    r = fitting.fit(TrainConfig(train_size=4000), X_train, y_train, on_progress=events.append)
    assert events[0].message == "fitting" and events[-1].message == "done"
    curve = [e for e in events if e.val_accuracy is not None]
    assert len(curve) == r.n_iter + 1 and all(e.max_iter == 100 for e in curve)
    assert r.converged and r.n_train == 4000 and r.history == tuple(events)
    assert r.model.score(X_test[:2000], y_test[:2000]) > 0.87


def test_a_repeated_config_comes_from_the_store(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    cfg, store = TrainConfig(train_size=3000), FitStore()
    first = fitting.fit(cfg, X_train, y_train, store=store)
    events = []
    again = fitting.fit(cfg, X_train, y_train, on_progress=events.append, store=store)
    assert again.model is first.model and any("Reused" in n for n in again.notes)
    assert [e.val_accuracy for e in events[:-1]] == [e.val_accuracy for e in first.history[:-1]]
    other_data = X_train.copy()
    other_data[0, 400] ^= 1  # one pixel of one image differs: not the same data
    assert fitting.fit(cfg, other_data, y_train, store=store).model is not first.model
    store.clear()
    assert fitting.fit(cfg, X_train, y_train, store=store).model is not first.model
    assert fitting.fit(cfg, X_train, y_train).model is not first.model  # no store: no sharing


def test_a_stopped_fit_is_not_stored(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    cfg, store = TrainConfig(train_size=3000), FitStore()
    stopped = fitting.fit(cfg, X_train, y_train, should_stop=lambda: True, store=store)
    assert any("Stopped on request" in n for n in stopped.notes)
    assert fitting.fit(cfg, X_train, y_train, store=store).model is not stopped.model


def test_refit_after_changing_C_warm_starts_from_the_last_model(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    first = fitting.fit(TrainConfig(train_size=5000), X_train, y_train)
    refit = fitting.fit(TrainConfig(train_size=5000, C=10.0), X_train, y_train,
                      warm_start_from=first)
    assert any("Warm start" in n for n in refit.notes)
    assert refit.n_iter <= first.n_iter
    assert refit.model.score(X_test[:2000], y_test[:2000]) > 0.87
    other = fitting.fit(TrainConfig(train_size=5000, scaling="raw"), X_train, y_train,
                      warm_start_from=first)
    assert any("started from scratch" in n for n in other.notes)


def test_sklearn_solvers_warm_start_too(tutorial_split):
    from threadpoolctl import threadpool_limits

    X_train, _, y_train, _ = tutorial_split
    cfg = TrainConfig(solver="lbfgs", train_size=1000, max_iter=200)
    with threadpool_limits(1):  # small products: a second BLAS thread only waits (10x here)
        first = fitting.fit(cfg, X_train, y_train)
        refit = fitting.fit(cfg.replace(C=0.5), X_train, y_train, warm_start_from=first)
    assert any("Warm start" in n for n in refit.notes)
    assert refit.n_iter < first.n_iter


def test_a_fast_model_file_round_trips(tmp_path, tutorial_split):
    X_train, X_test, y_train, _ = tutorial_split
    r = fitting.fit(TrainConfig(train_size=2000), X_train, y_train)
    loaded = modelfile.load(modelfile.save(r, tmp_path / "fast.skops"))
    assert isinstance(loaded["model"].named_steps["logreg"], FastLogisticRegression)
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          r.model.predict_proba(X_test[:50]))
    digit, proba = predict.predict_digit(loaded["model"], X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.sum() == pytest.approx(1.0, abs=1e-5)


def test_pixel_transform_never_writes_into_its_input():
    X = np.full((3, 784), 255, np.float32)
    transform.PixelTransform("unit").fit(X).transform(X)
    transform.PixelTransform("standard").fit_transform(X)
    assert (X == 255).all()


def test_data_checksum_sees_every_pixel(tutorial_split):
    X_train, _, y_train, _ = tutorial_split
    X = X_train[:1000].copy()
    before = fitting.data_checksum(X, y_train[:1000])
    X[999, 783] ^= 1
    assert fitting.data_checksum(X, y_train[:1000]) != before


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learns_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(FastLogisticRegression(), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert not failed


@pytest.mark.parametrize("scaling", ["raw", "standard"])
def test_one_step_size_suits_raw_and_standardised_pixels(tutorial_split, scaling):
    X_train, X_test, y_train, y_test = tutorial_split
    r = fitting.fit(TrainConfig(train_size=5000, scaling=scaling), X_train, y_train)
    assert r.model.score(X_test[:2000], y_test[:2000]) > 0.86
