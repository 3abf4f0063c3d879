"""A session's run history: newest first, one run per model, bounded in runs and in bytes (the
oldest models let go first, never the one on screen, and an evicted run says so); two runs
compared on the same test images by counts, on different ones by shares of each row."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from digitlab.lab import history
from digitlab.model.config import TrainConfig
from digitlab.training import evaluate, fitting
from digitlab.training import session as training


@pytest.fixture(scope="module")
def two(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    split = training.Split.of(X_train, X_test, y_train, y_test, "synthetic", 28)
    return [training.trained(fitting.fit(TrainConfig(C=C, train_size=800, max_iter=4),
                                         X_train, y_train), split) for C in (0.01, 100.0)]


def test_runs_are_newest_first_and_one_model_is_one_run(two):
    h = history.History()
    first, second = (h.record(t) for t in two)
    assert [r.number for r in h.runs] == [2, 1] and h.runs[0] is second
    assert h.record(two[0]) is first and len(h) == 2  # the same model again
    row = h.runs[0].row()
    assert row["C"] == 100.0 and row["ended"] in ("converged", "hit max_iter")
    assert row["epochs / iterations"].endswith("epochs")


def test_the_history_keeps_the_newest_runs(two, monkeypatch):
    monkeypatch.setattr(history, "MAX_RUNS", 1)
    h = history.History()
    h.record(two[0])
    h.record(two[1])
    assert [r.number for r in h.runs] == [2]


def test_two_runs_on_the_same_test_images_differ_by_counts(two):
    a, b = history.Run.of(1, two[0]), history.Run.of(2, two[1])
    cmp = history.compare(a, b)
    assert cmp.same_test_set and cmp.unit == "images"
    assert np.array_equal(cmp.difference, two[1].evaluation.confusion
                          - two[0].evaluation.confusion)
    assert cmp.difference.sum() == 0  # the same images, only moved between cells
    for i, t in enumerate(two):
        right = np.diag(t.evaluation.confusion) / t.evaluation.confusion.sum(axis=1)
        assert np.allclose(cmp.recall[i], right)


def test_runs_on_other_test_images_compare_by_shares_of_each_row(two):
    other = TrainConfig(C=100.0, train_size=800, max_iter=4, seed=3)
    moved = training.Trained(fitting.FitResult(other, two[1].fit.model, 0.1, 4, True, 800),
                             two[1].evaluation, two[1].data_key, 28)
    cmp = history.compare(history.Run.of(1, two[0]), history.Run.of(2, moved))
    assert cmp.unit == "% of the row" and not cmp.same_test_set
    assert np.allclose(cmp.difference.sum(axis=1), 0, atol=1e-9)


# --- the byte budget ---------------------------------------------------------------------------


def copies(trained: training.Trained, n: int) -> list[training.Trained]:
    """n runs with models of their own (deep copies: the same bytes each), as n fits give."""
    return [dataclasses.replace(trained, fit=dataclasses.replace(
        trained.fit, model=copy.deepcopy(trained.fit.model))) for _ in range(n)]


def test_a_run_counts_the_bytes_of_its_model_and_scores_not_the_probabilities(two):
    t = two[0]
    run = history.Run.of(1, t)
    model = history.nbytes(t.fit.model)
    assert model > 10 * 784 * 4  # ten weight images at least
    ev = t.evaluation  # its arrays shared with the model (the labels) count once
    # a digitlab-fast run also holds its weights' movie (digitlab.training.movie), counted too
    assert model + ev.yhat.nbytes + ev.confidence.nbytes <= run.held_bytes <= (
        model + history.nbytes(ev) + history.nbytes(t.fit.history)
        + history.nbytes(t.fit.movie))
    assert not hasattr(t.evaluation, "proba")  # recomputed on demand, not kept per run
    proba = evaluate.probabilities(t.fit.model, np.zeros((2, 784), np.uint8))
    assert proba.shape == (2, len(t.evaluation.labels))
    assert np.allclose(proba.sum(axis=1), 1)


def test_over_the_budget_the_oldest_models_go_first_and_the_rest_fit(two):
    runs = copies(two[0], 5)
    each = history.Run.of(0, runs[0]).held_bytes
    h = history.History(budget_bytes=int(2.5 * each))
    for t in runs:
        h.record(t)
    assert [r.number for r in h.runs if not r.evicted] == [5, 4]
    assert [r.number for r in h.runs if r.evicted] == [3, 2, 1]
    assert h.held_bytes <= h.budget_bytes and len(h) == 5  # every run still listed


def test_the_run_on_screen_is_never_let_go(two):
    a, b = copies(two[0], 2)
    each = history.Run.of(0, a).held_bytes
    h = history.History(budget_bytes=int(2.5 * each))
    h.record(a)
    h.record(b)
    h.record(a)  # back to run 1 (a model file, a restored run): the oldest is on screen
    h.budget_bytes = int(1.5 * each)  # room for one model now
    h.record(a)  # the page runs again
    assert {r.number: r.evicted for r in h.runs} == {2: True, 1: False}
    alone = history.History(budget_bytes=1)  # even one run over the budget stays
    alone.record(a)
    assert not alone.runs[0].evicted and alone.held_bytes > alone.budget_bytes


def test_an_evicted_run_says_so_and_still_shows_its_settings_and_scores(two):
    h = history.History(budget_bytes=1)
    first, second = (h.record(t) for t in two)
    (evicted,) = [r for r in h.runs if r.evicted]
    assert evicted.number == 1 and evicted.trained is None and evicted.held_bytes == 0
    row = evicted.row()
    assert "let go" in row["ended"] and row["C"] == 0.01
    assert row["accuracy"] == two[0].evaluation.accuracy
    cmp = history.compare(evicted, h.get(2))  # compared from what every run keeps
    assert cmp.same_test_set and cmp.difference.sum() == 0
