"""`python -m benchmarks.training`: a seconds-long --quick run (3,000 training images, target
0.85, in process) must give every row, the ratios and the targets. The figures themselves are
not asserted (timings are for the bench to print, not for tests to check)."""

from __future__ import annotations

import json

import pytest

from benchmarks import common
from benchmarks import training as bench


@pytest.fixture(scope="module")
def quick_report():
    args = bench.build_parser().parse_args(["--quick"])
    args.train_size, args.test_size = 3000, 2000
    args.target, args.repeats, args.drawings = 0.85, 1, 10
    args.time_limit, args.scan_budget, args.in_process = 1.0, 5.0, True
    return bench.run(args)


def test_quick_run_has_every_row_with_sane_figures(quick_report):
    rows = {r["key"]: r for r in quick_report["rows"]}
    assert set(rows) == {"a", "a32", "b", "c", "c'", "g", "g2", "d", "e", "f"}
    for r in rows.values():
        assert 0.1 < r["accuracy"] <= 1, r
        assert r["peak_mb"] is None or r["peak_mb"] > 10
    assert rows["a"]["converged"] and rows["a"]["fit_s"] > 0
    assert rows["d"]["accuracy"] > 0.85 and rows["d"]["to_target_s"] is not None
    assert rows["b"]["cap_epochs"] >= 1 and rows["b"]["time_limit"] == 1.0
    # a sag scan stops at the first epoch count that reaches the target
    scan = rows["c"]["scan"]
    assert all(acc < 0.85 for _, _, acc in scan[:-1])


def test_lbfgs_time_to_target_comes_from_recorded_iterates(quick_report):
    a = next(r for r in quick_report["rows"] if r["key"] == "a")
    times = [t for t, _ in a["curve"]]
    assert len(times) == int(a["iters"].split()[0])
    assert times == sorted(times)
    assert min(abs(t - a["to_target_s"]) for t in times) < 1e-3


def test_ratios_and_targets_are_computed_against_row_a(quick_report):
    keys = {q["key"] for q in quick_report["ratios"]}
    assert {"a", "d"} <= keys
    names = " ".join(t["target"] for t in quick_report["targets"])
    for words in ("1/10 of (a)", "1/3 of (d)", "repeated config", "1.5 GB", "20 ms"):
        assert words in names
    assert all(t["met"] in (True, False) for t in quick_report["targets"])


def test_ablation_and_drawing_timings_are_reported(quick_report):
    changes = [q["change"] for q in quick_report["ablation"]]
    assert any("float64" in c for c in changes) and any("warm start" in c for c in changes)
    drawing = quick_report["drawing"]
    assert drawing["n"] == 10 and drawing["predict_ms"] > 0


def test_the_report_prints_as_a_table_and_as_json(quick_report):
    text = bench.format_report(quick_report)
    assert "to target s" in text and "targets:" in text and "against (a):" in text
    json.loads(json.dumps(quick_report, default=common.jsonable))
