"""The MNIST recipe measured against real MNIST: a digit that already is MNIST-like comes out like
itself, and the pen-width constant is MNIST's. (Every input kind, blanks, junk: tests/unit/
test_preprocess.py.)"""

from __future__ import annotations

import numpy as np

from digitlab.data import preprocess as pp
from tests.support.drawings import similarity


def test_mnist_digits_pass_through_nearly_unchanged(mnist):
    # A digit that already is MNIST-like must come out like itself (it gets re-fitted from its
    # own 28x28 pixels, so small resampling differences are expected).
    sims = [similarity(pp.to_mnist(x.reshape(28, 28)).image28, x) for x in mnist.X[:200]]
    assert np.median(sims) > 0.9 and min(sims) > 0.6


def test_mnist_stroke_constant_matches_real_mnist(mnist):
    fractions = [pp.stroke_fraction(x.reshape(28, 28)) for x in mnist.X[:500]]
    assert abs(np.median(fractions) - pp.MNIST_STROKE) < 0.015
