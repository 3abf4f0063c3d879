"""Train again with the class set: the held-out split, how often class digits are counted, the
join, and a small retrain end to end on synthetic digits."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.classroom import retrain as classtrain
from digitlab.classroom.retrain import ClassTrainError
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.training.session import Split, presets


def test_hold_out_is_per_label_seeded_disjoint_and_never_takes_all():
    y = np.array([0] * 10 + [1] * 3 + [2] * 2 + [3])
    train, test = classtrain.hold_out(y, 0.3, seed=0)
    assert set(train).isdisjoint(test) and sorted([*train, *test]) == list(range(len(y)))
    held = {label: int((y[test] == label).sum()) for label in range(4)}
    assert held == {0: 3, 1: 1, 2: 1, 3: 0}  # 30 %, at least one, never a label's last
    again = classtrain.hold_out(y, 0.3, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((train, test), again))
    assert not np.array_equal(classtrain.hold_out(y, 0.3, seed=1)[1], test)


def test_repeats_make_the_class_digits_about_a_tenth_of_the_rows():
    k = classtrain.repeats_for(1000, 59_500)
    assert k == 7 and 0.09 < k * 1000 / (59_500 + k * 1000) < 0.11
    assert classtrain.repeats_for(10, 59_500) == classtrain.MAX_REPEATS
    assert classtrain.repeats_for(100_000, 1000) == 1
    assert classtrain.repeats_for(0, 1000) == 0


def test_joined_appends_the_class_digits_k_times():
    X, y = np.zeros((5, 4), np.uint8), np.zeros(5, np.uint8)
    Xj, yj = classtrain.joined(X, y, np.ones((2, 4)), np.array([3, 4]), 3)
    assert Xj.shape == (11, 4) and Xj.dtype == np.uint8 and list(yj[5:]) == [3, 4] * 3


@pytest.mark.parametrize("repeats, says", [
    (0, "whole number of at least 1"), (-1, "whole number of at least 1"),
    (2.5, "whole number of at least 1"),
    (11, "at most 10 keeps them no more than half"),  # 50 digits against 500 rows
    (2**32, "at most 10"),  # was a 153 TiB allocation
])
def test_the_repeats_of_added_digits_are_bounded_with_a_sentence(repeats, says):
    X, y = np.zeros((500, 4), np.uint8), np.arange(500) % 10
    with pytest.raises(ClassTrainError, match=says):
        classtrain.add_set(X, y, np.ones((50, 4), np.uint8), np.arange(50) % 10, repeats)
    assert len(classtrain.add_set(X, y, np.ones((50, 4), np.uint8), np.arange(50) % 10,
                                  10)[1]) == 1000


def test_a_retrain_keeps_the_answering_models_settings_when_they_fit_in_seconds():
    mine = TrainConfig(solver=solvers.FAST, C=0.1, deskew=True, max_iter=7)
    config, which = classtrain.retrain_config(mine)
    assert config == mine
    assert "answering now" in which and "C=0.1" in which and "deskew" in which


@pytest.mark.parametrize("solver, deskew", [("sag", True), ("lbfgs", False)])
def test_a_retrain_of_a_slow_solvers_model_uses_the_fast_preset_with_its_deskew(solver, deskew):
    config, which = classtrain.retrain_config(TrainConfig(solver=solver, deskew=deskew, C=3.0))
    assert config == presets()["Fast"].replace(deskew=deskew)
    assert config.solver == solvers.FAST and "Fast preset" in which and solver in which


def blobs(rng, n, shift):
    """Ten classes of 16-pixel 'images', each a bright block at its own place; `shift` moves
    every block (another 'handwriting')."""
    y = rng.integers(0, 10, n).astype(np.uint8)
    X = rng.integers(0, 40, (n, 16 * 16)).astype(np.uint8)
    for i, label in enumerate(y):
        img = X[i].reshape(16, 16)
        r, c = (label // 5) * 6 + shift, (label % 5) * 3
        img[r:r + 4, c:c + 3] = 255
    return X, y


def test_retrain_gains_on_held_out_digits_of_another_handwriting(rng):
    X_train, y_train = blobs(rng, 3000, 0)
    X_test, y_test = blobs(rng, 500, 0)
    X_class, y_class = blobs(rng, 200, 4)  # the class writes lower on the page
    split = Split.of(X_train, X_test, y_train, y_test, "blobs", 16)
    c = classtrain.retrain(TrainConfig(max_iter=30), split, X_class, y_class, seed=0)
    assert c.n_added + c.n_held_out == 200 and c.n_held_out >= 10
    assert c.class_after.accuracy > c.class_before.accuracy + 0.2, c
    assert c.after.evaluation.accuracy > 0.9  # and still reads the original handwriting
    assert c.gain == c.class_after.accuracy - c.class_before.accuracy


def test_retrain_says_when_the_set_is_too_small(rng):
    X, y = blobs(rng, 100, 0)
    split = Split.of(X, X, y, y, "blobs", 16)
    with pytest.raises(ClassTrainError, match="save at least 20"):
        classtrain.retrain(TrainConfig(), split, X[:5], y[:5])
    with pytest.raises(ClassTrainError, match="single digit"):
        classtrain.retrain(TrainConfig(), split, X[:20], np.arange(20) % 20)


def test_a_training_subset_keeps_the_added_digits(rng):
    X_train, y_train = blobs(rng, 1000, 0)
    X_class, y_class = blobs(rng, 40, 4)
    split = Split.of(X_train, X_train[:100], y_train, y_train[:100], "blobs", 16)
    c = classtrain.retrain(TrainConfig(max_iter=10, train_size=300), split, X_class, y_class)
    assert c.before.fit.n_train == 300
    assert c.after.fit.n_train == 300 + c.n_added * c.repeats
