"""TrainConfig: validation with sentences, penalties, the default (fast) path, round trips."""

from __future__ import annotations

import math

import pytest

from digitlab.model import pipeline as transform
from digitlab.model import solvers
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.solvers.fast import FastLogisticRegression


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
