"""Fits through the fair queue: a fit waits for its turn and says where it stands, identical
fits asked by many sessions take one place and compute once, and leaving runs nothing."""

from __future__ import annotations

import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.runtime.fairqueue import RUNNING, FairQueue, Request
from digitlab.training import fitting
from digitlab.training import session as training
from digitlab.training.store import FitStore

from .test_fairqueue import until

QUICK = TrainConfig(solver=solvers.FAST, max_iter=3, train_size=1000)


@pytest.fixture(scope="module")
def split(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    return training.Split.of(X_train, X_test, y_train, y_test, "synthetic", 28)


def job(split, queue, store, owner, config=QUICK, first=False) -> training.TrainingJob:
    return training.TrainingJob(config, split, store=store, queue=queue, owner=owner,
                                first=first).start()


def test_identical_fits_from_many_sessions_take_one_place_and_compute_once(split):
    queue, store = FairQueue(workers=1), FitStore()
    blocker = queue.submit(Request("someone busy"))  # the only worker is taken
    jobs = [job(split, queue, store, owner) for owner in ("ann", "bob", "cy", "dee")]
    until(lambda: all(j.waiting() is not None for j in jobs))
    assert queue.counts() == (1, 1)  # one waiting entry for the four of them
    assert sorted(shared for _, shared in (j.waiting() for j in jobs)) == [False] + [True] * 3
    queue.done(blocker)
    for j in jobs:
        assert j.wait(60) and j.error is None and j.result is not None, j.error
    assert len({id(j.result.fit.model) for j in jobs}) == 1  # one computation
    assert len(store.fits) == 1 and queue.counts() == (0, 0)


def test_a_waiting_fit_says_its_place_and_runs_when_its_turn_comes(split):
    queue, store = FairQueue(workers=1), FitStore()
    blocker = queue.submit(Request("someone busy"))
    ann = job(split, queue, store, "ann", QUICK.replace(C=0.5))
    bob = job(split, queue, store, "bob", QUICK.replace(C=2.0))
    until(lambda: ann.waiting() is not None and bob.waiting() is not None)
    # each thread takes its place as it reaches the queue: which comes first is the machine's
    assert sorted(j.waiting()[0].ahead for j in (ann, bob)) == [0, 1]
    assert ann.ticket is not None and ann.ticket.request.owner == "ann"
    queue.done(blocker)
    for j in (ann, bob):
        assert j.wait(60) and j.result is not None and j.waiting() is None
    assert queue.estimate(ann.ticket.request) is not None  # their durations are measured


def test_leaving_the_queue_ends_the_job_and_nothing_is_fitted(split):
    queue, store = FairQueue(workers=1), FitStore()
    blocker = queue.submit(Request("someone busy"))
    ann = job(split, queue, store, "ann")
    until(lambda: ann.waiting() is not None)
    ann.leave()
    assert ann.wait(10) and ann.result is None and ann.error is None
    assert "Left the queue" in ann.notice and "previous model is kept" in ann.notice
    assert len(store.fits) == 0 and queue.counts() == (1, 0)
    queue.done(blocker)


def test_the_teachers_fit_waits_ahead_of_the_students(split):
    queue, store = FairQueue(workers=1), FitStore()
    blocker = queue.submit(Request("someone busy"))
    students = [job(split, queue, store, s, QUICK.replace(C=c)) for s, c in
                (("ann", 0.5), ("bob", 2.0))]
    until(lambda: all(j.waiting() is not None for j in students))
    teacher = job(split, queue, store, "teacher", QUICK.replace(C=4.0), first=True)
    until(lambda: teacher.waiting() is not None)
    assert teacher.waiting()[0].ahead == 0
    assert sorted(j.waiting()[0].ahead for j in students) == [1, 2]
    queue.done(blocker)
    until(lambda: teacher.ticket is not None and teacher.ticket.state != "waiting")
    assert teacher.ticket.state in (RUNNING, "done")
    for j in (teacher, *students):
        assert j.wait(60) and j.result is not None


def test_a_fit_without_a_queue_still_fits_through_a_turn_it_is_given(split):
    queue = FairQueue(workers=1)
    result = fitting.fit(QUICK, split.X_train, split.y_train,
                         turn=lambda: queue.turn(Request("cli")))
    assert result.n_train == 1000 and queue.counts() == (0, 0)


def test_only_a_fit_that_had_the_cores_to_itself_is_measured_for_the_estimates(split,
                                                                             monkeypatch):
    from digitlab.training import estimate
    from digitlab.training.estimate import Timings

    # big enough to be measured, however fast the machine fits it
    monkeypatch.setattr(estimate, "MIN_SECONDS_IN_THREAD", 0.0)
    config = QUICK.replace(train_size=5000, max_iter=2)
    queue, timings = FairQueue(workers=1), Timings(seed={})
    blocker = queue.submit(Request("someone busy"))
    ann = training.TrainingJob(config, split, queue=queue, owner="ann", timings=timings).start()
    until(lambda: ann.waiting() is not None)
    behind = queue.submit(Request("bob"))  # still waiting when ann's fit ends
    queue.done(blocker)
    assert ann.wait(60) and ann.result is not None, ann.error
    assert timings.samples(config) is None  # a class's fit: slower than one alone
    queue.done(behind)
    alone = training.TrainingJob(config, split, queue=queue, owner="cy", timings=timings).start()
    assert alone.wait(60) and alone.result is not None, alone.error
    assert timings.samples(config) is not None
