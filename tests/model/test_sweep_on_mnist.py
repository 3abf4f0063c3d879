"""Sweeps on real MNIST (a small subset): the validation curve shows under- and over-fitting,
the same sweep on a Dask LocalCluster (started here, loopback only) gives the same numbers as
on local cores with its data scattered once, and the `sweep` command prints what it says."""

from __future__ import annotations

import json

import pytest

from digitlab import cli
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps import spec as sweep
from digitlab.sweeps.spec import SweepSpec

SPEC = SweepSpec(values=(1e-3, 1e-2, 0.1, 1.0, 10.0), base=sweep.BASE.replace(train_size=1000))


@pytest.fixture(scope="module")
def local(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    return sweep_run.run(SPEC, X_train, y_train, X_test, y_test, sweep_run.Where(n_jobs=2))


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes on 127.0.0.1, no dashboard; closed after."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c


def test_the_validation_curve_shows_under_and_over_fitting(local):
    pts = local.points
    best = local.best()
    assert pts[0].test_accuracy < best.test_accuracy - 0.03  # too strong a penalty
    assert pts[0].train_accuracy - pts[0].test_accuracy < 0.03  # ... both are low
    assert pts[-1].train_accuracy - pts[-1].test_accuracy > 0.08  # too weak: train >> test
    assert pts[-1].test_accuracy < best.test_accuracy
    assert [p.train_accuracy for p in pts] == sorted(p.train_accuracy for p in pts)
    assert all(p.converged for p in pts)


def test_a_dask_cluster_gives_the_same_numbers_with_the_data_scattered_once(
        local, cluster, tutorial_split, monkeypatch):
    from distributed import Client

    scattered = []
    real_scatter = Client.scatter

    def counting_scatter(self, data, *args, **kwargs):
        scattered.append((type(data).__name__, kwargs.get("broadcast", False)))
        return real_scatter(self, data, *args, **kwargs)

    monkeypatch.setattr(Client, "scatter", counting_scatter)
    X_train, X_test, y_train, y_test = tutorial_split
    seen = []
    remote = sweep_run.run(SPEC, X_train, y_train, X_test, y_test,
                           sweep_run.Where(cluster.scheduler_address), on_point=seen.append)
    assert remote.where.startswith(f"Dask scheduler {cluster.scheduler_address}: 2 workers")
    assert sorted(p.index for p in seen) == [0, 1, 2, 3, 4]  # progress came back per fit
    assert {p.worker for p in remote.points} <= set(cluster.scheduler_info["workers"])
    # the same chains and the same numbers, to the last bit
    assert remote.chains == local.chains
    for r, m in zip(remote.points, local.points):
        assert (r.train_accuracy, r.test_accuracy, r.n_iter, r.objective) == (
            m.train_accuracy, m.test_accuracy, m.n_iter, m.objective)
    # the features went out once, to every worker; nothing else that big was sent
    assert scattered.count(("list", True)) == 1
    assert all(kind != "SweepData" for kind, _ in scattered)


def test_an_unreachable_scheduler_is_a_sentence(tutorial_split, monkeypatch):
    monkeypatch.setattr(sweep_run, "_CONNECT_S", 2)
    X_train, X_test, y_train, y_test = tutorial_split
    with pytest.raises(sweep_run.ClusterError, match="Could not reach a Dask scheduler"):
        sweep_run.run(SweepSpec(values=(1.0,), base=sweep.BASE.replace(train_size=100)),
                      X_train, y_train, X_test, y_test, sweep_run.Where("tcp://127.0.0.1:9"))


def test_the_sweep_command_prints_json_results(mnist, capsys):
    code = cli.main(["sweep", "--C", "0.01,0.1,1", "--train-size", "500", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["C"] for r in out["results"]] == [0.01, 0.1, 1.0]
    assert {"C", "l1_ratio", "train_accuracy", "test_accuracy", "fit_seconds"} <= set(
        out["results"][0])
    assert out["where"].startswith("local cores") and out["stopped"] is False


def test_the_sweep_command_prints_a_table_and_writes_png_and_csv(mnist, capsys, tmp_path):
    code = cli.main(["sweep", "--train-sizes", "100,300", "--C", "1", "--train-size", "300",
                     "--png", str(tmp_path / "c.png"), "--csv", str(tmp_path / "c.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "train acc" in out and "best test accuracy" in out
    assert "ran on:  local cores" in out and "lbfgs runs to convergence" in out
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "c.csv").read_text().splitlines()[0].startswith("C,l1_ratio")


@pytest.mark.parametrize("argv, says", [
    (["--C=-0.1,1"], "C must be positive"),
    (["--C", "-0.1,1"], "C must be positive"),  # not argparse's "expected one argument"
    (["--C", "1", "--l1-ratio", "-0.5"], "l1_ratio must be between 0 (L2) and 1 (L1)"),
    (["--C", ","], "The list of C values is empty"),
    (["--train-sizes", "100,200", "--C", "1,2"], "runs at one C"),
    (["--solver", "lbfgs,sag", "--deskew", "both"], "Compare one setting at a time"),
])
def test_a_bad_sweep_command_is_refused_with_a_sentence(argv, says, capsys):
    assert cli.main(["sweep", *argv]) == 2
    assert says in capsys.readouterr().err
