"""How good is a fitted model: accuracy, the confusion matrix, the per-class report, the mistakes.

Names follow the tutorial (`yhat` for predictions) so a learner can map the code to the notebook.

An Evaluation keeps what is small (the answers, the confidence in each, the confusion matrix):
a session's history holds one per run. The ten probabilities of a test image are recomputed
from the model when a page shows them (`probabilities`: a millisecond for one image), not kept
(10,500 x 10 of them were 0.42 MB a run, most of a pixel run's memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    confusion: np.ndarray  # rows: true label, columns: predicted label
    report: dict  # classification_report(output_dict=True)
    yhat: np.ndarray
    confidence: np.ndarray  # (n,) float32: the probability the model gave its own answer
    labels: np.ndarray

    @property
    def n(self) -> int:
        return int(self.confusion.sum())

    @property
    def report_text(self) -> str:
        """scikit-learn's text report (the CLI prints it), made when asked, from the confusion
        matrix (a report depends on the counts alone): made with every evaluation, it was half
        an evaluation's time, 4% of the server's busy samples in a burst of twenty presses."""
        i, j = np.nonzero(self.confusion)
        counts = self.confusion[i, j]
        y_true, y_pred = np.repeat(self.labels[i], counts), np.repeat(self.labels[j], counts)
        return cast(str, classification_report(
            y_true, y_pred, labels=self.labels, target_names=[str(c) for c in self.labels],
            zero_division=0))  # pyright: ignore[reportArgumentType] - 0 is documented


# Below this many digits, an accuracy (and a gap between two) moves by 5 points or more with one
# digit: the page says it is from few digits.
FEW_DIGITS = 20


@dataclass(frozen=True)
class Gap:
    """How much better (positive) or worse one accuracy is than another, in percentage points,
    and how many digits the first was measured on."""

    points: float
    n: int

    @property
    def few(self) -> bool:
        """Measured on fewer than FEW_DIGITS digits: one digit moves it by 5 points or more."""
        return self.n < FEW_DIGITS


def gap(on: Evaluation, against: Evaluation) -> Gap:
    """`on`'s accuracy minus `against`'s, in points, with the number of digits `on` counted."""
    return Gap((on.accuracy - against.accuracy) * 100, on.n)


def probabilities(model, X: np.ndarray) -> np.ndarray:
    """The class probabilities of the images X (n, pixels) as the evaluation saw them: recomputed
    on demand from the model (an Evaluation does not keep them)."""
    return model.predict_proba(np.asarray(X).reshape(len(X), -1))


# Test images scored at a time: an rbf model's kernel features of all 10,500 test digits at
# once were float64 temporaries of 100 MB and more per evaluation (144 MB traced at its peak),
# and a class evaluates several at once; in chunks, about a fifth of that.
CHUNK_ROWS = 2048


def evaluate(model, X_test: np.ndarray, y_test: np.ndarray) -> Evaluation:
    """Score `model` (anything with predict_proba and classes_) on the test split, CHUNK_ROWS
    images at a time (the same answers as all at once: each image is scored on its own)."""
    labels = np.asarray(model.classes_)
    X = np.asarray(X_test)
    yhat = np.empty(len(X), dtype=labels.dtype)
    confidence = np.empty(len(X), dtype=np.float32)
    for a in range(0, len(X), CHUNK_ROWS):
        proba = model.predict_proba(X[a:a + CHUNK_ROWS])
        yhat[a:a + CHUNK_ROWS] = labels[np.argmax(proba, axis=1)]
        confidence[a:a + CHUNK_ROWS] = proba.max(axis=1)
    cm = confusion_matrix(y_test, yhat, labels=labels)
    names = [str(label) for label in labels]
    # scikit-learn is untyped: pyright reads zero_division's type from its default ("warn"),
    # and the return type as dict or str whatever output_dict says. (The text report is made
    # when asked: Evaluation.report_text.)
    report = cast(dict, classification_report(
        y_test, yhat, labels=labels, target_names=names, output_dict=True,
        zero_division=0))  # pyright: ignore[reportArgumentType] - 0 is documented, not only str
    return Evaluation(float(np.mean(yhat == y_test)), cm, report, yhat, confidence, labels)


# How mistakes can be ordered (`mistakes`): the instructive ones first by default.
ORDERS = ("confident first", "least sure first", "test-set order")


def mistakes(evaluation: Evaluation, y_test: np.ndarray, true: int | None = None,
             predicted: int | None = None, order: str = ORDERS[0]) -> np.ndarray:
    """Indices into the test set where the model was wrong, optionally for one true and/or
    predicted class: most confident mistakes first (the instructive ones), least sure first,
    or in test-set order (`order`, one of ORDERS)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}; got {order!r}")
    wrong = evaluation.yhat != np.asarray(y_test)
    if true is not None:
        wrong &= np.asarray(y_test) == true
    if predicted is not None:
        wrong &= evaluation.yhat == predicted
    idx = np.flatnonzero(wrong)
    if order == "test-set order":
        return idx
    sign = -1.0 if order == "confident first" else 1.0
    return idx[np.argsort(sign * evaluation.confidence[idx], kind="stable")]


