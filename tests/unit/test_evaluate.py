"""Evaluation: accuracy and matrix agree, mistakes are real mistakes, the report table."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.training import evaluate


class FixedModel:
    """Answers with given probabilities, so every figure can be checked by hand."""

    classes_ = np.arange(3)

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, X):
        return self.proba[: len(X)]


@pytest.fixture
def ev_and_truth():
    proba = [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8],
             [0.05, 0.9, 0.05]]
    y = np.array([0, 1, 2, 2, 2])
    return evaluate.evaluate(FixedModel(proba), np.zeros((5, 4)), y), y


def test_accuracy_and_confusion_matrix_agree(ev_and_truth):
    ev, y = ev_and_truth
    assert ev.accuracy == pytest.approx(3 / 5)
    assert ev.confusion.tolist() == [[1, 0, 0], [0, 1, 0], [1, 1, 1]]
    assert ev.n == 5 and np.trace(ev.confusion) / ev.n == ev.accuracy


def test_mistakes_are_wrong_and_most_confident_first(ev_and_truth):
    ev, y = ev_and_truth
    idx = evaluate.mistakes(ev, y)
    assert idx.tolist() == [4, 2]  # 0.9-confident mistake before the 0.6 one
    assert evaluate.mistakes(ev, y, true=2, predicted=0).tolist() == [2]
    assert evaluate.mistakes(ev, y, true=0).size == 0


def test_report_frame_has_a_row_per_class_and_the_averages(ev_and_truth):
    ev, _ = ev_and_truth
    frame = evaluate.report_frame(ev)
    assert list(frame.index) == ["0", "1", "2", "macro avg", "weighted avg"]
    assert frame.loc["2", "recall"] == pytest.approx(1 / 3)
    assert frame["support"].dtype.kind == "i"


def test_select_browses_all_in_order_or_mistakes_by_class(ev_and_truth):
    ev, y = ev_and_truth
    assert evaluate.select(ev, y).tolist() == [0, 1, 2, 3, 4]
    assert evaluate.select(ev, y, true=2).tolist() == [2, 3, 4]
    assert evaluate.select(ev, y, predicted=1).tolist() == [1, 4]
    assert evaluate.select(ev, y, mistakes_only=True).tolist() == [4, 2]


def test_mistakes_can_be_ordered_least_sure_first_or_as_in_the_test_set(ev_and_truth):
    ev, y = ev_and_truth
    assert evaluate.mistakes(ev, y, order="least sure first").tolist() == [2, 4]
    assert evaluate.mistakes(ev, y, order="test-set order").tolist() == [2, 4]
    assert evaluate.select(ev, y, mistakes_only=True, order="confident first").tolist() == [4, 2]
    with pytest.raises(ValueError):
        evaluate.mistakes(ev, y, order="sideways")


class RowModel:
    """Reads each image's probabilities from the image itself (so chunks cannot mix them up)."""

    classes_ = np.array([3, 5, 7])

    def predict_proba(self, X):
        return np.asarray(X, dtype=float)


def test_scoring_in_chunks_gives_what_scoring_at_once_gives(monkeypatch):
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=23)
    y = rng.choice(RowModel.classes_, size=23)
    whole = evaluate.evaluate(RowModel(), proba, y)
    monkeypatch.setattr(evaluate, "CHUNK_ROWS", 5)  # 23 images: four whole chunks and a part
    chunked = evaluate.evaluate(RowModel(), proba, y)
    assert np.array_equal(chunked.yhat, RowModel.classes_[proba.argmax(axis=1)])
    assert np.array_equal(chunked.yhat, whole.yhat)
    assert np.allclose(chunked.confidence, proba.max(axis=1))
    assert chunked.accuracy == whole.accuracy and np.array_equal(chunked.confusion,
                                                                 whole.confusion)


def test_the_text_report_made_when_asked_is_scikit_learns_for_the_same_answers():
    from sklearn.metrics import classification_report

    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(3), size=40)
    y = rng.choice(RowModel.classes_, size=40)
    ev = evaluate.evaluate(RowModel(), proba, y)
    assert ev.report_text == classification_report(y, ev.yhat, labels=RowModel.classes_,
                                                   target_names=["3", "5", "7"],
                                                   zero_division=0)
