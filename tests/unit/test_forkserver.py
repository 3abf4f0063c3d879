"""The fork server (digitlab.runtime.forkserver): a child it forks does what a new Python does
(the same fit, its last words on failure, the BLAS threads it is given), is ended by end(),
and many start at once; a fork server that dies mid-request leaves the child to Popen. (That
its children die with their parent: tests/unit/test_childfit.py.)"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import numpy as np
import psutil
import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.model.solvers import child as childfit
from digitlab.runtime import childproc, forkclient, threads
from tests.support.procs import fit_children
from tests.support.threads import InThread

pytestmark = [pytest.mark.process,  # every test here starts child processes
              pytest.mark.skipif(not forkclient.available(), reason="the fork server is Linux's")]
SWEEP, FIT = "digitlab.sweeps.child", "digitlab.model.solvers.child"
PROBE = "tests.support.forkprobe"
ENDLESS = TrainConfig(solver="sag", max_iter=100_000, tol=1e-12, scaling="raw")


def refused(proc) -> bytes:
    """A sweep child given no spec: its last words (KeyError: 'spec') at its first line."""
    _, err = proc.communicate(timeout=120)
    return err


@pytest.fixture
def probe_server():
    """A fork server of this test's own, serving tests.support.forkprobe (quick to import)."""
    forks = forkclient.ForkServer(childproc.FORK_SERVER.command, (PROBE,),
                                  childproc._environment)
    yield forks
    forks.close()


def probe(forks: forkclient.ForkServer, **env: str) -> forkclient.ForkedChild | None:
    return forks.spawn(PROBE, {"files": []}, childproc._environment(dict(os.environ, **env)), [])


def test_a_forked_fit_gives_the_model_a_new_python_gives(monkeypatch):
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 12)).astype(np.float32)
    y = np.arange(300) % 4
    config = TrainConfig(solver="lbfgs", max_iter=15)
    forked, spawned = solvers.get("lbfgs").build(config), solvers.get("lbfgs").build(config)
    said_forked = childfit.run(forked, Z, y, solvers.Hooks())
    monkeypatch.setattr(childproc, "FORK_SERVER", None)  # the old way: a new Python
    said_spawned = childfit.run(spawned, Z, y, solvers.Hooks())
    assert said_forked == said_spawned
    for name in ("coef_", "intercept_", "classes_", "n_iter_"):
        assert np.array_equal(getattr(forked, name), getattr(spawned, name)), name


def test_a_crashed_childs_last_words_reach_failure_and_end_releases_a_running_one():
    with childproc.shared_file({}) as shared:
        proc = childproc.start(SWEEP, dict(shared))
        assert isinstance(proc, forkclient.ForkedChild)
        err = refused(proc)
    error = childproc.failure(proc.returncode, err)
    assert proc.returncode == 1 and "KeyError: 'spec'" in str(error)
    # a fit that runs for minutes (sag on raw pixels), ended at once
    rng = np.random.default_rng(0)
    arrays = {"Z": rng.integers(0, 256, (2000, 784)).astype(np.float32),
              "y": np.arange(2000) % 10}
    est = solvers.get("sag").build(ENDLESS)
    with childproc.shared_file(arrays) as shared:
        proc = childproc.start(FIT, {**shared, "params": childfit._params(est), "estimator": [
            type(est).__module__, type(est).__qualname__], "blas_threads": 1})
        child = psutil.Process(proc.pid)
        while child.nice() != threads.BACKGROUND_NICE:  # past its first lines: fitting
            time.sleep(0.02)
        assert child.name() == childproc.NAMES[FIT] and fit_children() == [child]
        childproc.end(proc)
        assert proc.wait(60) == -signal.SIGKILL
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    assert fit_children() == []


def test_many_threads_start_children_at_once():
    words: list[tuple[int, bytes, bool]] = []

    def one():
        with childproc.shared_file({}) as shared:
            proc = childproc.start(SWEEP, dict(shared))
            words.append((proc.pid, refused(proc), isinstance(proc, forkclient.ForkedChild)))

    starting = [threading.Thread(target=one) for _ in range(8)]
    for t in starting:
        t.start()
    for t in starting:
        t.join(120)
    assert len(words) == 8 and len({pid for pid, _, _ in words}) == 8
    assert all(b"KeyError: 'spec'" in err and forked for _, err, forked in words)


def test_a_fork_server_that_dies_mid_request_leaves_the_child_to_popen(probe_server):
    probe_server.warm().join(300)
    zygote = probe_server.pid
    assert zygote is not None
    os.kill(zygote, signal.SIGSTOP)  # it hears the request, and dies before it answers
    asking = InThread(lambda: probe(probe_server))
    os.kill(zygote, signal.SIGKILL)
    assert asking.result(300) is None  # so childproc.start starts it with Popen
    again = probe(probe_server)  # the next child: a new fork server
    assert again is not None and probe_server.pid not in (None, zygote)
    again.communicate(timeout=120)
    assert again.returncode == 0


def test_a_child_has_the_blas_threads_its_environment_gives(probe_server):
    for n in (1, 2):
        proc = probe(probe_server, OMP_NUM_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n))
        assert proc is not None
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        said = json.loads(out)
        assert set(said["given"].values()) == {n}, said
        # what it runs: its BLAS threads beside the one running Python
        assert said["running"] == said["python"] + n - 1, said
