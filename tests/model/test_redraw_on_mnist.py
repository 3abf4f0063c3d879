"""digitlab.data.redraw on real MNIST test digits: the re-drawn digits are real drawings (different
from MNIST, still digits). (Their formats and seeds, on synthetic digits: tests/unit/
test_redraw.py.)"""

from __future__ import annotations

import numpy as np

from digitlab.data import preprocess as pp
from digitlab.data.redraw import redraw


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
