"""deskew: the moment-based shear straightens slanted digits, leaves upright ones alone, and the
row-wise version agrees with the one-image version. (That it is OpenCV's warpAffine, on MNIST's
steeper slants: tests/model/test_deskew_on_mnist.py.)"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitlab.data import preprocess as pp
from digitlab.data.deskew import deskew_image, deskew_rows
from tests.support.drawings import draw_seven, draw_zero


def test_deskew_leaves_an_upright_digit_upright():
    upright = pp.to_mnist(draw_zero(axes=(40, 90))).image28
    out = deskew_image(upright)
    assert np.abs(out.astype(int) - upright.astype(int)).max() <= 2


def test_deskew_straightens_a_slanted_stroke():
    img = np.zeros((28, 28), np.uint8)
    cv2.line(img, (10, 24), (18, 4), 255, 2, cv2.LINE_AA)  # a '1' leaning right
    out = deskew_image(img)
    before, after = np.ptp(np.nonzero(img > 127)[1]), np.ptp(np.nonzero(out > 127)[1])
    assert before >= 8 and after <= 3  # now (nearly) vertical
    # and the centre of mass has not moved
    def com_x(a):
        return (a.sum(0) * np.arange(28)).sum() / a.sum()
    assert abs(com_x(out.astype(float)) - com_x(img.astype(float))) < 0.3


def test_deskew_rows_matches_deskew_image_and_keeps_dtype(digit_split):
    X = digit_split[0][:300]
    D = deskew_rows(X)
    assert D.shape == X.shape and D.dtype == np.uint8
    assert np.array_equal(D[7], deskew_image(X[7].reshape(28, 28)).ravel())
    assert np.array_equal(deskew_rows(np.zeros((2, 784), np.uint8)), np.zeros((2, 784)))


def test_deskewed_step_is_shown_when_asked():
    p = pp.to_mnist(draw_seven(), deskew=True)
    assert list(p.steps)[-1] == "deskewed"
    assert np.array_equal(p.steps["deskewed"], deskew_image(p.image28))


def test_deskew_rows_refuses_wrong_shapes():
    with pytest.raises(ValueError, match="784"):
        deskew_rows(np.zeros((3, 28, 28), np.uint8))
