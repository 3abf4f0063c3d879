"""Background work's priority: lower_priority marks the calling thread only (Linux), so the
server's own threads keep theirs while a sweep's threads or a child fit yield the cores."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from digitlab.runtime import threads


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_lower_priority_marks_the_calling_thread_only():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # 0, or a niced run's
    seen = {}

    def background():
        threads.lower_priority()
        seen["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    worker = threading.Thread(target=background)
    worker.start()
    worker.join()
    assert seen["worker"] == threads.BACKGROUND_NICE
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


@pytest.mark.parametrize("text, group", [
    ("/autogroup-2026 nice 19\n", ("/autogroup-2026", 19)),
    ("", None),  # a process in a container's CPU cgroup: the file is there and empty (the CI's)
    ("/autogroup-7 nice\n", None),  # anything else the kernel might print: no group read
])
def test_a_scheduling_group_is_read_or_none(monkeypatch, text, group):
    monkeypatch.setattr(threads.Path, "read_text", lambda self: text)
    assert threads.scheduling_group(1234) == group


def test_a_process_that_is_gone_has_no_scheduling_group():
    assert threads.scheduling_group(2**22 + 1) is None  # above Linux's largest pid
