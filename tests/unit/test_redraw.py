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
