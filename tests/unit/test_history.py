"""A session's run history: newest first, one run per model, bounded; two runs compared on the
same test images by counts, on different ones by shares of each row."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.lab import history
from digitlab.model.config import TrainConfig
from digitlab.training import fitting
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
    a, b = history.Run(1, two[0]), history.Run(2, two[1])
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
    cmp = history.compare(history.Run(1, two[0]), history.Run(2, moved))
    assert cmp.unit == "% of the row" and not cmp.same_test_set
    assert np.allclose(cmp.difference.sum(axis=1), 0, atol=1e-9)
