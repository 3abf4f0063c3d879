"""benchmarks.class_train runs end to end in the real browser: two sessions open their own lesson
links on a fresh server, press Train at once, and each page's own clock sees its press and its
Test accuracy (the in-page watcher works on today's page); the server is gone afterwards. What
it measures is for the benchmark to print, not for a test to judge."""

from __future__ import annotations

import psutil

from benchmarks import class_train as bench


def test_a_two_session_train_burst_runs_and_every_page_sees_its_result(mnist, capsys,
                                                                        monkeypatch):
    servers = []
    real = bench.sessions.Sampler

    class Remember(real):  # the server's pid, to check it is gone at the end
        def __init__(self, server_pid: int):
            super().__init__(server_pid)
            servers.append(server_pid)

    monkeypatch.setattr(bench.sessions, "Sampler", Remember)
    code = bench.main(["--scenarios", "train", "--sessions", "2", "--no-baseline",
                       "--timeout", "180"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "train burst: N=2 (pixels)" in out and "first result" in out
    assert "no result by the timeout" not in out and "not reached" not in out, out
    assert "presses, first to last" in out
    assert servers and not any(psutil.pid_exists(pid) for pid in servers)  # stopped, reaped
