"""The gap between two accuracies, and the rule that says it is from few digits."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.training import evaluate


def scored(right: int, wrong: int) -> evaluate.Evaluation:
    confusion = np.array([[right, wrong], [0, 0]])
    return evaluate.Evaluation(right / (right + wrong), confusion, {}, np.zeros(0),
                               np.zeros(0, np.float32), np.arange(2))


def test_a_gap_is_in_points_and_knows_how_many_digits_it_rests_on():
    gap = evaluate.gap(scored(2, 1), scored(9, 1))
    assert gap.points == pytest.approx((2 / 3 - 0.9) * 100) and gap.n == 3
    assert gap.few  # one digit more or less moves it by 25 points or more


def test_twenty_digits_are_enough_nineteen_are_few():
    assert evaluate.FEW_DIGITS == 20
    assert evaluate.gap(scored(19, 0), scored(9, 1)).few
    assert not evaluate.gap(scored(19, 1), scored(9, 1)).few
