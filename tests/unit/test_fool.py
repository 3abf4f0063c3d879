"""digitlab.lab.fool on a drawn "1": a shift or a new size is undone by the preprocessing, a
rotation reaches the model's input, a thicker pen adds ink; the sweep answers at every angle."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline

from digitlab.data import preprocess
from digitlab.lab import fool
from digitlab.lab.fool import Change
from digitlab.model.pipeline import LOGREG_STEP, PIXELS_STEP, PixelTransform


def canvas_one() -> np.ndarray:
    """A 280x280 RGBA canvas with a '1' drawn by a 20 px brush, as the Draw page sends it."""
    img = np.zeros((280, 280, 4), np.uint8)
    img[..., 3] = 255
    cv2.line(img, (150, 50), (140, 230), (255, 255, 255, 255), 20, cv2.LINE_AA)
    return img


@pytest.fixture(scope="module")
def original28():
    return preprocess.to_mnist(canvas_one()).image28


def model_input(change: Change) -> np.ndarray:
    return preprocess.to_mnist(fool.apply(canvas_one(), change)).image28


def test_no_change_gives_the_same_model_input(original28):
    assert np.array_equal(model_input(Change()), original28)


def test_a_rotation_changes_the_model_input_and_a_shift_does_not(original28):
    assert fool.difference(model_input(Change(angle=40)), original28) > 0.2
    assert fool.difference(model_input(Change(shift_x=0.2, shift_y=-0.1)), original28) < 0.05
    assert fool.difference(model_input(Change(scale=0.7)), original28) < 0.15


def test_thickening_adds_ink_to_the_picture():
    thin, thick = fool.apply(canvas_one(), Change()), fool.apply(canvas_one(), Change(
        thicken=20 / 280))
    assert (thick > 127).sum() > 1.5 * (thin > 127).sum()
    thinner = fool.apply(canvas_one(), Change(thicken=-8 / 280))
    assert (thinner > 127).sum() < (thin > 127).sum()


def test_dark_ink_on_paper_is_turned_light_on_dark_before_changing():
    paper = np.full((200, 200), 230, np.uint8)
    cv2.line(paper, (100, 30), (100, 170), 20, 12)
    out = fool.apply(paper, Change(angle=90))
    assert np.median(out) < 60 and out.max() > 180
    # turned a quarter: the stroke now runs across
    assert (out[100, 40:160] > 127).mean() > 0.8


def test_reached_names_only_the_changes_that_are_set(original28):
    got = fool.reached(canvas_one(), Change(angle=30, shift_x=0.1), original28)
    assert set(got) == {"rotate", "shift"}
    assert got["rotate"] > got["shift"]


def test_the_verdict_reads_the_share_of_ink_that_moved():
    assert fool.verdict(0.0) == fool.verdict(fool.UNDONE - 1e-9) == "undone by the preprocessing"
    assert fool.verdict(fool.UNDONE) == fool.verdict(fool.PARTLY_UNDONE - 1e-9) == "partly undone"
    assert fool.verdict(fool.PARTLY_UNDONE) == fool.verdict(1.0) == "reaches the model"


def test_a_shift_is_undone_and_a_turn_reaches_the_model(original28):
    got = fool.reached(canvas_one(), Change(angle=40, shift_x=0.2, shift_y=-0.1), original28)
    assert fool.verdict(got["shift"]) == "undone by the preprocessing"
    assert fool.verdict(got["rotate"]) == "reaches the model"


def test_a_change_that_pushes_the_ink_off_the_picture_gives_no_answer():
    model = Pipeline([(PIXELS_STEP, PixelTransform()),
                      (LOGREG_STEP, DummyClassifier(strategy="prior"))]).fit(
        np.zeros((10, 784), np.uint8), np.arange(10))
    a = fool.attempt(model, canvas_one(), Change(shift_x=0.9))
    assert a.digit is None and a.prepared.empty


def test_the_rotation_sweep_answers_at_every_angle():
    X = np.zeros((10, 784), np.uint8)
    model = Pipeline([(PIXELS_STEP, PixelTransform()),
                      (LOGREG_STEP, DummyClassifier(strategy="prior"))]).fit(X, np.arange(10))
    sweep = fool.rotation_sweep(model, canvas_one(), Change(scale=0.9), [-30, 0, 30])
    assert [a for a, _, _ in sweep] == [-30.0, 0.0, 30.0]
    assert all(d is not None and 0 < p <= 1 for _, d, p in sweep)
