"""The progress line names the solver that runs, says where an estimate comes from, and stops
claiming a fraction once a fit is well past its estimate."""

from __future__ import annotations

import numpy as np

from digitlab.model.config import TrainConfig
from digitlab.training import session as training
from digitlab.training.fitting import ProgressEvent


class At(training.TrainingJob):
    """A job asked for its progress `seconds` into its fit (never started)."""

    seconds = 0.0

    @property
    def fitting_for(self) -> float:
        return self.seconds


def job(config: TrainConfig, seconds: float, n: int = 59_500) -> At:
    split = training.Split.of(np.zeros((n, 4), np.uint8), np.zeros((1, 4), np.uint8),
                              np.zeros(n, np.uint8), np.zeros(1, np.uint8), "x", 2)
    j = At(config, split)
    j.seconds = seconds
    return j


def test_digitlabs_own_solver_is_not_said_to_be_scikit_learn():
    fraction, text = job(TrainConfig(), 1.0).progress()  # digitlab-fast, before its 1st epoch
    assert text.startswith("digitlab-fast: preparing the images") and "scikit-learn" not in text
    assert "measured on this machine" in text and 0 < fraction < 1
    j = job(TrainConfig(), 3.0)
    j.events.append(ProgressEvent(2, 100, 3.0, loss=0.3, val_accuracy=0.9))
    fraction, text = j.progress()
    assert text.startswith("digitlab-fast: epoch 2 of 100") and fraction == 0.02


def test_a_scikit_learn_fit_names_its_solver_and_says_it_reports_nothing():
    config = TrainConfig(solver="saga", l1_ratio=1.0, train_size=10_000)
    fraction, text = job(config, 5.0).progress()
    assert text.startswith("saga: 5.0 s of about") and "scikit-learn reports no progress" in text
    assert 0 < fraction < 0.99
    _, lbfgs = job(TrainConfig(solver="lbfgs"), 5.0).progress()
    assert lbfgs.startswith("lbfgs: 5.0 s so far") and "scikit-learn" in lbfgs


def test_a_fit_well_past_its_estimate_says_so_instead_of_99_percent():
    config = TrainConfig(solver="saga", l1_ratio=1.0, train_size=10_000)
    estimate = training.expected_seconds(config, 59_500)
    fraction, text = job(config, estimate * 0.9).progress()
    assert fraction is not None and fraction > 0.8
    fraction, text = job(config, estimate * (training.OVERDUE + 0.1)).progress()
    assert fraction is None and "longer than the" in text and "estimated" in text
