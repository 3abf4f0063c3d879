"""The benchmarks put the test's browsers' scheduling group behind (or level with) the server's:
with autogroup on, a session's group is what the kernel ranks first (benchmarks.common)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.common import ROOT
from digitlab.runtime.threads import scheduling_group

# In a process of its own (group_behind reaches every child of its caller, and a pytest
# worker may hold other tests' servers and browsers): a "browser" and a "server" in sessions
# of their own, as Chromium starts, and one child in the caller's session.
PROBE = """
import json, os, subprocess
from benchmarks.common import group_behind
from digitlab.runtime.threads import scheduling_group
nice = lambda pid: scheduling_group(pid)[1]
browser = subprocess.Popen(["sleep", "30"], start_new_session=True)
server = subprocess.Popen(["sleep", "30"], start_new_session=True)
beside = subprocess.Popen(["sleep", "30"])
try:
    group_behind(7, {server.pid})
    print(json.dumps({"browser": nice(browser.pid), "server": nice(server.pid),
                      "beside": nice(beside.pid), "caller": nice(os.getpid())}))
finally:
    for p in (browser, server, beside):
        p.kill()
        p.wait()
"""


# Where this process is in no autogroup (a kernel without it, or a container's CPU cgroup, as on
# the project's CI: the file is there and empty), sessions are not what the kernel ranks.
@pytest.mark.skipif(scheduling_group() is None, reason="no autogroup ranks this process")
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_in_its_own_session_gets_the_nice_and_the_servers_group_is_left_alone():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True)
    nice = json.loads(out.stdout)
    assert nice["browser"] == 7
    # the server's group, and the caller's (a child in its session shares it), untouched
    assert nice["server"] == nice["caller"] == nice["beside"] == 0
