"""A fit that raises, is stopped, or whose owner (a browser tab) is gone: a sentence, the core
freed within about a second, and no thread or process left behind."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.runtime import jobs
from digitlab.training import session as training
from digitlab.training.store import FitStore
from tests.support.procs import Leftovers, wait_for_fitting_child

pytestmark = pytest.mark.fault
ENDLESS = TrainConfig(solver="sag", max_iter=100_000, tol=1e-12, scaling="raw", train_size=2000)


@pytest.fixture(scope="module")
def split(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    return training.Split.of(X_train, X_test, y_train, y_test, "synthetic", 28)


def test_a_fit_that_raises_is_a_sentence_and_leaves_nothing(split, monkeypatch, ledger):
    def boom(est, Z, y, hooks):
        raise RuntimeError("the solver fell over")

    broken = dataclasses.replace(solvers.get(solvers.FAST), run=boom)
    monkeypatch.setitem(solvers.SOLVERS, solvers.FAST, broken)
    ledger.fault()
    with Leftovers() as left:
        job = training.TrainingJob(TrainConfig(train_size=500), split).start()
        assert job.wait(60)
    assert job.result is None and job.notice is None
    assert job.error.startswith("Training failed (RuntimeError: the solver fell over)")
    assert left.threads == [] and left.fits == []


@pytest.mark.parametrize("how", ["stop", "owner gone"])
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_stopped_or_abandoned_sklearn_fit_ends_at_once_and_keeps_nothing(split, how, ledger):
    alive = [True]
    store = FitStore()
    with Leftovers() as left:
        job = training.TrainingJob(ENDLESS, split, store=store,
                                   owner_alive=lambda: alive[0]).start()
        child = wait_for_fitting_child()
        ledger.fault()
        t0 = time.monotonic()
        if how == "stop":
            job.stop()
        else:
            alive[0] = False  # the tab was closed
        assert job.wait(60)
        waited = time.monotonic() - t0
    assert not child.is_running() or child.status() == "zombie"
    assert left.threads == [] and left.fits == []
    assert job.result is None and job.error is None
    assert "nothing was kept" in job.notice and "previous model is kept" in job.notice
    assert job.abandoned == (how == "owner gone")
    # an abandoned fit waits ABANDON_AFTER_S for a reconnect; a stopped one does not wait
    assert (waited >= jobs.ABANDON_AFTER_S) == (how == "owner gone")
    assert len(store.fits) == 0


def test_an_abandoned_fast_fit_stops_too(split, ledger, monkeypatch):
    monkeypatch.setattr(jobs, "ABANDON_AFTER_S", 0.0)  # a fast fit is over in a second
    config = TrainConfig(solver=solvers.FAST, max_iter=5000)
    ledger.fault()
    with Leftovers() as left:
        job = training.TrainingJob(config, split, owner_alive=lambda: False).start()
        assert job.wait(60)
    assert job.abandoned and left.threads == []
    assert job.result.stopped and job.result.fit.n_iter < config.max_iter


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_waiter_whose_leader_was_stopped_fits_by_itself(split, ledger):
    # Two sessions asked for the same sklearn fit; the one that runs it presses Stop: the other
    # must not inherit the Stop (it fits by itself), and nothing half-done is stored.
    store = FitStore()
    # Long enough to be caught fitting (a forked child has nothing to import: a short fit
    # could end before it is seen busy), and stopped long before it ends.
    config = TrainConfig(solver="lbfgs", max_iter=400, tol=1e-12, train_size=5000)
    leader = training.TrainingJob(config, split, store=store).start()
    wait_for_fitting_child(cpu_seconds=0.3)
    follower = training.TrainingJob(config, split, store=store).start()
    time.sleep(0.3)  # the follower is waiting on the leader's flight
    ledger.fault()
    with Leftovers() as left:
        leader.stop()
        assert leader.wait(60) and follower.wait(120)
    assert leader.notice and leader.result is None
    assert follower.error is None and follower.notice is None, follower.error
    assert follower.result is not None and np.isfinite(follower.result.evaluation.accuracy)
    assert left.threads == [] and left.fits == []