def select(evaluation: Evaluation, y_test: np.ndarray, mistakes_only: bool = False,
           true: int | None = None, predicted: int | None = None,
           order: str = ORDERS[0]) -> np.ndarray:
    """Indices of the test images to browse: all of them in test-set order, or only the
    mistakes (in `order`: most confident first by default), optionally for one true and/or
    one predicted class."""
    if mistakes_only:
        return mistakes(evaluation, y_test, true=true, predicted=predicted, order=order)
    keep = np.ones(len(y_test), dtype=bool)
    if true is not None:
        keep &= np.asarray(y_test) == true
    if predicted is not None:
        keep &= evaluation.yhat == predicted
    return np.flatnonzero(keep)


@dataclass(frozen=True)
class Calibration:
    """Does "90 % sure" mean right 9 times in 10? The test images binned by the model's
    confidence, and how often it was right in each bin.

    The multiclass version is top-label calibration: a test image's confidence is the
    probability the model gave its own answer, and the event is "the answer is right". Bins are
    equal slices of [0, 1] (scikit-learn's `calibration_curve(right, confidence, n_bins,
    strategy="uniform")`, whose `prob_true, prob_pred` are `accuracy, confidence` here); empty
    bins are left out, as there.
    """

    edges: np.ndarray  # (n_bins + 1,) the bins' edges, 0 to 1
    bins: np.ndarray  # index of each non-empty bin (its edges: edges[b], edges[b + 1])
    accuracy: np.ndarray  # share of right answers in each non-empty bin
    confidence: np.ndarray  # mean confidence in each non-empty bin
    count: np.ndarray  # test images in each non-empty bin
    ece: float  # expected calibration error: sum of count/n * |accuracy - confidence|


def calibration(confidence: np.ndarray, right: np.ndarray, n_bins: int = 10) -> Calibration:
    """Top-label calibration of answers given with `confidence` (n,) in [0, 1] that were
    `right` (n,) bool, on n_bins equal bins (see Calibration)."""
    p = np.asarray(confidence, np.float64).ravel()
    hit = np.asarray(right, bool).ravel()
    if p.shape != hit.shape or not len(p):
        raise ValueError("confidence and right must be two 1-D arrays of the same, non-zero "
                         "length")
    if p.min() < 0 or p.max() > 1:
        raise ValueError("confidence has values outside [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p)  # the same bin for every value as scikit-learn's
    total = np.bincount(ids, minlength=n_bins)
    sums = np.bincount(ids, weights=p, minlength=n_bins)
    hits = np.bincount(ids, weights=hit, minlength=n_bins)
    bins = np.flatnonzero(total)
    accuracy, mean = hits[bins] / total[bins], sums[bins] / total[bins]
    ece = float(np.sum(total[bins] * np.abs(accuracy - mean)) / len(p))
    return Calibration(edges, bins, accuracy, mean, total[bins], ece)


def calibration_of(evaluation: Evaluation, y_test: np.ndarray, n_bins: int = 10) -> Calibration:
    """The calibration of a model's answers on the test split (its Evaluation keeps them)."""
    return calibration(evaluation.confidence, evaluation.yhat == np.asarray(y_test), n_bins)


def report_frame(evaluation: Evaluation):
    """The classification report as a DataFrame: one row per class, then the averages."""
    import pandas as pd

    rows = {k: v for k, v in evaluation.report.items() if isinstance(v, dict)}
    frame = pd.DataFrame(rows).T[["precision", "recall", "f1-score", "support"]]
    frame["support"] = frame["support"].astype(int)
    frame.index.name = "class"
    return frame
