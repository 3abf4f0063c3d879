"""Sweeps on small synthetic data: the grid is checked with a sentence, the plan makes an lbfgs
curve along C one batch (fitted side by side, agreeing with scikit-learn's own fits) and cuts
other curves into chains, which warm-start and agree with cold fits; a stop keeps what is
finished; the result reads as rows, CSV, JSON and a figure."""

from __future__ import annotations

import json
import math
import os
import sys
import threading

import matplotlib.pyplot as plt
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from digitlab.model.config import ConfigError
from digitlab.plots import charts as plots
from digitlab.plots.sweep import sweep_figure
from digitlab.runtime import threads
from digitlab.sweeps import fit as sweep_fit
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps import spec as sweep
from digitlab.sweeps.plan import chains
from digitlab.sweeps.spec import SweepSpec, parse_list

BASE = sweep.BASE


def run(spec, blobs, **kw):
    X_train, y_train, X_test, y_test = blobs
    return sweep_run.run(spec, X_train, y_train, X_test, y_test, side=4, **kw)


# --- the grid ----------------------------------------------------------------------------------


@pytest.mark.parametrize("values, says", [
    ((), "The list of C values is empty"),
    ((0.1, -1.0), "C must be positive"),
    ((0.0,), "C must be positive"),
    ((math.nan,), "holds nan"),
    ((math.inf,), "no place on a log axis"),
    (("a",), "is not a number"),
])
def test_a_bad_C_grid_is_refused_with_a_sentence(values, says):
    with pytest.raises(ConfigError, match=says):
        SweepSpec(values=values)


@pytest.mark.parametrize("text, says", [
    ("", "empty"), (" , ,", "empty"), ("0.1, ten", "'ten' in the C list is not a number"),
])
def test_a_typed_grid_is_parsed_or_refused_with_a_sentence(text, says):
    with pytest.raises(ConfigError, match=says):
        parse_list(text)


def test_a_typed_grid_is_read_sorted_and_without_repeats():
    assert parse_list("1, 0.01;1e-3 ,0.01") == (1.0, 0.01, 0.001, 0.01)
    assert SweepSpec(values=parse_list("1, 0.01;1e-3 ,0.01")).values == (0.001, 0.01, 1.0)


def test_training_sizes_are_whole_numbers_of_at_least_ten():
    assert SweepSpec(x="train_size", values=(300.0, 100)).values == (100, 300)
    for bad in ((5,), (100.5,)):
        with pytest.raises(ConfigError, match="whole numbers of at least 10"):
            SweepSpec(x="train_size", values=bad)
    for bad in ((math.inf,), "1e400", "inf"):  # was an OverflowError (int(inf))
        with pytest.raises(ConfigError, match="inf is not"):
            SweepSpec(x="train_size", values=bad)


def test_every_point_is_a_valid_config_or_the_point_is_named():
    with pytest.raises(ConfigError, match=r"At C=1, l1_ratio=0.5: solver 'lbfgs' only supports"):
        SweepSpec(values=(1.0,), series="l1_ratio", series_values=(0.0, 0.5))
    spec = SweepSpec(values=(1.0,), series="l1_ratio", series_values=(0.0, 0.5),
                     base=BASE.replace(solver="saga"))
    assert [c.l1_ratio for *_, c in spec.configs()] == [0.0, 0.5]


def test_the_early_stopping_solver_is_refused_with_the_reason():
    with pytest.raises(ConfigError, match="stops early on held-out accuracy"):
        SweepSpec(base=BASE.replace(solver="digitlab-fast"))


def test_too_many_fits_and_a_bad_comparison_are_refused():
    with pytest.raises(ConfigError, match="at most"):
        SweepSpec(values=tuple(10.0 ** k for k in np.linspace(-4, 4, 31)), series="deskew",
                  series_values=(False, True))
    with pytest.raises(ConfigError, match="Compare by one of"):
        SweepSpec(series="C", series_values=(1.0,))


