"""evaluate.calibration: top-label calibration, bin for bin scikit-learn's calibration_curve."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from digitlab.training import evaluate


@pytest.mark.parametrize("n_bins", [5, 10, 15])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_calibration_equals_scikit_learns_curve_on_the_same_bins(rng, n_bins, dtype):
    confidence = rng.uniform(0.1, 1.0, 2000).astype(dtype)
    confidence[:12] = [0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 0.4, 0.25]  # on edges
    right = rng.random(2000) < confidence ** 2  # overconfident
    cal = evaluate.calibration(confidence, right, n_bins)
    prob_true, prob_pred = calibration_curve(right, confidence, n_bins=n_bins,
                                             strategy="uniform")
    np.testing.assert_allclose(cal.accuracy, prob_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cal.confidence, prob_pred, rtol=0, atol=1e-12)
    assert cal.count.sum() == 2000 and len(cal.bins) == len(prob_true)
    ece = sum(n * abs(a - c) for n, a, c in zip(cal.count, cal.accuracy, cal.confidence)) / 2000
    assert cal.ece == pytest.approx(ece, abs=1e-12)
    assert cal.ece > 0.05  # squared confidence: clearly surer than right


def test_a_model_exactly_as_sure_as_it_is_right_has_no_calibration_error():
    confidence = np.repeat([0.25, 0.55, 0.95], 20)
    right = np.concatenate([np.arange(20) < 5, np.arange(20) < 11, np.arange(20) < 19])
    cal = evaluate.calibration(confidence, right, 10)
    assert cal.ece == pytest.approx(0.0, abs=1e-12)
    assert cal.bins.tolist() == [2, 5, 9]


def test_calibration_of_an_evaluation_is_top_label_confidence_against_being_right():
    yhat = np.array([0, 1, 2, 2])
    ev = evaluate.Evaluation(0.5, np.eye(3), {}, yhat,
                             np.array([0.9, 0.6, 0.95, 0.4], np.float32), np.arange(3))
    cal = evaluate.calibration_of(ev, np.array([0, 2, 2, 1]), 2)
    assert cal.bins.tolist() == [0, 1]
    assert cal.accuracy.tolist() == [0.0, pytest.approx(2 / 3)]


@pytest.mark.parametrize("confidence, right", [([], []), ([0.5], [True, False]),
                                               ([1.2], [True]), ([-0.1], [False])])
def test_bad_input_is_refused(confidence, right):
    with pytest.raises(ValueError):
        evaluate.calibration(np.array(confidence), np.array(right, bool))
