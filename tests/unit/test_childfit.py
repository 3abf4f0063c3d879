"""scikit-learn's solvers in a child process: the same model as in-process, and a fit that is
stopped, fails, is killed or loses its parent leaves no process and no busy core behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.model.solvers import child as childfit
from digitlab.model.solvers import logistic
from digitlab.runtime import childproc, threads
from digitlab.training import fitting
from tests.support.procs import Leftovers, fit_children, wait_for_fitting_child
from tests.support.threads import InThread

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parents[2]
# sag on raw pixels for as long as it takes: many minutes, unless something ends it
ENDLESS = TrainConfig(solver="sag", max_iter=100_000, tol=1e-12, scaling="raw")


@pytest.fixture(scope="module")
def rows(digit_split):
    X_train, _, y_train, _ = digit_split
    Z = X_train[:2000].astype(np.float32)
    Z.flags.writeable = False
    return Z, y_train[:2000]


def running(proc: psutil.Process) -> bool:
    """Alive and not a zombie (a dead child whose new parent has not reaped it yet)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("solver", ["lbfgs", "sag"])
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_fit_gives_the_in_process_model(rows, solver):
    Z, y = rows
    Z = Z / np.float32(255)
    config = TrainConfig(solver=solver, max_iter=30)
    here, there = solvers.get(solver).build(config), solvers.get(solver).build(config)
    said_here = logistic.run(here, Z, y, solvers.Hooks())
    said_there = childfit.run(there, Z, y, solvers.Hooks())
    assert said_here == said_there
    for name in ("coef_", "intercept_", "classes_", "n_iter_", "n_features_in_"):
        assert np.array_equal(getattr(here, name), getattr(there, name)), name
    assert np.array_equal(here.predict_proba(Z[:100]), there.predict_proba(Z[:100]))


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_warm_started_child_fit_starts_from_the_given_weights(rows):
    Z, y = rows
    Z = Z / np.float32(255)
    config = TrainConfig(solver="lbfgs", max_iter=5)
    first = solvers.get("lbfgs").build(config)
    childfit.run(first, Z, y, solvers.Hooks())
    here, there = (solvers.get("lbfgs").build(config) for _ in range(2))
    init = (first.coef_, first.intercept_)
    logistic.run(here, Z, y, solvers.Hooks(init=init))
    childfit.run(there, Z, y, solvers.Hooks(init=init))
    assert np.array_equal(here.coef_, there.coef_) and there.get_params()["warm_start"]


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_stop_ends_the_child_at_once_and_frees_its_core(rows, ledger):
    Z, y = rows
    stop = threading.Event()
    est = solvers.get("sag").build(ENDLESS)
    with Leftovers() as left:
        fit = InThread(lambda: childfit.run(est, Z, y, solvers.Hooks(should_stop=stop.is_set)))
        child = wait_for_fitting_child()
        # background work: the lowest priority, so a class's drawing sessions come first
        assert child.nice() == threads.BACKGROUND_NICE
        ledger.fault()
        stop.set()
        error = fit.error(60)
        assert not running(child)  # ended and reaped, not left running
    assert os.nice(0) == 0  # the parent (the server) keeps its priority
    assert isinstance(error, fitting.FitStopped)
    assert "nothing was kept" in str(error) and not hasattr(est, "coef_")
    assert left.threads == [] and left.fits == []


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_that_fails_says_why(rows, ledger):
    Z, y = rows
    est = solvers.get("lbfgs").build(TrainConfig(solver="lbfgs"))
    est.set_params(C=-1.0)  # scikit-learn refuses it, in the child
    ledger.fault()
    with Leftovers() as left, pytest.raises(childproc.ChildFitError, match="'C' parameter"):
        childfit.run(est, Z, y, solvers.Hooks())
    assert left.fits == [] and left.threads == []


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_killed_from_outside_is_a_sentence_not_a_hang(rows, ledger):
    Z, y = rows
    est = solvers.get("sag").build(ENDLESS)
    with Leftovers() as left:
        fit = InThread(lambda: childfit.run(est, Z, y, solvers.Hooks()))
        wait_for_fitting_child().kill()  # the kernel's out-of-memory killer, say
        ledger.fault()
        error = fit.error(60)
    assert isinstance(error, childproc.ChildFitError)
    assert "signal 9 (SIGKILL; out of memory?)" in str(error)
    assert left.fits == [] and left.threads == []


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_dies_with_its_parent(ledger):
    # A parent process (a server, a CLI) that starts an endless child fit, then dies hard.
    code = textwrap.dedent("""
        import numpy as np
        from digitlab.model.solvers import child as childfit
        from digitlab.model import solvers
        from digitlab.model.config import TrainConfig
        rng = np.random.default_rng(0)
        Z = rng.integers(0, 256, (2000, 784)).astype(np.float32)
        y = np.arange(2000) % 10
        config = TrainConfig(solver="sag", max_iter=100_000, tol=1e-12, scaling="raw")
        childfit.run(solvers.get("sag").build(config), Z, y, solvers.Hooks())
    """)
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.monotonic() + 300  # it imports, then its fork server: minutes if busy
        while not fit_children(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (child,) = fit_children(parent.pid)
        family = psutil.Process(parent.pid).children(recursive=True)  # and the fork server
        parent.send_signal(signal.SIGKILL)
        ledger.fault()
        parent.wait(10)
        # It ends when it next runs: at nice 19 on a loaded machine (or still importing, before
        # it checks its parent) that can take a while; a minute, not a measure of speed.
        deadline = time.monotonic() + 60
        while any(map(running, family)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(child), "the child fit outlived its parent"
        assert not any(map(running, family)), "the fork server outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
