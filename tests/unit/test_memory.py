"""digitlab.runtime.memory: the server's threads share few malloc arenas."""

import os
import subprocess
import sys
import textwrap

import pytest

from digitlab.runtime import memory

# Eight threads alive at once, each allocating, then glibc's own count of its arenas.
THREADS = textwrap.dedent("""
    import ctypes, sys, threading
    from digitlab.runtime import memory
    capped = memory.few_arenas() if sys.argv[1] == "capped" else None
    ready = threading.Barrier(9)
    def work():
        kept = [bytearray(4096) for _ in range(200)]
        ready.wait()
        ready.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    ready.wait()  # all eight have allocated
    ctypes.CDLL(None).malloc_stats()  # to stderr: "Arena 0:", "Arena 1:", ...
    ready.wait()
    for t in threads:
        t.join()
    print(capped)
""")

glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr(
    "CS_GNU_LIBC_VERSION") is None, reason="malloc arenas are glibc's")


def arenas(mode: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != memory.ENV}
    out = subprocess.run([sys.executable, "-c", THREADS, mode], capture_output=True, text=True,
                         env=env, timeout=60, check=True)
    return sum(line.startswith("Arena ") for line in out.stderr.splitlines()), out.stdout.strip()


@glibc
@pytest.mark.process
def test_the_cap_holds_for_threads_started_after_it():
    assert arenas("capped") == (memory.ARENAS, "True")


@glibc
@pytest.mark.process
def test_without_the_cap_threads_get_arenas_of_their_own():
    """The control: the count above is glibc's, not the same number whatever happens."""
    n, _ = arenas("default")
    assert n > memory.ARENAS


def test_a_cap_in_the_environment_is_left_as_it_is(monkeypatch):
    monkeypatch.setenv(memory.ENV, "4")
    assert memory.few_arenas() is False
    assert os.environ[memory.ENV] == "4"
