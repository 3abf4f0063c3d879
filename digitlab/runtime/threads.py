"""How much of the machine one piece of work takes: its BLAS threads and its CPU priority.

- Fits and predictions use one BLAS thread each (measured on 2 busy cores: lbfgs on 10k images
  took 36 s with two threads, 3.5 s with one), because the app runs many of them side by side.
- Fits are background work (`lower_priority`): in a class, 30 students drawing must not wait
  for a sweep or a 10-minute Tutorial fit. A niced fit takes every idle cycle, so alone on a
  machine it runs as fast as before; it only yields when someone else wants the core.
- A child process of background work (a scikit-learn fit, a sweep) is also a scheduling group
  of its own (`background_process`): see there why a nice value alone is not enough on Linux.
- The server hands the interpreter's lock from thread to thread every SWITCH_S, not Python's
  5 ms (`quick_handoffs`): see there.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from pathlib import Path

from threadpoolctl import ThreadpoolController


@functools.cache
def _threadpools() -> ThreadpoolController:
    """Found once: scanning the loaded libraries costs milliseconds."""
    return ThreadpoolController()


def blas_limit(threads: int | None):
    """A context that caps BLAS threads (no-op for None)."""
    if threads is None:
        return contextlib.nullcontext()
    return _threadpools().limit(limits=threads, user_api="blas")


# How often a running Python thread must hand the interpreter's lock to a waiting one, in the
# server. Python's default is 5 ms: a thread that only waits on SQLite or a socket then waits up
# to 5 ms per busy thread each time it wants the lock back, and an answer's write transaction
# wants it back about ten times while it holds the class set's write lock, so every other
# writer waits too. Measured (benchmarks/class_writes.py: thirty lock-ins at once beside six
# busy threads): at 5 ms a lock-in waited 10.1 s (median) and half were refused as busy; at
# 1 ms 3.0 s, none refused. The cost: more switches between busy threads, microseconds each.
SWITCH_S = 0.001


def quick_handoffs(seconds: float = SWITCH_S) -> None:
    """Make this process's threads hand the interpreter's lock on every `seconds` (the app's
    server calls this once, before it starts)."""
    sys.setswitchinterval(seconds)


# The nice value of a fit: the lowest priority. Measured with the load benchmark (benchmarks/
# load.py, 30 drawing sessions + a Tutorial fit + a sweep on 2 cores): see its docstring.
BACKGROUND_NICE = 19


def lower_priority(nice: int = BACKGROUND_NICE) -> None:
    """Make the calling thread background work: its nice value becomes `nice` (never lowered:
    an unprivileged process cannot raise a priority back). On Linux each thread has its own
    nice value, so this marks one thread (and the threads it starts); elsewhere the process.
    Best effort: a system that refuses leaves the priority as it was."""
    if not hasattr(os, "setpriority"):  # pragma: no cover - Windows
        return
    who = threading.get_native_id() if sys.platform.startswith("linux") else 0
    try:
        os.setpriority(os.PRIO_PROCESS, who, max(nice, os.getpriority(os.PRIO_PROCESS, who)))
    except OSError:  # pragma: no cover - a sandbox without the right
        pass


def scheduling_group(pid: int | str = "self") -> tuple[str, int] | None:
    """The autogroup a process is in, as (name, nice), or None where the kernel ranks it by
    no such group: a kernel without autogroup (no file), autogroup switched off when its
    session began, or a process in a container's CPU cgroup (the file is there and empty:
    the cgroup, not the session, is what the kernel ranks; seen on the project's CI)."""
    try:
        name, _, nice = Path(f"/proc/{pid}/autogroup").read_text().split()
        return name, int(nice)
    except (OSError, ValueError):
        return None


def background_process(nice: int = BACKGROUND_NICE) -> None:
    """Make this whole process background work (a child fit or sweep calls it first): its
    thread at `nice` (lower_priority) and, on Linux, a session of its own whose scheduling
    group is at `nice` too.

    Why the group: with autogroup on (/proc/sys/kernel/sched_autogroup_enabled; the kernel's
    default on desktops, and on the development machine), the kernel first shares the cores
    between sessions' groups, and only then between the threads of a group by their nice. A
    child at nice 19 in the server's session yields to the server's own threads, but it makes
    the server's group busy, and that group took its full share against every other group:
    the teacher's browser on the same laptop, or (measured with benchmarks/load.py) the test's
    browsers, which a Tutorial fit and a sweep slowed until no student got in. In a group of
    its own at nice 19 it takes only what the others leave. It still dies with its parent
    (childproc.die_with_parent: the parent's death, not the terminal's Ctrl+C, ends it now).
    Best effort: elsewhere, or refused, the process keeps its session."""
    lower_priority(nice)
    if not sys.platform.startswith("linux"):  # pragma: no cover - other systems
        return
    with contextlib.suppress(OSError):  # a process-group leader cannot start a session
        os.setsid()
        if scheduling_group() is not None:  # the new session's own group
            Path("/proc/self/autogroup").write_text(str(nice))
