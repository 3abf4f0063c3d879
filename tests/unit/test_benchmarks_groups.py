"""The benchmarks put the test's browsers' scheduling group behind (or level with) the server's:
with autogroup on, a session's group is what the kernel ranks first (benchmarks.common)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks.common import group_behind

AUTOGROUP = Path("/proc/self/autogroup")


def nice_of_group(pid: int) -> str:
    return Path(f"/proc/{pid}/autogroup").read_text().split()[-1]


@pytest.mark.skipif(not AUTOGROUP.exists(), reason="a kernel without autogroup")
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_in_its_own_session_gets_the_nice_and_the_servers_group_is_left_alone():
    browser = subprocess.Popen(["sleep", "30"], start_new_session=True)  # as Chromium does
    server = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        before = nice_of_group(server.pid)
        group_behind(7, {server.pid})
        assert nice_of_group(browser.pid) == "7"
        assert nice_of_group(server.pid) == before
        assert AUTOGROUP.read_text().split()[-1] == before  # this process's own group too
    finally:
        for p in (browser, server):
            p.kill()
            p.wait()
