"""The fast solver (digitlab.model.solvers.fast) as an estimator: progress, stop, warm starts,
parameters, on
synthetic digits (tests/unit/synthetic.py); each test well under a second. How well it learns
MNIST itself: tests/model/test_fast_on_mnist.py."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from digitlab.model.solvers.fast import EpochInfo, FastLogisticRegression
from digitlab.model.solvers.stopping import StoppingRule


@pytest.fixture(scope="module")
def small(digit_split):
    """(Z, y, Zt, yt): 5,000 synthetic training and 2,000 test digits as float32 pixels / 255."""
    X_train, X_test, y_train, y_test = digit_split
    Z = X_train.astype(np.float32) / np.float32(255)
    Zt = X_test.astype(np.float32) / np.float32(255)
    return Z, y_train, Zt, y_test


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
    ("min_epochs", 0, r"an int in the range \[1, inf\)"), ("min_epochs", -3, "an int"),
    ("min_epochs", 2.0, "an int"), ("min_epochs", True, "an int"), ("min_epochs", "5", "an int"),
    ("min_epochs", None, "an int"),
    ("validation_fraction", 1.0, r"a float in the range \(0.0, 1.0\)"),
    ("init", "random", "a str among"), ("early_stopping", "yes", "an instance of 'bool'"),
])
def test_bad_parameters_are_a_sentence(small, param, value, rule):
    Z, y, _, _ = small
    sentence = rf"^The '{param}' parameter of FastLogisticRegression must be {rule}.*\. Got .+$"
    with pytest.raises(ValueError, match=sentence):
        FastLogisticRegression(**{param: value}).fit(Z[:100], y[:100])


@pytest.mark.parametrize("patience", [1, 2, 3])
@pytest.mark.parametrize("min_epochs", [1, 2, 3, 5, 8])
def test_a_cold_fit_ends_after_its_patience_but_never_before_min_epochs(patience, min_epochs):
    # The rule by itself, fed a held-out accuracy that rises once (epoch 1) and then stays
    # flat, with a settled objective: it ends after `patience` flat epochs, not before
    # epoch `min_epochs`, and keeps the epoch-1 model.
    W, b = np.zeros((3, 2)), np.zeros(2)
    rule = StoppingRule(1e-4, patience, 100, False, 0.0, W, b, 1.0, 0.5, min_epochs=min_epochs)
    epoch, stopped = 0, None
    while stopped is None:
        epoch += 1
        stopped, _ = rule.after_epoch(epoch, W + epoch, b, 1.0, 0.9)
    assert stopped == "early stopping" and epoch == max(1 + patience, min_epochs)
    assert rule.kept()[0] == 1


def test_min_epochs_holds_a_cold_fit_and_keeps_its_best_epoch(small):
    Z, y, Zt, yt = small
    plain = FastLogisticRegression().fit(Z, y)
    events: list[EpochInfo] = []
    held = FastLogisticRegression(min_epochs=plain.n_iter_[0] + 2).fit(
        Z, y, on_progress=events.append)
    assert held.n_iter_[0] >= plain.n_iter_[0] + 2 and held.stopped_by_ == "early stopping"
    # the same fit up to where the plain one stopped (min_epochs only postpones the end)
    assert [e.val_accuracy for e in events[:plain.n_iter_[0] + 1]] == list(
        plain.validation_scores_)
    assert events[held.best_iteration_].val_accuracy == max(e.val_accuracy for e in events[1:])
    assert held.score(Zt, yt) > 0.85


def test_min_epochs_above_max_iter_ends_at_max_iter(small):
    Z, y, _, _ = small
    est = FastLogisticRegression(max_iter=2, min_epochs=5).fit(Z, y)
    assert est.n_iter_[0] == 2 and est.stopped_by_ == "max_iter"


def test_a_warm_start_is_not_held_to_min_epochs(small):
    Z, y, _, _ = small
    first = FastLogisticRegression().fit(Z, y)
    warm = FastLogisticRegression(C=10.0, min_epochs=50).fit(
        Z, y, coef_init=first.coef_, intercept_init=first.intercept_)
    assert warm.stopped_by_ == "early stopping" and warm.n_iter_[0] < 50


def test_C_may_be_infinite_and_counts_may_be_numpy_ints(small):
    Z, y, _, _ = small
    FastLogisticRegression(C=math.inf, max_iter=np.int64(1), min_epochs=np.int64(1)).fit(
        Z[:100], y[:100])


def test_one_class_is_refused(small):
    Z, _, _, _ = small
    with pytest.raises(ValueError, match="only one class"):
        FastLogisticRegression().fit(Z[:50], np.zeros(50, int))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learns_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(FastLogisticRegression(), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert not failed