# --- the plan ----------------------------------------------------------------------------------


def test_an_lbfgs_curve_along_C_is_one_piece_fitted_side_by_side():
    half_decades = SweepSpec(values=tuple(float(f"{c:.3g}") for c in np.logspace(-3, 1, 9)))
    for workers in (1, 2, 4):
        assert chains(half_decades, workers) == [list(range(9))]
    assert chains(SweepSpec(warm_start=False), 2) == [list(range(9))]  # cold anyway
    two = SweepSpec(values=(0.1, 1.0, 10.0), series="deskew", series_values=(False, True))
    assert chains(two, 2) == [[0, 1, 2], [3, 4, 5]]  # one batch per curve (its own rows)
    assert "side by side" in half_decades.stopping_rule("lbfgs")
    mixed = SweepSpec(values=(0.1, 1.0, 10.0), series="solver", series_values=("lbfgs", "sag"))
    assert chains(mixed, 4) == [[0, 1, 2], [3, 4], [5]]  # sag's curve keeps its chains


def test_chains_cut_each_curve_into_contiguous_pieces_of_even_cost():
    sag = BASE.replace(solver="sag")
    half_decades = SweepSpec(values=tuple(float(f"{c:.3g}") for c in np.logspace(-3, 1, 9)),
                             base=sag)
    assert chains(half_decades, 1) == [list(range(9))]
    # the slow fits are at large C: the last piece is short (measured best on 10,000 images)
    assert chains(half_decades, 2) == [[0, 1, 2, 3, 4, 5, 6], [7, 8]]
    assert chains(half_decades, 4) == [[0, 1, 2, 3, 4], [5, 6], [7], [8]]
    # no more pieces than make the slowest one shorter: the rest stay warm-started
    assert chains(half_decades, 20) == chains(half_decades, 4)
    assert chains(SweepSpec(base=sag), 3) == [[0, 1, 2, 3, 4, 5, 6, 7], [8]]  # 8 alone: most
    # a learning curve's fits cost about as many rows as they fit (lbfgs too: not one batch)
    sizes = SweepSpec(x="train_size", values=(100, 300, 1000, 3000, 10_000))
    assert chains(sizes, 2) == [[0, 1, 2, 3], [4]]
    two = SweepSpec(values=(0.1, 1.0, 10.0), series="deskew", series_values=(False, True),
                    base=sag)
    assert chains(two, 2) == [[0, 1, 2], [3, 4, 5]]  # one chain per curve
    assert chains(SweepSpec(warm_start=False, base=sag), 2) == [[i] for i in range(9)]


# --- fitting -----------------------------------------------------------------------------------


