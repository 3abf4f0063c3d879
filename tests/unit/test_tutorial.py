"""The tutorial's published numbers are self-consistent, and the side-by-side print shows them."""

from __future__ import annotations

import numpy as np

from digitlab.training import tutorial


def test_published_matrix_has_the_tutorial_test_supports_and_accuracy():
    assert tuple(tutorial.CONFUSION.sum(axis=1)) == tutorial.TEST_SUPPORT
    assert tutorial.CONFUSION.sum() == tutorial.N_TEST
    assert round(np.trace(tutorial.CONFUSION) / tutorial.N_TEST, 2) == tutorial.ACCURACY


def test_the_tutorial_config_is_sag_on_raw_pixels():
    c = tutorial.CONFIG
    assert (c.solver, c.C, c.max_iter, c.scaling, c.test_size, c.seed) == (
        "sag", 1.0, 1000, "raw", 0.15, 0)


def test_side_by_side_shows_zero_difference_against_itself():
    report = {str(k): {"precision": p, "recall": r, "f1-score": f, "support": s}
              for k, ((p, r, f), s) in enumerate(zip(tutorial.REPORT, tutorial.TEST_SUPPORT))}
    text = tutorial.side_by_side(tutorial.CONFUSION, report, 0.9136)
    assert "cells that differ: 0 of 100" in text
    assert "tutorial (published)" in text and "difference" in text
    assert "1019" in text and "+0.0005" in text


def test_side_by_side_prints_the_per_cell_difference():
    report = {str(k): {"precision": p, "recall": r, "f1-score": f, "support": s}
              for k, ((p, r, f), s) in enumerate(zip(tutorial.REPORT, tutorial.TEST_SUPPORT))}
    ours = tutorial.CONFUSION.copy()
    ours[2, 2] += 3
    ours[2, 8] -= 3
    text = tutorial.side_by_side(ours, report, 0.9134)
    assert "cells that differ: 2 of 100; sum of |difference|: 6" in text
    row2 = text.splitlines()[3]  # the header, then rows 0, 1, 2
    assert row2.split()[-10:] == ["0", "0", "3", "0", "0", "0", "0", "0", "-3", "0"]
