"""A link's settings: written exactly, read back to the same TrainConfig; each bad value refused
with a sentence that names it while the rest apply; lock and hide lists checked."""

from __future__ import annotations

import math

import pytest

from digitlab.lab import links
from digitlab.model.config import TrainConfig


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig(C=0.05, l1_ratio=0.25, solver="saga", tol=1e-5, train_size=3000),
    TrainConfig(C=math.inf, solver="sag", max_iter=1000, scaling="raw", test_size=0.12,
                seed=7),
    TrainConfig(deskew=True, augment=True, features="rbf", C=1 / 3),
])
def test_a_config_round_trips_through_its_link_exactly(config):
    query = links.to_query(config)
    assert links.read(query).config() == config
    assert not links.read(query).problems


def test_only_what_differs_from_the_defaults_is_written_and_locks_name_their_values():
    assert links.to_query(TrainConfig()) == {}
    q = links.to_query(TrainConfig(C=0.05), locked=("max_iter", "solver"), hidden=("seed",))
    assert q == {"C": "0.05", "solver": "digitlab-fast", "max_iter": "100", "seed": "0",
                 "lock": "solver,max_iter", "hide": "seed"}
    assert links.url("http://h/train", TrainConfig(C=0.05), ("solver",)) == \
        "http://h/train?C=0.05&solver=digitlab-fast&lock=solver"


def test_each_bad_value_is_refused_by_name_and_the_rest_apply():
    link = links.read({"C": "abc", "max_iter": "7", "tol": "0", "seed": "-3", "train_size": "5",
                       "deskew": "maybe", "scaling": "log", "test_size": "0.9", "nope": "1"})
    assert link.config() == TrainConfig(max_iter=7)
    said = " ".join(link.problems)
    for part in ("C=abc was not applied: C is not a number.",
                 "tol=0 was not applied: tol must be a positive number",
                 "seed=-3 was not applied", "train_size=5 was not applied",
                 "deskew=maybe was not applied: deskew must be 1 or 0",
                 "scaling=log was not applied: scaling must be one of unit, raw, standard.",
                 "test_size=0.9 was not applied: test_size is outside what the Train page "
                 "offers", "nope=1 was ignored: 'nope' is not a setting"):
        assert part in said
    assert len(link.problems) == 8


def test_clashing_values_refuse_one_and_a_missing_solver_is_chosen_as_the_page_would():
    clash = links.read({"solver": "lbfgs", "l1_ratio": "0.5", "C": "2"})
    assert clash.config() == TrainConfig(solver="lbfgs", C=2.0)
    assert clash.problems[0].startswith("l1_ratio=0.5 was not applied: solver 'lbfgs' only")
    assert links.read({"l1_ratio": "0.5"}).config().solver == "saga"


def test_lock_and_hide_keep_the_values_the_link_gives():
    link = links.read({"solver": "sag", "max_iter": "5", "lock": "solver,max_iter,bogus",
                       "hide": "tol,seed"})
    assert link.lesson.locked == ("solver", "max_iter")
    assert link.lesson.hidden == ("tol", "seed")
    assert link.lesson.fixed == {"solver": "sag", "max_iter": 5, "tol": 1e-4, "seed": 0}
    assert link.problems == ("lock=bogus was ignored: 'bogus' is not a setting (the settings "
                             "are " + ", ".join(links.FIELDS) + ").",)
    assert links.describe(link.lesson, link.config()) == \
        "solver = sag, max_iter = 5; hidden: tol = 0.0001, seed = 0"
    assert not links.read({"C": "2"}).lesson


def test_a_link_carries_projector_mode_and_reading_it_is_no_setting():
    made = links.url("http://h/train", TrainConfig(C=0.05), lang="es", projector=True)
    assert made == "http://h/train?C=0.05&lang=es&projector=1"
    link = links.read({"C": "0.05", "lang": "es", "projector": "1"})
    assert link.config() == TrainConfig(C=0.05) and not link.problems
