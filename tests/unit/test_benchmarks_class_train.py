"""benchmarks.class_train without a server or a browser: bad options are a sentence, each
session's lesson link reads back to its own settings, the summary counts a session without a
result as not reached, the goals are judged only at their N, and the sampler measures a real
process tree and ends what it leaves by PID. (Its runs: `python3 run.py bench class_train`.)"""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import numpy as np
import psutil
import pytest

from benchmarks import class_sessions as sessions
from benchmarks import class_train as bench
from benchmarks.class_sessions import Burst
from digitlab.lab import links
from digitlab.model.config import TrainConfig
from digitlab.sweeps.spec import DEFAULT_CS, parse_list


@pytest.mark.parametrize("argv, says", [
    (["--sessions", "0"], "--sessions must be from 1"),
    (["--sessions", "61"], "--sessions must be from 1"),
    (["--sessions", "ten"], "invalid int value"),
    (["--scenarios", "train,dance"], "dance is not one"),
    (["--scenarios", ","], "--scenarios must name some of"),
    (["--timeout", "0"], "--timeout must be a positive"),
    (["--timeout", "nan"], "--timeout must be a positive"),
    (["--client-nice", "20"], "--client-nice must be from 0 to 19"),
    (["--port", "80"], "--port must be from 1024 to 65535"),
    (["--scenarios", "sweep", "--rbf-third"], "--rbf-third is for the train scenario"),
])
def test_bad_options_are_a_sentence_before_anything_starts(argv, says, capsys):
    with pytest.raises(SystemExit) as e:
        bench.main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and says in err and "Traceback" not in err


def test_options_choose_scenarios_in_order_and_each_its_own_default_n():
    args = bench.options(["--scenarios", "save, train"])
    assert args.chosen == ["train", "save"]
    assert [bench.sessions_for(args, s) for s in args.chosen] == [20, 30]
    assert [bench.nice_for(args, s) for s in bench.SCENARIOS] == [0, 19, 0]
    args = bench.options(["--scenarios", "sweep", "--sessions", "3", "--client-nice", "5"])
    assert bench.sessions_for(args, "sweep") == 3 and bench.nice_for(args, "sweep") == 5


@pytest.mark.parametrize("n", [1, 2, 10, 20, 31])
def test_each_session_has_its_own_c_log_uniform_from_0_001_to_10(n):
    cs = bench.class_cs(n)
    assert len(cs) == n == len(set(cs))
    assert all(bench.C_LOW <= c <= bench.C_HIGH for c in cs)
    if n > 1:
        assert (cs[0], cs[-1]) == (bench.C_LOW, bench.C_HIGH)
        steps = np.diff(np.log10(cs))  # evenly spaced in log C, up to 3-digit rounding
        assert np.allclose(steps, 4 / (n - 1), atol=3e-3)


@pytest.mark.parametrize("n, rbf", [(20, 6), (10, 3), (2, 0), (3, 1)])
def test_a_third_use_rbf_and_everything_else_is_the_fast_preset(n, rbf):
    configs = bench.class_configs(n, rbf_third=True)
    assert sum(c.features == "rbf" for c in configs) == rbf
    for c in configs:
        assert c.replace(C=1.0, features="pixels") == TrainConfig()
    assert all(c.features == "pixels" for c in bench.class_configs(n))


def test_each_lesson_link_reads_back_to_its_sessions_settings():
    configs = bench.class_configs(10, rbf_third=True)
    urls = bench.lesson_links("http://127.0.0.1:8641/", configs)
    for url, config in zip(urls, configs):
        parts = urlsplit(url)
        assert parts.path == "/train"
        read = links.read({k: v[-1] for k, v in parse_qs(parts.query).items()})
        assert read.problems == () and read.config() == config


def test_the_spread_counts_a_session_without_a_result_as_later_than_all():
    s = bench.spread([3.0, 1.0, 2.0])
    assert (s.first, s.median, s.last, s.finished, s.failed) == (1.0, 2.0, 3.0, 3, 0)
    s = bench.spread([4.0, 1.0, None, 2.0])  # even N: the mean of the middle two
    assert (s.first, s.median, s.last, s.finished) == (1.0, 3.0, None, 3)
    s = bench.spread([1.0, None, 5.0], ["", "", "ValueError: ParseException"])
    assert (s.first, s.median, s.last, s.failed) == (1.0, None, None, 1)
    assert bench.spread([]) == bench.Spread(None, None, None, 0, 0)


def burst(scenario="train", n=20, times=None, **kw) -> Burst:
    times = times if times is not None else [float(i + 1) for i in range(n)]
    return Burst(scenario, n, times, [""] * n, spread_s=0.4, tree_rss_mb=900.0, **kw)


