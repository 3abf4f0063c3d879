"""digitlab.redraw: the re-drawn digits are real drawings (different from MNIST, still digits),
and they repeat with their seed."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab import preprocess as pp
from digitlab.redraw import redraw


def test_redraw_gives_canvas_rgba_and_paper_rgb(tutorial_split):
    digit = tutorial_split[1][0]
    canvas = redraw(digit, np.random.default_rng(0), "canvas")
    assert canvas.shape == (280, 280, 4) and canvas.dtype == np.uint8
    assert (canvas[:, :, 3] == 255).all()  # a background colour: opaque everywhere
    assert np.median(canvas[:, :, :3]) == 0 and canvas.max() == 255  # white ink on black
    paper = redraw(digit, np.random.default_rng(0), "paper")
    assert paper.shape == (280, 280, 3) and paper.dtype == np.uint8
    assert np.median(paper) > 150 and paper.min() < 100  # dark ink on light paper
    with pytest.raises(ValueError, match="style"):
        redraw(digit, np.random.default_rng(0), "crayon")


def test_redraw_repeats_with_its_seed(tutorial_split):
    digit = tutorial_split[1][1]
    a = redraw(digit, np.random.default_rng(5), "paper")
    b = redraw(digit, np.random.default_rng(5), "paper")
    c = redraw(digit, np.random.default_rng(6), "paper")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_redrawn_digits_vary_in_size_place_and_stroke_width(tutorial_split):
    X_test = tutorial_split[1]
    rng = np.random.default_rng(0)
    sizes, lefts, widths = [], [], []
    for digit in X_test[:40]:
        p = pp.to_mnist(redraw(digit, rng, "canvas"))
        x, _, w, h = p.info["box"]
        sizes.append(max(w, h))
        lefts.append(x)
        widths.append(p.info["stroke before"])
    assert np.ptp(sizes) > 100 and np.ptp(lefts) > 100  # ~35-85 % of 280 px, anywhere
    # pen widths (at MNIST's 20 px scale) reach well below and above MNIST's ~2.3 px
    assert min(widths) < 1.5 and max(widths) > 3.5


def test_redrawn_digits_differ_from_mnist_but_stay_the_same_digit(tutorial_split):
    X_test = tutorial_split[1]
    rng = np.random.default_rng(1)
    sims = []
    for digit in X_test[:30]:
        img = pp.to_mnist(redraw(digit, rng, "canvas"), even_strokes=False).image28
        a, b = img.astype(float).ravel(), digit.astype(float).ravel()
        sims.append(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert np.median(sims) < 0.9  # not a copy of the clean digit...
    assert np.median(sims) > 0.5  # ...but a drawing of it
