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
