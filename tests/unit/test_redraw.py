"""digitlab.data.redraw makes a canvas drawing (RGBA) or a photo of paper (RGB) of a digit, and
repeats
with its seed. (That the drawings of real MNIST digits vary like drawings and stay the same
digit: tests/model/test_redraw_on_mnist.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data.redraw import redraw


def test_redraw_gives_canvas_rgba_and_paper_rgb(digit_split):
    digit = digit_split[1][0]
    canvas = redraw(digit, np.random.default_rng(0), "canvas")
    assert canvas.shape == (280, 280, 4) and canvas.dtype == np.uint8
    assert (canvas[:, :, 3] == 255).all()  # a background colour: opaque everywhere
    assert np.median(canvas[:, :, :3]) == 0 and canvas.max() == 255  # white ink on black
    paper = redraw(digit, np.random.default_rng(0), "paper")
    assert paper.shape == (280, 280, 3) and paper.dtype == np.uint8
    assert np.median(paper) > 150 and paper.min() < 100  # dark ink on light paper
    with pytest.raises(ValueError, match="style"):
        redraw(digit, np.random.default_rng(0), "crayon")


def test_redraw_repeats_with_its_seed(digit_split):
    digit = digit_split[1][1]
    a = redraw(digit, np.random.default_rng(5), "paper")
    b = redraw(digit, np.random.default_rng(5), "paper")
    c = redraw(digit, np.random.default_rng(6), "paper")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_a_look_sets_the_size_and_pen_and_its_scan_blurs(digit_split):
    from digitlab.data.preprocess import stroke_width
    from digitlab.data.redraw import Look, restroke

    digit = np.asarray(digit_split[1][2]).reshape(28, 28)
    sharp = restroke(digit, np.random.default_rng(0), "canvas", look=Look(0.6, 20.0))[:, :, 0]
    ys, xs = np.nonzero(sharp > 127)
    assert abs(max(np.ptp(ys), np.ptp(xs)) - 0.6 * 280) < 20 + 4  # the size, give or take a pen
    assert abs(stroke_width(sharp.astype(np.float32) / 255) - 20.0) < 3
    soft = restroke(digit, np.random.default_rng(0), "canvas",
                    look=Look(0.6, 20.0, scan=35))[:, :, 0]
    grey = lambda a: ((a > 25) & (a < 230)).sum()  # noqa: E731
    assert grey(soft) > 3 * grey(sharp)  # an enlarged small scan: blurred edges
