"""The server's own clock for benchmarks/class_train (pages/shared/timing.py): one line per
finished job when DIGITLAB_TIMING_LOG is set, none otherwise."""

from __future__ import annotations

import time
from types import SimpleNamespace

from pages.shared import timing


def job(running=False, queued_s=None):
    now = time.monotonic()
    ticket = None if queued_s is None else SimpleNamespace(started=now - 2.0 + queued_s)
    return SimpleNamespace(running=running, started=now - 2.0, ticket=ticket)


def test_a_finished_jobs_line_is_written_once_with_its_time_in_the_queue(monkeypatch, capsys):
    monkeypatch.setenv(timing.ENV, "1")
    done = job(queued_s=0.5)
    timing.result_drawn(done, "train")
    timing.result_drawn(done, "train")  # the next rerun draws the same result: no second line
    timing.result_drawn(job(running=True), "train")  # still fitting: nothing yet
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    prefix, what, total, queued = lines[0].split()
    assert (prefix, what) == (timing.PREFIX, "train")
    assert float(total) >= 2.0 and abs(float(queued) - 0.5) < 1e-6


def test_nothing_is_written_without_the_setting(monkeypatch, capsys):
    monkeypatch.delenv(timing.ENV, raising=False)
    timing.result_drawn(job(), "train")
    timing.result_drawn(None, "train")
    assert capsys.readouterr().err == ""
