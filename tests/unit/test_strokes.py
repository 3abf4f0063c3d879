"""digitlab.data.strokes: thinning keeps a shape's topology in one-pixel lines, and re-stroking
gives any pen the same width (the Draw page's "strokes redrawn" step)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitlab.data import preprocess
from digitlab.data.preprocess import stroke_width
from digitlab.data.strokes import brush, restroke, thin


def _ring(width: int, side: int = 132) -> np.ndarray:
    img = np.zeros((side, side), np.uint8)
    cv2.circle(img, (side // 2, side // 2), 40, 1, width)
    return img


def _bar(width: int) -> np.ndarray:
    img = np.zeros((100, 100), np.uint8)
    cv2.line(img, (20, 50), (80, 50), 1, width)
    return img


@pytest.mark.parametrize("width", [3, 9, 21])
def test_a_thick_ring_thins_to_one_closed_one_pixel_loop(width):
    skeleton = thin(_ring(width))
    n, _ = cv2.connectedComponents(skeleton.astype(np.uint8), connectivity=8)
    holes, _ = cv2.connectedComponents((~skeleton).astype(np.uint8), connectivity=4)
    assert n - 1 == 1 and holes - 1 == 2  # one loop: the outside and the hole stay apart
    two_by_two = skeleton[:-1, :-1] & skeleton[1:, :-1] & skeleton[:-1, 1:] & skeleton[1:, 1:]
    assert not two_by_two.any()
    assert abs(skeleton.sum() - 2 * np.pi * 40) < 0.15 * 2 * np.pi * 40  # on the centre line


def test_thinning_a_stack_thins_each_image_alone():
    stack = np.stack([_ring(9), np.zeros((132, 132), np.uint8), _ring(21)])
    out = thin(stack)
    assert out.shape == stack.shape
    assert np.array_equal(out[0], thin(stack[0])) and not out[1].any()
    assert np.array_equal(out[2], thin(stack[2]))


def test_a_bar_thins_to_a_line_along_its_middle():
    skeleton = thin(_bar(15))
    ys, xs = np.nonzero(skeleton)
    assert set(ys) <= {49, 50, 51} and np.ptp(xs) > 45


@pytest.mark.parametrize("pen", [3, 8, 15, 25])
def test_restroke_gives_every_pen_the_brush_width(pen):
    out = restroke(_ring(pen).astype(np.float32), 11.6)
    assert out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    assert stroke_width(out) == pytest.approx(11.6, abs=1.0)


def test_restroke_of_a_blurred_stroke_is_as_crisp_as_a_sharp_one():
    sharp = _bar(9).astype(np.float32)
    blurred = cv2.GaussianBlur(sharp, (0, 0), 3)
    blurred /= blurred.max()
    a, b = restroke(sharp, 8.0), restroke(blurred, 8.0)
    assert np.abs(a - b).mean() < 0.02
    assert ((b > 0.05) & (b < 0.95)).sum() < ((blurred > 0.05) & (blurred < 0.95)).sum() / 3


def test_nothing_to_restroke_comes_back_unchanged_and_an_empty_path_is_no_ink():
    faint = np.full((20, 20), 0.2, np.float32)
    assert restroke(faint, 5.0) is faint
    assert not brush(np.zeros((10, 10), bool), 5.0).any()


def test_to_mnist_can_show_the_strokes_redrawn_step():
    img = np.zeros((280, 280), np.uint8)
    cv2.circle(img, (140, 140), 80, 255, 6)  # a thin-pen zero
    p = preprocess.to_mnist(img, restroke=True)
    assert "strokes redrawn" in p.steps and p.image28 is not None
    assert p.info["stroke after"] == pytest.approx(preprocess.MNIST_STROKE * preprocess.BOX,
                                                   abs=0.4)
