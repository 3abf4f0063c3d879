"""TrainConfig: validation with sentences, penalties, the default (fast) path, round trips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.model import config, solvers
from digitlab.model import pipeline as transform
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.solvers.fast import FastLogisticRegression
from digitlab.training import fitting


@pytest.mark.parametrize("changes, words", [
    ({"solver": "liblinear"}, "solver must be one of"),
    ({"solver": "sag", "l1_ratio": 1.0}, "Choose solver 'saga'"),
    ({"solver": "lbfgs", "l1_ratio": 0.5}, "only supports the L2 penalty"),
    ({"C": 0.0}, "C must be a positive number"),
    ({"C": -1.0}, "got -1.0"),
    ({"l1_ratio": 1.5}, "between 0 (L2) and 1 (L1)"),
    ({"max_iter": 10.0}, "max_iter must be a whole number"),
    ({"max_iter": 0}, "at least 1"),
    ({"tol": 0}, "tol must be a positive number"),
    ({"test_size": 1.0}, "test_size must be a fraction"),
    ({"seed": -3}, "seed must be a whole number"),
    ({"scaling": "minmax"}, "scaling must be one of"),
    ({"train_size": 5}, "train_size must be a whole number of at least 10"),
])
def test_config_refuses_bad_settings_with_a_sentence(changes, words):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**changes)
    assert words in str(info.value)


def test_no_penalty_is_C_infinite_and_works_with_any_solver():
    c = TrainConfig(C=math.inf, solver="lbfgs", l1_ratio=0.7)
    assert c.penalty_name == "none"
    assert transform.make_estimator(c).l1_ratio == 0.0


def test_saga_takes_l1_and_elastic_net():
    assert TrainConfig(solver="saga", l1_ratio=1.0).penalty_name == "L1"
    assert "elastic net" in TrainConfig(solver="saga", l1_ratio=0.3).penalty_name


def test_config_round_trips_through_a_json_friendly_dict():
    c = TrainConfig(C=math.inf, train_size=500, deskew=False)
    d = c.to_dict()
    assert d["C"] == "inf"
    assert TrainConfig.from_dict(d) == c
    assert hash(c) == hash(TrainConfig.from_dict(d))  # configs key caches


def test_the_default_config_is_the_fast_path():
    assert TrainConfig().solver == solvers.FAST == next(iter(solvers.SOLVERS))
    pipe = transform.make_pipeline(TrainConfig())
    assert isinstance(pipe.steps[0][1], transform.PixelTransform)
    assert isinstance(pipe.steps[1][1], FastLogisticRegression)


def test_fast_solver_refuses_l1_with_a_sentence():
    with pytest.raises(ConfigError, match="only supports the L2 penalty"):
        TrainConfig(solver=solvers.FAST, l1_ratio=0.5)


@pytest.mark.parametrize("changes, words", [
    ({"seed": 2**32}, "seed must be a whole number from 0 to 4,294,967,295"),
    ({"seed": 10**20}, "what NumPy and scikit-learn accept"),
    ({"max_iter": 2**31}, "max_iter must be at most 2,147,483,647"),
    ({"C": 1e-7}, "C must be at least 1e-06"),
    ({"C": 5e-324}, "C must be at least"),
])
def test_settings_beyond_what_numpy_and_the_solvers_take_are_sentences(changes, words):
    """A seed past 2**32 - 1 (the libraries' random_state), a max_iter past a C int (sag) or
    a C so small that the fits overflow were tracebacks deep in a fit."""
    with pytest.raises(ConfigError, match=words):
        TrainConfig(**changes)


def test_the_ends_of_each_domain_are_valid_settings():
    edge = TrainConfig(seed=config.MAX_SEED, max_iter=config.MAX_ITER, C=config.MIN_C)
    assert (edge.seed, edge.max_iter, edge.C) == (2**32 - 1, 2**31 - 1, 1e-6)


@pytest.mark.parametrize("solver", [  # the two that broke at tiny C
    solvers.FAST, pytest.param("sag", marks=pytest.mark.process)])  # sag fits in a child
def test_the_smallest_C_still_fits_finite_weights_on_ten_images(solver):
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (10, 784), dtype=np.uint8), np.arange(10)
    result = fitting.fit(TrainConfig(solver=solver, C=config.MIN_C, max_iter=5), X, y)
    assert np.isfinite(result.model.named_steps["logreg"].coef_).all()


def test_training_rows_are_the_first_train_size_rows_or_all():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    assert config.training_rows(TrainConfig(train_size=12), X, y)[1].tolist() == list(range(12))
    for n in (None, 20, 500):
        Xn, yn = config.training_rows(TrainConfig(train_size=n), X, y)
        assert Xn is X and yn is y
