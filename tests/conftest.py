"""Shared fixtures: the real MNIST (from the verified cache, built once through the PyPI route)
and the tutorial's split, loaded once per session (tests must not mutate these arrays); and the
test kinds.

Every test has a kind, given by its folder and applied as a marker (registered in pyproject.toml):

    tests/unit   small synthetic arrays and pure functions (no MNIST, no Streamlit runtime)
    tests/model  the real MNIST: data integrity, accuracy against baselines, benchmarks
    tests/app    every page through Streamlit's AppTest
    tests/e2e    the real app in headless Chromium

so `pytest -m "not e2e"` is the quick loop and `pytest -m unit` needs no data at all.

A test in tests/unit that starts a child process (a scikit-learn fit runs in one, so do the
class set's writer tests) is of the kind `process` instead: it says so with
`pytest.mark.process`, and is then not `unit`, so `-m unit` stays a minute's loop and
`-m process` runs those. A unit test that starts a process without saying so is an error
(`pytest_runtest_setup`/`_call` below watch `subprocess.Popen`). Every run without `-m` (the
README's `python3 run.py test`, .ci/run) runs all kinds.

Across the kinds, the fault tests (injected failures: unwritable folders, killed writers,
stopped fits, ...) are marked `fault` and the property tests (Hypothesis: hostile arrays,
bytes, settings, files) `property`; both report to the `ledger` (tests/ledger.py), whose line
closes the run.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from digitlab.data import mnist as data

from .ledger import LEDGER, Ledger

TESTS = Path(__file__).resolve().parent
# run.py runs the whole suite as two pytest runs (run.py's `phases`): this file carries the
# first run's counts to the second, whose closing line is then the suite's
CARRY = "DIGITLAB_LEDGER_CARRY"
KINDS = ("unit", "model", "app", "e2e")  # the folders; `process` is a unit test's own mark
MNIST_FIXTURES = {"mnist", "tutorial_split"}


@pytest.fixture(scope="session")
def mnist() -> data.Dataset:
    ds = data.load_mnist(allow_fallback=False)
    ds.X.setflags(write=False)
    ds.y.setflags(write=False)
    return ds


@pytest.fixture(scope="session")
def tutorial_split(mnist):
    """X_train, X_test, y_train, y_test of train_test_split(test_size=0.15, random_state=0)."""
    parts = data.split(mnist.X, mnist.y, test_size=0.15, seed=0)
    for a in parts:
        a.setflags(write=False)
    return parts


@pytest.fixture(scope="session")  # one ledger per run (session-scoped: Hypothesis tests use it)
def ledger() -> Ledger:
    """What the tests tried and injected, for the run's closing line (tests/ledger.py)."""
    return LEDGER


@pytest.hookimpl(trylast=True)  # after the durations and the short summary: the closing line
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_sep("=", LEDGER.line())


def pytest_sessionfinish(session):
    """Under pytest-xdist each worker counts in its own process: it hands its counts to the
    controller, which adds them up (`pytest_testnodedown`) before the closing line. The
    controller hands the total on to the suite's next pytest run, if there is one (CARRY)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["ledger"] = LEDGER.counts()
    elif carry := os.environ.get(CARRY):
        Path(carry).write_text(json.dumps(LEDGER.counts()))


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: called on the controller only
def pytest_testnodedown(node, error):
    LEDGER.add(getattr(node, "workeroutput", {}).get("ledger", {}))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """The tests fit small arrays (at most 10,000 images) next to other work on the machine: a
    second BLAS thread mostly waits for a core there (an lbfgs fit of 10,000 MNIST images took
    36 s with two threads on two busy cores, 3.5 s with one). The app's server in the browser
    tests is another process, left as it runs for a user."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


def pytest_configure(config):
    # The tests' only network route is PyPI, once (then the wheel is cached): never OpenML.
    import tempfile

    from hypothesis import HealthCheck, settings

    # Property tests: bounded example counts (each test sets its own max_examples) and a fixed
    # seed, so the suite's time and its failures are the same on every run.
    settings.register_profile("digitlab", derandomize=True, database=None, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow], print_blob=True)
    settings.load_profile("digitlab")

    os.environ.setdefault("DIGITLAB_NO_OPENML", "1")
    # The class set of this run (app and browser tests save drawings): never the user's own.
    os.environ["DIGITLAB_DB"] = os.path.join(tempfile.mkdtemp(prefix="digitlab-tests-"),
                                             "classset.sqlite3")
    carry = os.environ.get(CARRY)
    if carry and Path(carry).is_file() and not hasattr(config, "workerinput"):
        LEDGER.add(json.loads(Path(carry).read_text()))  # the suite's earlier run's counts


def kind_of(path: Path) -> str | None:
    """The kind of the test file at `path`: the first folder under tests/, if it is a kind."""
    try:
        folder = Path(path).resolve().relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return None
    return folder if folder in KINDS else None


def pytest_collection_modifyitems(config, items):
    """Mark every test with its kind; a test outside the four folders, or a unit test that asks
    for MNIST, is an error rather than a test that `-m` would silently skip or slow down."""
    problems = []
    for item in items:
        kind = kind_of(item.path)
        if kind is None:
            problems.append(f"{item.nodeid}: not in tests/{{{','.join(KINDS)}}}/, so it has "
                            "no kind")
            continue
        if kind == "unit" and item.get_closest_marker("process") is not None:
            kind = "process"  # marked so by the test itself
        item.add_marker(getattr(pytest.mark, kind))
        if kind == "unit" and MNIST_FIXTURES & set(getattr(item, "fixturenames", ())):
            problems.append(f"{item.nodeid}: a unit test uses MNIST; use the synthetic digits "
                            "(tests/unit/conftest.py) or move it to tests/model/")
    if problems:
        raise pytest.UsageError("\n".join(problems))
    # The longest kinds first: pytest-xdist hands tests out in this order, so the seconds-long
    # browser and MNIST tests start while every worker is busy, and the last minute is spent on
    # millisecond unit tests instead of one worker's browser test while the others idle.
    # (A stable sort: the order inside a file stays as written.)
    items.sort(key=lambda item: LONGEST_FIRST.index(_kind_mark(item)))


LONGEST_FIRST = ("e2e", "model", "process", "app", "unit")


def _kind_mark(item) -> str:
    return next(k for k in LONGEST_FIRST if item.get_closest_marker(k) is not None)


def _watching_processes(item):
    """Run a phase of a `unit` test, failing it if it started a child process: such a test
    takes seconds, not milliseconds, and is of the kind `process`."""
    if item.get_closest_marker("unit") is None:
        return (yield)
    from digitlab.runtime.forkclient import ForkServer  # a child forked by the fork server too

    started: list = []
    real, real_spawn = subprocess.Popen.__init__, ForkServer.spawn

    def counting(self, args, *a, **kw):
        started.append(args)
        real(self, args, *a, **kw)

    def spawning(self, module, *a, **kw):
        started.append(module)
        return real_spawn(self, module, *a, **kw)

    subprocess.Popen.__init__ = counting  # type: ignore[method-assign]
    ForkServer.spawn = spawning  # type: ignore[method-assign]
    try:
        result = yield
    finally:
        subprocess.Popen.__init__ = real  # type: ignore[method-assign]
        ForkServer.spawn = real_spawn  # type: ignore[method-assign]
    if started:
        pytest.fail(f"{item.nodeid} is a unit test that started a child process "
                    f"({started[0]!r:.80}): mark it `pytest.mark.process`", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _watching_processes(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _watching_processes(item))
