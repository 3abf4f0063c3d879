"""Fit time estimates: the model (start + rate x epochs x images), the seed's measurements,
this machine's replacing them, the epochs of a kind that stops early, and the file that keeps
them between restarts."""

from __future__ import annotations

import math

import pytest

from digitlab.model.config import TrainConfig
from digitlab.training import estimate, tutorial
from digitlab.training.estimate import Sample, Timings

FAST = TrainConfig()  # digitlab-fast, unit pixels: the Fast preset
L1 = TrainConfig(solver="saga", l1_ratio=1.0, train_size=10_000)


def test_kinds_go_from_every_setting_that_matters_to_the_solver_alone():
    assert estimate.kinds(tutorial.CONFIG) == ("sag l2 pixels raw", "sag l2", "sag")
    assert estimate.kinds(L1)[1] == "saga l1"
    assert estimate.kinds(FAST.replace(C=math.inf))[1] == "digitlab-fast none"
    assert estimate.kinds(FAST.replace(deskew=True, augment=True))[0] == \
        "digitlab-fast l2 pixels unit augment deskew"


def test_an_estimate_scales_with_images_and_epochs_and_says_none_when_never_measured():
    timings = Timings()
    full = timings.seconds(tutorial.CONFIG, 59_500)
    start = estimate.START_S
    half = timings.seconds(tutorial.CONFIG, 29_750)
    assert half - start == pytest.approx((full - start) / 2)
    # sag on raw pixels converges after ~770 epochs: 1000 asked, ~770 expected; 100 asked: 100
    few = timings.seconds(tutorial.CONFIG.replace(max_iter=100), 59_500)
    assert few - start == pytest.approx((full - start) * 100 / 769, rel=1e-6)
    assert timings.seconds(TrainConfig(solver="lbfgs"), 59_500) is None


def test_this_machines_fits_replace_the_seed_for_their_kind(tmp_path):
    timings = Timings(tmp_path / "t.json")
    seed = timings.seconds(L1, 59_500)
    assert timings.samples(L1)[1] == "seed"
    # a slow machine: the L1 case took 300 s for its 100 epochs on 10,000 images
    timings.record(L1, 300.0, 100, 10_000, converged=False)
    assert timings.samples(L1)[1] == "this machine"
    assert timings.seconds(L1, 10_000) == pytest.approx(300.0)
    assert timings.seconds(L1, 10_000) > seed * 10_000 / 59_500
    # kept in the file: a restarted server still knows its machine
    assert Timings(tmp_path / "t.json").seconds(L1, 10_000) == pytest.approx(300.0)
    # a coarser kind learns too: saga L1 on deskewed digits borrows from "saga l1"
    assert Timings(tmp_path / "t.json").samples(L1.replace(deskew=True))[1] == "this machine"


def test_a_kind_that_stops_early_is_expected_to_stop_early():
    timings = Timings(seed={})
    for epochs in (6, 8, 7):  # digitlab-fast stopped by itself after 6-8 of its 100 epochs
        timings.record(FAST, 0.02 * epochs * 59.5, epochs, 59_500, converged=True)
    assert timings.seconds(FAST, 59_500) == pytest.approx(0.02 * 7 * 59.5)
    assert timings.seconds(FAST.replace(max_iter=3), 59_500) == pytest.approx(0.02 * 3 * 59.5)


def test_fits_too_short_to_measure_are_not_recorded():
    timings = Timings(seed={})
    timings.record(FAST, 0.5, 3, 500, converged=True)  # mostly start-up
    timings.record(FAST, 10.0, 3, 2000, converged=True)  # too few images
    assert timings.seconds(FAST, 59_500) is None


def test_only_the_newest_measurements_count(tmp_path):
    timings = Timings(seed={})
    for seconds in [100.0] * estimate.KEEP + [10.0] * estimate.KEEP:  # the machine got faster
        timings.record(FAST, seconds, 10, 10_000, converged=False)
    assert timings.seconds(FAST.replace(max_iter=10), 10_000) == pytest.approx(10.0)


def test_a_damaged_file_starts_again_from_the_seed(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"saga l1": [[1, 2]]}')  # a row short of a field
    assert Timings(path).samples(L1)[1] == "seed"
    assert Timings(path, seed={"x": (Sample(1.0, 1, True),)}).samples(L1) is None


def test_a_fit_on_ready_features_is_its_own_kind_and_borrows_from_the_cold_one():
    # a refit after changing C: the features were made by the fit before, and the Fast preset
    # then takes 0.4 s where making them first takes 8 (a promise of 8 s for 0.4 s was wrong)
    assert estimate.recorded_as(FAST, ready=True) == (
        "digitlab-fast l2 pixels unit ready", "digitlab-fast l2 ready", "digitlab-fast ready")
    assert estimate.kinds(FAST, ready=True) == (
        "digitlab-fast l2 pixels unit ready", "digitlab-fast l2 pixels unit",
        "digitlab-fast l2 ready", "digitlab-fast l2", "digitlab-fast ready", "digitlab-fast")
    cold = (Sample(0.03, 4, True),)
    timings = Timings(seed={"digitlab-fast l2 pixels unit": cold})
    # nothing measured ready: the cold kind's time (too long rather than too short)
    assert timings.seconds(FAST, 59_500, ready=True) == timings.seconds(FAST, 59_500)
    timings.record(FAST, 0.4, 4, 59_500, converged=True, ready=True)
    assert timings.seconds(FAST, 59_500, ready=True) == pytest.approx(0.4)
    assert timings.seconds(FAST, 59_500) == pytest.approx(0.03 * 4 * 59.5)  # cold: unchanged
    timings.record(FAST, 8.0, 4, 59_500, converged=True)  # a cold fit: the ready kind unchanged
    assert timings.seconds(FAST, 59_500, ready=True) == pytest.approx(0.4)


def test_the_seed_knows_the_presets_refit_after_C():
    for config in (FAST, FAST.replace(deskew=True)):
        ready = Timings().seconds(config, 59_500, ready=True)
        assert Timings().samples(config, ready=True)[0] == list(
            estimate.SEED[estimate.recorded_as(config, ready=True)[0]])
        assert ready < Timings().seconds(config, 59_500) / 2


def test_a_short_fit_counts_in_the_servers_thread_but_not_in_a_child_process():
    timings = Timings(seed={})
    timings.record(FAST, 0.4, 4, 59_500, converged=True)  # no start-up in it: an epoch's time
    assert timings.seconds(FAST, 59_500) == pytest.approx(0.4)
    timings.record(tutorial.CONFIG, 2.0, 10, 59_500, converged=False)  # mostly its start-up
    assert timings.seconds(tutorial.CONFIG, 59_500) is None
