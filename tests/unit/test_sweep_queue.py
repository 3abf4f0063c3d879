"""The app's sweeps through their fair queue: a class's sweeps run one after another (never
more sweep processes at once than the queue has workers), each sweep says its place while it
waits, and leaving the queue runs nothing."""

from __future__ import annotations

import threading

import pytest

from digitlab.runtime import childproc
from digitlab.runtime.fairqueue import FairQueue, Request
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps.job import SweepJob
from digitlab.sweeps.spec import SweepSpec
from digitlab.training.session import Split
from digitlab.training.store import SingleFlightCache
from tests.support.procs import fit_children

from .test_fairqueue import until

pytestmark = [pytest.mark.process,  # every test here runs sweeps in child processes
              pytest.mark.skipif(not childproc.supported(), reason="child processes are POSIX's")]
SPEC = SweepSpec(values=(0.01, 1.0, 100.0))


@pytest.fixture(scope="module")
def split(blobs):
    X_train, y_train, X_test, y_test = blobs
    return Split.of(X_train, X_test, y_train, y_test, "blobs", 4)


def sweep_children() -> int:
    return len(fit_children(kinds=("digitlab.sweeps.child",), recursive=False))


def test_a_class_of_sweeps_runs_one_at_a_time_and_every_one_finishes(split):
    queue = FairQueue(workers=1, total_cores=2)
    most, done = [0], threading.Event()

    def watch():  # counts the sweep processes alive while the sweeps run
        while not done.is_set():
            most[0] = max(most[0], sweep_children())
            done.wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    jobs = [SweepJob(SPEC, split, queue=queue, owner=name).start() for name in "ab"]
    try:
        for job in jobs:
            assert job.wait(120) and job.error is None, job.error
    finally:
        done.set()
        watcher.join()
    assert all(job.result is not None and len(job.result.points) == 3 for job in jobs)
    assert most[0] <= 1 and queue.counts() == (0, 0)
    assert jobs[0].result.workers == 2  # the queue's threads: 2 cores, 1 worker


def test_a_waiting_sweep_says_its_place_and_leaving_runs_nothing(split):
    queue = FairQueue(workers=1)
    blocker = queue.submit(Request("someone busy"))
    job = SweepJob(SPEC, split, queue=queue, owner="ann").start()
    until(lambda: job.waiting() is not None)
    place, shared = job.waiting()
    assert place.ahead == 0 and place.running == 1 and not shared
    job.leave()
    assert job.wait(10) and job.result is None and job.error is None
    assert "Left the queue" in job.notice and sweep_children() == 0
    assert queue.counts() == (1, 0)
    queue.done(blocker)


def test_a_sweep_on_a_dask_cluster_does_not_queue_here(split):
    job = SweepJob(SPEC, split, sweep_run.Where(scheduler="tcp://127.0.0.1:1"),
                   queue=FairQueue(workers=1), owner="ann")
    assert job.queue is None


def test_identical_sweeps_asked_at_once_run_once_and_each_waiting_one_says_so(split):
    # A class pressing Run sweep on the page's default together: one sweep runs (its place
    # shown to all who wait for it), every one gets its points, and a later identical
    # press is answered from the store at once.
    queue, store = FairQueue(workers=1), SingleFlightCache(4)
    blocker = queue.submit(Request("someone busy"))
    jobs = [SweepJob(SPEC, split, queue=queue, owner=name, store=store).start()
            for name in "abc"]
    until(lambda: all(job.waiting() is not None for job in jobs))
    places = [job.waiting() for job in jobs]
    assert [shared for _, shared in places].count(False) == 1  # the one that runs it
    assert all(place.ahead == 0 for place, _ in places)
    assert queue.counts() == (1, 1)  # one place in the line for all three
    queue.done(blocker)
    for job in jobs:
        assert job.wait(120) and job.error is None, job.error
    assert len({id(job.result) for job in jobs}) == 1 and len(jobs[0].result.points) == 3
    assert all(len(job.points) == 3 for job in jobs)  # each followed the points as they came
    assert sorted(str(job.notice) for job in jobs).count("None") == 1
    assert all("Shared one sweep" in job.notice for job in jobs if job.notice)
    later = SweepJob(SPEC, split, queue=queue, owner="dan", store=store).start()
    assert later.wait(10) and later.result is jobs[0].result
    assert "ran here earlier" in later.notice and queue.counts() == (0, 0)


def test_a_sweep_that_differs_in_anything_runs_for_itself(split):
    queue, store = FairQueue(workers=1), SingleFlightCache(4)
    other = SweepSpec(values=(0.01, 1.0, 10.0))
    jobs = [SweepJob(spec, split, queue=queue, owner=name, store=store).start()
            for spec, name in ((SPEC, "ann"), (other, "bob"))]
    for job in jobs:
        assert job.wait(120) and job.error is None and job.notice is None, job.error
    assert jobs[0].result is not jobs[1].result and len(store) == 2


def test_one_who_stops_waiting_for_a_shared_sweep_leaves_it_running_for_the_others(split):
    queue, store = FairQueue(workers=1), SingleFlightCache(4)
    blocker = queue.submit(Request("someone busy"))
    leader = SweepJob(SPEC, split, queue=queue, owner="ann", store=store).start()
    until(lambda: leader.waiting() is not None and leader.ticket is not None)
    follower = SweepJob(SPEC, split, queue=queue, owner="bob", store=store).start()
    until(lambda: follower.waiting() is not None)
    follower.stop()
    assert follower.wait(10) and follower.result is None
    assert "another session's identical sweep" in follower.notice
    queue.done(blocker)
    assert leader.wait(120) and leader.result is not None and not leader.result.stopped
