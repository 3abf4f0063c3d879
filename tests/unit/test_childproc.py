"""digitlab.runtime.childproc: arrays reach a child through anonymous shared files. A shareable
array
(the features a child fit works on) is mapped where it lies, not written again, and its file is
closed when the array goes; the features of solvers that fit in a child are made shareable; an
ended child's memory is released at once."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time

import numpy as np
import psutil
import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.runtime import childproc
from digitlab.training import fitting

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files")


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_shareable_array_is_mapped_where_it_lies_and_only_the_rest_is_written():
    a = np.arange(12_000, dtype=np.float32).reshape(3000, 4)
    s = childproc.shareable(a)
    assert np.array_equal(s, a) and not s.flags.writeable
    y = np.arange(3000)
    with childproc.shared_file({"Z": s[1000:], "y": y}) as part:
        (_, z_size), (_, fresh_size) = part["files"]
        assert z_size == s.nbytes  # the shareable array's own file, not a copy of it
        assert fresh_size == y.nbytes  # the one new file holds only the labels
        got = childproc.mapped(part)
        assert np.array_equal(got["Z"], a[1000:]) and np.array_equal(got["y"], y)
        assert part["layout"]["Z"][1] == 1000 * 4 * 4  # its offset in the shared file
        del got


def test_a_shareable_arrays_file_is_closed_when_the_array_goes():
    gc.collect()
    before = open_files()
    s = childproc.shareable(np.ones((100, 10)))
    view = s[10:]
    assert open_files() > before
    del s
    assert open_files() > before  # the view still holds the mapping
    del view
    gc.collect()
    assert open_files() == before


@pytest.mark.parametrize("solver, shared", [("lbfgs", True), (solvers.FAST, False)])
def test_the_features_of_a_fit_in_a_child_are_shareable(tiny, solver, shared):
    X, y = tiny
    config = TrainConfig(solver=solver)
    _, _, Z, _, _, _ = fitting._features(config, solvers.get(solver), X, y, 28, None, None)
    assert (childproc._in_shareable(Z) is not None) == (shared and childproc.supported())
    assert not Z.flags.writeable


def _cpu_s(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def _starved(pid: int, window_s: float = 0.25) -> bool:
    """Whether the process at `pid` ran for less than a tenth of `window_s` in the next
    `window_s`: whether the hog beside it owns their core."""
    before = _cpu_s(pid)
    time.sleep(window_s)
    return _cpu_s(pid) - before < window_s / 10


def _rss_mb(pid: int) -> float:
    """Resident memory of `pid` in MB; 0 once it has exited (its memory is back either way)."""
    try:
        return psutil.Process(pid).memory_info().rss / 1e6
    except psutil.NoSuchProcess:
        return 0.0


@pytest.mark.process
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process_mrelease is Linux's")
def test_an_ended_child_gives_its_memory_back_without_waiting_to_exit():
    """A killed child at nice 19 on a busy core may wait seconds to exit, holding its memory:
    end() releases it at once (process_mrelease). Here the child and a busy loop share one
    core, as a niced fit and a class's browsers do. Nothing here waits a fixed time: the kill
    comes once the child is seen starved (on a busy machine the hog may take seconds to start
    or to win the core: that was this test's one failure), and the memory is seen given back
    within a deadline."""
    core = {min(os.sched_getaffinity(0))}
    hold = "import numpy; a = numpy.ones(25_000_000); print('ready', flush=True)\n" \
           "while True: a[0] += 1"  # busy, as a fit is
    child = subprocess.Popen([sys.executable, "-c", hold], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    hog = subprocess.Popen([sys.executable, "-c", "print('ready', flush=True)\nwhile True: pass"],
                           stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b"ready"  # 200 MB held
        assert hog.stdout.readline().strip() == b"ready"  # past its start: only the loop left
        assert _rss_mb(child.pid) > 150
        os.sched_setaffinity(child.pid, core)
        os.sched_setaffinity(hog.pid, core)
        os.setpriority(os.PRIO_PROCESS, child.pid, 19)
        deadline = time.monotonic() + 30
        while not _starved(child.pid):  # the hog owns the core
            assert time.monotonic() < deadline, "the busy loop never took the child's core"
        assert childproc.end(child)  # released before the child had exited
        deadline = time.monotonic() + 10
        while _rss_mb(child.pid) > 50:  # and released for real: its 200 MB are back
            assert time.monotonic() < deadline, f"the ended child still holds " \
                                                f"{_rss_mb(child.pid):.0f} MB"
            time.sleep(0.05)
    finally:
        for p in (child, hog):
            p.kill()
        child.communicate()
        hog.communicate()
    assert child.returncode == -9


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_goes_without_pandas_and_scikit_learn_still_fits():
    code = ("import sys; from digitlab.runtime import childproc; sys.meta_path.insert(0, "
            "childproc._Unneeded); import numpy as np; "
            "from sklearn.linear_model import LogisticRegression; "
            "X = np.random.default_rng(0).normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int); "
            "print(LogisticRegression().fit(X, y).score(X, y), 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=childproc._ROOT, timeout=120)
    score, pandas = out.stdout.split()
    assert float(score) > 0.9 and pandas == "False"