def verdicts(rows) -> dict[str, str]:
    return {r[0]: r[3] for r in rows}


def test_train_goals_are_judged_at_n_20_with_pixels_only():
    met = verdicts(bench.train_rows(burst(times=[1.0] * 20), (24.0, 1.2, 20.0)))
    assert met["first result"] == met["median result"] == met["last result"] == "met"
    assert met["peak memory, process tree RSS"] == "met"
    slow = verdicts(bench.train_rows(burst(times=[55.0 + i for i in range(20)]), None))
    assert slow["first result"] == slow["last result"] == "missed"
    for b in (burst(n=10), burst(notes={"rbf_third": True})):
        assert set(verdicts(bench.train_rows(b, None)).values()) <= {""}
    b = burst(notes={"server_times": [(2.0, 0.5), (4.0, 1.5)]})
    b.server_cpu_s = 40.0
    rows = bench.train_rows(b, (24.0, 1.2, 20.0))
    assert ("floor: the 20 fits one after another", "24.0 s",
            "median 1.20 s a fit; 20.0 CPU s in all", "") in rows
    assert ("server tree CPU s / the floor's CPU s", "2.0x", "1x: nothing but the fits",
            "") in rows
    clock = {r[0]: r[1] for r in rows}
    # two of twenty results by the server's clock: the median and the last not reached
    assert clock["server's clock: press's run to result drawn"].startswith("2.0 s / not reached")
    assert clock["  of which queued, median"] == "1.0 s"


def test_sweep_goals_need_every_sweep_without_error_within_8x_one_alone():
    ok = verdicts(bench.sweep_rows(burst("sweep", 8, [10.0 * (i + 1) for i in range(8)]), 10.0))
    assert ok["sweeps finished"] == ok["last sweep"] == "met"
    late = burst("sweep", 8, [100.0] * 7 + [None])
    assert verdicts(bench.sweep_rows(late, 10.0))["sweeps finished"] == "missed"
    broken = burst("sweep", 8, [10.0] * 8)
    broken.errors[3] = "The Sweep page hit a problem it did not expect"
    assert verdicts(bench.sweep_rows(broken, 10.0))["sweeps finished"] == "missed"
    assert "session 3: The Sweep page hit a problem" in bench.errors_block(broken)


def test_save_counts_records_against_n():
    b = burst("save", 10, notes={"records": 1, "said": {"saved": 1, "already saved": 9}})
    rows = bench.save_rows(b)
    assert verdicts(rows)["records in the class set"] == "missed"
    assert "already saved: 9, saved: 1" in bench.table("t", rows)
    b.notes["records"] = 10
    assert verdicts(bench.save_rows(b))["records in the class set"] == "met"


# The sampler's figures, as outcome() reads them
WATCH = SimpleNamespace(tree_rss_mb=1.0, peak_mb=2.0, peak_server_mb=3.0, start_rss_mb=4.0,
                        max_sweeps=0, server_cpu=5.0, client_cpu=6.0, wall=7.0,
                        load0=0.5, load1=0.7)


def test_the_pages_readings_become_times_errors_and_what_each_page_said():
    states = [[1000, [3500, "check_circleSaved as a 1 (#1). Thank you!"], None, None],
              [1200, [2200, "check_circleAlready saved as a 1 (#1); nothing changed."], None, None],
              [1100, None, [9100, "ValueError:   ParseException"], None],
              [None, None, None, None],
              [1300, None, None, None]]
    b = sessions.outcome("save", states, WATCH)
    assert b.times == [2.5, 1.0, 8.0, None, None]
    assert b.errors == ["", "", "ValueError: ParseException", "its press did not reach the page",
                        ""]
    assert b.notes["said"] == {"saved": 1, "already saved": 1}
    assert b.spread_s == pytest.approx(0.3)
    assert bench.errors_block(b).endswith("session 4: no result after the timeout")
    # what a page showed instead, when the burst could read it, is said beside its timeout
    b.notes["late"] = {4: "Draw Left the queue before its turn came"}
    assert bench.errors_block(b).endswith(
        "session 4: no result after the timeout; its page showed: Draw Left the queue before "
        "its turn came")
    assert "whole_times" not in b.notes  # a save has no "whole result" to wait for


