"""Train again with the class set, on real MNIST: a class whose handwriting differs from MNIST's
(slanted and bold, seeded) is read better once some of it joins the training images; and the
command line takes an exported class set."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from digitlab import cli
from digitlab.classroom import classfiles
from digitlab.classroom import retrain as classtrain
from digitlab.classroom.classfiles import ClassDigits
from digitlab.training import session as training
from digitlab.training.session import Split


def class_handwriting(X: np.ndarray, angle: float = 25.0) -> np.ndarray:
    """MNIST digits as a class that slants its digits and writes with a bolder pen."""
    turn = cv2.getRotationMatrix2D((14, 14), -angle, 1.0)
    bold = np.ones((2, 2), np.uint8)
    return np.stack([cv2.dilate(cv2.warpAffine(x.reshape(28, 28), turn, (28, 28)), bold).ravel()
                     for x in X])


@pytest.fixture(scope="module")
def split(tutorial_split) -> Split:
    return Split.of(*tutorial_split, "MNIST", 28)


@pytest.fixture(scope="module")
def class_set(split) -> ClassDigits:
    """400 test digits (seen by no model) in the class's handwriting."""
    idx = np.random.default_rng(0).choice(len(split.y_test), 400, replace=False)
    return ClassDigits.of(class_handwriting(split.X_test[idx]), split.y_test[idx])


def test_training_again_with_the_class_set_reads_held_out_class_digits_better(split,
                                                                              class_set):
    c = classtrain.retrain(training.presets()["Fast"], split, class_set.X, class_set.y, seed=0)
    assert c.n_held_out + c.n_added == 400 and 110 <= c.n_held_out <= 130  # ~30 % per label
    assert c.class_before.accuracy < 0.7  # the class's handwriting is hard for MNIST's model
    assert c.class_after.accuracy > c.class_before.accuracy + 0.1, (
        c.class_before.accuracy, c.class_after.accuracy)
    assert c.after.evaluation.accuracy > c.before.evaluation.accuracy - 0.015  # MNIST kept


def test_train_takes_an_exported_class_set(tmp_path, class_set, capsys):
    path = tmp_path / "class-set.npz"
    path.write_bytes(classfiles.to_npz(class_set))
    assert cli.main(["train", "--train-size", "5000", "--add-set", str(path),
                     "--add-repeats", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_train"] == 5000 + 3 * 400
    assert cli.main(["train", "--add-set", str(tmp_path / "missing.npz")]) == 2
    assert "no file" in capsys.readouterr().err