def test_a_sweep_reports_every_point_once_and_fits_an_lbfgs_curve_side_by_side(blobs):
    seen = []
    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1.0, 10.0))
    result = run(spec, blobs, where=sweep_run.Where(n_jobs=2), on_point=seen.append)
    assert sorted(p.index for p in seen) == [0, 1, 2, 3, 4] and not result.stopped
    assert result.chains == ((0, 1, 2, 3, 4),) and result.where == "local cores: 2 threads"
    assert [p.warm_from for p in result.points] == [None] * 5
    assert all(p.converged and p.n_train == 400 for p in result.points)
    train = [p.train_accuracy for p in result.points]
    assert train[0] < train[-1]  # a weaker penalty fits the training rows better


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_a_sweep_in_a_thread_is_background_work_and_the_caller_keeps_its_priority(blobs):
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # 0, or a niced run's
    nice = []  # the priority of the thread that reports each point: the sweep's worker

    def seen(point):
        nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    job = threading.Thread(target=run, args=(SweepSpec(values=(0.01, 1.0)), blobs),
                           kwargs={"where": sweep_run.Where(n_jobs=2), "on_point": seen})
    job.start()  # as the app's SweepJob runs a sweep: in a thread of its own
    job.join()
    assert nice == [threads.BACKGROUND_NICE] * 2
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_side_by_side_fits_agree_with_scikit_learns_own_fits(blobs):
    """The same solver and stopping rule as LogisticRegression(solver="lbfgs") fitted alone:
    the same models within the solver's tolerance, and the same numbers on 1 or 2 threads."""
    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1.0, 10.0))
    two = run(spec, blobs, where=sweep_run.Where(n_jobs=2))
    one = run(spec, blobs, where=sweep_run.Where(n_jobs=1))
    data = sweep_run.sweep_data(spec, *blobs[:2], *blobs[2:], side=4)
    for a, b, point in zip(two.points, one.points, sweep.points(spec)):
        assert (a.n_iter, a.objective, a.test_accuracy) == (b.n_iter, b.objective,
                                                            b.test_accuracy)
        if point.x not in (0.001, 0.1, 10.0):  # both ends and the middle: a child fit each
            continue
        with threadpool_limits(1):  # OpenMP's spinning threads: slow on busy cores
            alone = sweep_fit.fit_point(data, point)  # scikit-learn's fit, cold
        # the same minimiser, not the same path: iteration counts differ with the CPU's
        # rounding (side by side, a product over 5 fits' columns rounds unlike one fit's)
        assert a.converged and alone.converged
        assert a.objective == pytest.approx(alone.objective, rel=1e-5)
        assert abs(a.test_accuracy - alone.test_accuracy) <= 1 / 300


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_warm_started_and_cold_sweeps_agree_within_the_solvers_tolerance(blobs):
    """Chains (here of newton-cg, whose curve is not fitted side by side) warm-start: from the
    second point on, and extrapolated along log C from the third (a child fit each)."""
    spec = SweepSpec(values=(0.001, 0.1, 10.0),
                     base=BASE.replace(solver="newton-cg"))
    with threadpool_limits(1):
        warm = run(spec, blobs, where=sweep_run.Where(n_jobs=1))
        cold = run(SweepSpec(values=spec.values, base=spec.base, warm_start=False), blobs,
                   where=sweep_run.Where(n_jobs=1))
    assert [p.warm_from for p in warm.points] == [None, 0.001, 0.1]
    assert [p.warm_from is None for p in cold.points] == [True] * 3
    for w, c in zip(warm.points, cold.points):
        assert w.objective == pytest.approx(c.objective, rel=1e-5)
        assert abs(w.test_accuracy - c.test_accuracy) <= 1 / 300


def test_a_stop_keeps_the_finished_points(blobs, result):
    stop = threading.Event()

    def first_then_stop(point):
        stop.set()

    before = threading.active_count()
    stopped = run(result.spec, blobs, where=sweep_run.Where(n_jobs=2),
                  on_point=first_then_stop, should_stop=stop.is_set)
    # side by side, the fits that end in the same round as the first are kept too; which C
    # ends first depends on the CPU's rounding, so: a set of whole points, not a named one
    assert stopped.stopped and 1 <= len(stopped.points) < 5 and stopped.planned == 5
    kept = [p.index for p in stopped.points]
    assert kept == sorted(set(kept)) and set(kept) <= set(range(5))
    for p in stopped.points:  # each the point an unstopped sweep makes, whole
        whole = result.points[p.index]
        assert p.x == whole.x == result.spec.values[p.index] and p.converged
        assert p.n_train == whole.n_train and p.coef.shape == whole.coef.shape
        assert p.objective == pytest.approx(whole.objective, rel=1e-9)
        assert p.test_accuracy == pytest.approx(whole.test_accuracy, abs=1e-9)
    assert threading.active_count() == before  # every fit's thread has ended


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_stop_ends_a_chain_before_its_next_fit(blobs):
    stop = threading.Event()
    with threadpool_limits(1):
        result = run(SweepSpec(values=(0.001, 0.01, 0.1, 1.0),
                               base=BASE.replace(solver="newton-cg")),
                     blobs, where=sweep_run.Where(n_jobs=1), on_point=lambda p: stop.set(),
                     should_stop=stop.is_set)
    assert result.stopped and len(result.points) == 1 and result.points[0].x == 0.001


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_learning_curve_fits_the_first_n_rows(blobs):
    result = run(SweepSpec(x="train_size", values=(50, 400)), blobs,
                 where=sweep_run.Where(n_jobs=1))
    assert [p.n_train for p in result.points] == [50, 400]
    with pytest.raises(ConfigError, match="has 400 images"):
        run(SweepSpec(x="train_size", values=(50, 500)), blobs)