def test_a_train_result_also_times_the_whole_result_where_a_page_drew_it():
    """Train's pages say when the scores showed and when the rest of the result (its report)
    did; the benchmark prints both, the scores first."""
    states = [[1000, [3000, "Test accuracy0.922"], None, 4500],
              [1000, [2000, "Test accuracy0.917"], None, None],  # its report never came
              [1000, None, [2000, "MemoryError"], None]]
    b = sessions.outcome("train", states, WATCH)
    assert b.times == [2.0, 1.0, 1.0]
    assert b.notes["whole_times"] == [3.5, None, None]
    rows = dict((name, value) for name, value, *_ in bench.train_rows(b, None))
    assert rows["the whole result drawn (its report too)"].startswith("3.5 s")


@pytest.mark.process
def test_the_sampler_measures_a_real_tree_and_its_leftovers_end_by_pid():
    code = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(60)']); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        proc = psutil.Process(parent.pid)
        for _ in range(100):
            if proc.children():
                break
            time.sleep(0.05)
        with sessions.Sampler(parent.pid) as w:
            time.sleep(0.6)
        assert w.tree_rss_mb > w.start_rss_mb > 0 and w.peak_mb > 0 and len(w.seen) == 2
        child = next(p for pid, p in w.seen.items() if pid != parent.pid)
    finally:
        parent.kill()
        parent.wait()
    sessions.stop_leftovers(w.seen, parent.pid)  # the grandchild outlived its parent
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


@pytest.mark.process
def test_renice_puts_the_client_behind_and_leaves_the_server_alone():
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    client, server = subprocess.Popen(sleep), subprocess.Popen(sleep)
    try:
        sessions.renice(7, {server.pid})
        assert psutil.Process(client.pid).nice() >= 7
        assert psutil.Process(server.pid).nice() == psutil.Process().nice()
    finally:
        for p in (client, server):
            p.kill()
            p.wait()


def test_each_sweep_session_has_its_own_nine_c_and_the_first_is_the_default():
    cs = [parse_list(sessions.own_cs(i), "C") for i in range(30)]
    assert cs[0] == DEFAULT_CS and len(set(cs)) == 30
    assert all(len(c) == len(DEFAULT_CS) for c in cs)
    # each costs about what the default does: the same C, within a factor of 1.6
    assert all(1 <= c[k] / DEFAULT_CS[k] < 1.6 for c in cs for k in range(len(DEFAULT_CS)))


def test_a_page_without_its_result_is_followed_on_the_server_by_its_lesson_links_c(
        tmp_path, monkeypatch, capsys):
    """The Train page's steps (pages/shared/timing.py) are written only when the benchmark
    turns them on, tagged with the page's C; the benchmark finds a lesson link's steps in the
    server's log and prints the last of them under that session's timeout."""
    from pages.shared import timing

    job = SimpleNamespace(running=True, waiting=lambda: (2, False), result=None)
    monkeypatch.delenv(timing.ENV, raising=False)
    timing.step(timing.tag_of(0.25), "run", job)
    assert capsys.readouterr().err == ""  # off: nothing written
    monkeypatch.setenv(timing.ENV, "1")
    configs = bench.class_configs(3)
    urls = bench.lesson_links("http://127.0.0.1:1", configs)
    for c in (configs[1].C, configs[2].C, configs[1].C):
        timing.step(timing.tag_of(c), "waits", job)
    timing.step(timing.tag_of(configs[1].C), "stopped waiting, no rerun", None)
    log = tmp_path / "server.log"
    log.write_text("Streamlit says hello\n" + capsys.readouterr().err)

    assert sessions.page_tag(urls[1]) == timing.tag_of(configs[1].C)
    assert sessions.page_tag("http://127.0.0.1:1/train") == ""
    assert sessions.page_tag("http://127.0.0.1:1/train?C=oops") == ""
    logged = sessions.steps(log)
    mine = logged[sessions.page_tag(urls[1])]
    assert [s.split(" ", 1)[1] for s in mine] == [
        "waits running=True waiting=True result=False",
        "waits running=True waiting=True result=False",
        "stopped waiting, no rerun no job"]
    assert len(logged[sessions.page_tag(urls[2])]) == 1
    assert sessions.page_tag(urls[0]) not in logged
    assert sessions.steps(tmp_path / "gone.log") == {}

    b = Burst("train", 3, [1.0, None, 2.0], ["", "", ""])
    b.notes["late"] = {1: "Waiting for your turn"}
    b.notes["steps"] = {1: mine}
    b.notes["page_errors"] = {1: ["pageerror Bad delta path index 1"]}
    said = bench.errors_block(b).splitlines()
    assert said[0] == ("  session 1: no result after the timeout; its page showed: "
                       "Waiting for your turn")
    assert said[-2].startswith("    server: ")
    assert said[-2].endswith("stopped waiting, no rerun no job")
    assert said[-1] == "    page: pageerror Bad delta path index 1"
