"""Per-class held-out accuracy while the fast solver trains: computed from the same predictions
as the total, reported every epoch, carried into fitting's progress events and the job's line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.model import objective
from digitlab.model.config import TrainConfig
from digitlab.model.solvers.fast import FastLogisticRegression
from digitlab.training import fitting


def test_held_out_by_class_counts_each_classes_rows():
    X = np.eye(3, dtype=np.float32)[[0, 0, 1, 1, 2]]
    y = np.array([0, 0, 1, 1, 2])
    W = np.eye(3, dtype=np.float32)
    W[2, 1] = 5  # feature 2 pushes class 1: class 2's row is read as 1, the others stay right
    b = np.zeros(3, np.float32)
    loss, acc, by_class = objective.held_out_by_class(X, y, W, b)
    assert by_class == (1.0, 1.0, 0.0)
    assert acc == pytest.approx(0.8) and (loss, acc) == objective.held_out(X, y, W, b)
    _, _, none_of_2 = objective.held_out_by_class(X[:4], y[:4], W, b)
    assert math.isnan(none_of_2[2])


def test_every_epoch_reports_each_classes_accuracy():
    rng = np.random.default_rng(0)
    y = np.arange(2000) % 10
    X = rng.normal(size=(2000, 20)).astype(np.float32)
    X[np.arange(2000), y] += 3.0
    events = []
    FastLogisticRegression(max_iter=4).fit(X, y, on_progress=events.append)
    assert len(events) >= 2
    for e in events:
        per_class = np.array(e.val_class_accuracy)
        assert per_class.shape == (10,) and ((0 <= per_class) & (per_class <= 1)).all()
        # the total is the classes' accuracies weighted by their share of the held-out rows
        assert per_class.min() <= e.val_accuracy <= per_class.max()


def test_fitting_passes_per_class_accuracy_to_progress_events():
    rng = np.random.default_rng(1)
    y = np.arange(600) % 10
    X = rng.integers(0, 60, size=(600, 784)).astype(np.uint8)
    X[np.arange(600), 50 * y + 100] = 255
    events = []
    fitting.fit(TrainConfig(max_iter=3), X, y, on_progress=events.append)
    per_epoch = [e for e in events if e.val_class_accuracy is not None]
    assert len(per_epoch) >= 2 and all(len(e.val_class_accuracy) == 10 for e in per_epoch)