def test_the_scheduler_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.setenv(sweep_run.SCHEDULER_ENV, "tcp://10.1.2.3:8786")
    assert sweep_run.Where.from_env().scheduler == "tcp://10.1.2.3:8786"
    assert sweep_run.Where.from_env("tcp://h:1").scheduler == "tcp://h:1"
    monkeypatch.setenv(sweep_run.SCHEDULER_ENV, "  ")
    assert sweep_run.Where.from_env().scheduler is None
    assert "this machine's cores" in sweep_run.Where.from_env(n_jobs=2).describe()


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, True])
def test_fits_at_a_time_is_a_whole_number_of_at_least_one(n_jobs):
    with pytest.raises(ConfigError, match="must be a whole number of at least 1"):
        sweep_run.Where(n_jobs=n_jobs)


def test_more_fits_at_a_time_than_a_sweep_can_have_start_no_more_threads():
    # 10**20 threads was "can't start new thread"; a sweep has at most MAX_POINTS fits
    assert sweep_run.Where(n_jobs=10**20).local_jobs() == sweep.MAX_POINTS
    assert sweep_run.Where(n_jobs=3).local_jobs() == 3


# --- the result --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(blobs):
    return run(SweepSpec(values=(0.001, 0.01, 0.1, 1.0, 10.0)), blobs,
               where=sweep_run.Where(n_jobs=2))


def test_the_result_reads_as_rows_csv_and_json(result):
    rows = result.rows()
    assert list(rows[0]) == list(sweep.COLUMNS) and [r["C"] for r in rows] == list(
        result.spec.values)
    csv = result.to_csv().splitlines()
    assert csv[0] == ",".join(sweep.COLUMNS) and len(csv) == 6
    out = json.loads(json.dumps(result.summary()))
    assert {"C", "train_accuracy", "test_accuracy", "fit_seconds"} <= set(out["results"][0])
    assert out["where"] == "local cores: 2 threads" and out["planned"] == 5
    assert "lbfgs runs to convergence" in out["stopping_rules"]["lbfgs"]
    best = result.best()
    assert out["best"]["test_accuracy"] == max(p.test_accuracy for p in result.points)
    assert best.test_accuracy == out["best"]["test_accuracy"]


def test_the_figure_marks_the_best_point_and_names_both_sides(result):
    fig = sweep_figure(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel().startswith("C")
    assert ax.get_ylabel() == "accuracy"
    texts = " ".join(t.get_text() for t in ax.texts)
    best = result.best()
    if best.x > min(result.spec.values):
        assert "under-fitting" in texts
    if best.x < max(result.spec.values):
        assert "over-fitting" in texts
    assert f"best: C={best.x:g}" in texts
    assert {"train", "test"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    png = plots.to_png(fig)
    assert png.startswith(b"\x89PNG") and not plt.get_fignums()  # rendered and closed


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_learning_curve_figure_names_the_gap(blobs):
    r = run(SweepSpec(x="train_size", values=(30, 100, 400)), blobs,
            where=sweep_run.Where(n_jobs=1))
    fig = sweep_figure(r)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training images"
    assert "gap = over-fitting" in " ".join(t.get_text() for t in ax.texts)
    plt.close(fig)


def test_a_spec_goes_through_json_and_comes_back_the_same():
    spec = SweepSpec(x="train_size", values=(50, 400), series="deskew",
                     series_values=(False, True), base=BASE.replace(C=math.inf))
    assert SweepSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
