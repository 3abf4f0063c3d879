"""How DigitLab starts a child process for background work, with no pickle either way.

digitlab.model.solvers.child (one scikit-learn fit) and digitlab.sweeps.child (a sweep) use it:
- `shared_file(arrays)`: the arrays, written once into an anonymous shared file (Linux
  `memfd`; a deleted temp file elsewhere) whose descriptor the child inherits; the header's
  `files` and `layout` say where each one lies, and the child maps them read-only with
  `mapped(header)`;
- `shareable(a)`: a copy of `a` that already lives in such a file. Handed to `shared_file`, it
  is not written again: the child maps the same pages, so the features a child fits on (187 MB
  for the full split) are held once, not once in the server and once in each child;
- `start(module, header)`: the child module's `main` with stdin/stdout/stderr as pipes, forked
  by the fork server (digitlab.runtime.forkserver: scikit-learn imported once, so a child
  starts in milliseconds, not 2-3 s of CPU), else in a new Python with the package importable;
  either way without pandas (_UNNEEDED), named by its kind (NAMES);
- the child calls `die_with_parent(header["parent"])` first: it is killed when the parent dies
  (a server ended mid-fit leaves nothing running: Ctrl+C ends the server, and so the child);
- `end(proc)`: kill the child and release its memory at once;
- `failure(returncode, stderr)`: the child's last words as an exception for the parent.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import mmap
import os
import platform
import signal
import subprocess
import sys
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from digitlab.runtime import forkclient

_ALIGN = 64  # byte alignment of each array in the shared file
_PROCESS_MRELEASE = {"x86_64": 448, "aarch64": 448}  # the syscall's number (Linux 5.15+)
# What start() runs, each child module with its process name (what `ps` and psutil's name()
# show), on either way it starts.
NAMES = {"digitlab.model.solvers.child": "digitlab-fit", "digitlab.sweeps.child": "digitlab-sweep"}
CHILDREN = tuple(NAMES)
# What a child never needs: scikit-learn imports pandas (and pandas pyarrow) when installed,
# though a child only ever sees NumPy arrays. Kept out, each child starts with ~60 MB less of
# its own memory and ~0.5 s sooner (measured: a sweep child's imports 179 -> 117 MB).
_UNNEEDED = ("pandas", "pyarrow")
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the digitlab package


class ChildFitError(RuntimeError):
    """The child process failed; the message is its own last words."""


def supported() -> bool:
    """Children need fork-free fd passing (POSIX); elsewhere the work runs in-process."""
    return os.name == "posix"


# --- the parent's side -----------------------------------------------------------------------


def _anonymous_file(size: int) -> int:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("digitlab-child", os.MFD_CLOEXEC)
    else:  # pragma: no cover - macOS and the BSDs
        fd = os.dup(tempfile.TemporaryFile().fileno())
    os.ftruncate(fd, size)
    return fd


# The shareable arrays' files: {address of the mapping's first byte: (fd, size)}, while the
# mapping lives (each entry is dropped, and its descriptor closed, when the mapping goes).
_SHAREABLE: dict[int, tuple[int, int]] = {}


def shareable(a: np.ndarray) -> np.ndarray:
    """A read-only copy of `a` in an anonymous shared file, which `shared_file` hands to a
    child without writing it again."""
    out = shareable_empty(a.shape, a.dtype)
    out[...] = a
    out.flags.writeable = False
    return out


def shareable_empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """A writable array in an anonymous shared file, to be filled in place (so a large result
    is never held twice: once built, once copied into shared memory)."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    size = max(count * dtype.itemsize, 1)
    fd = _anonymous_file(size)
    try:
        buf = mmap.mmap(fd, size, flags=mmap.MAP_SHARED)
    except BaseException:
        os.close(fd)
        raise
    out = np.frombuffer(buf, dtype=dtype, count=count).reshape(shape)
    start = out.__array_interface__["data"][0]
    _SHAREABLE[start] = (fd, size)
    weakref.finalize(buf, _forget, start, fd)
    return out


def _forget(start: int, fd: int) -> None:
    _SHAREABLE.pop(start, None)
    os.close(fd)


def _in_shareable(a: np.ndarray) -> tuple[list[int], int] | None:
    """([fd, size] of the file, offset) of C-contiguous `a` inside a shareable array's file,
    else None."""
    if not a.flags.c_contiguous:
        return None
    at = a.__array_interface__["data"][0]
    for start, (fd, size) in list(_SHAREABLE.items()):
        if start <= at and at + a.nbytes <= start + size:
            return [fd, size], at - start
    return None


@contextlib.contextmanager
def shared_file(arrays: dict[str, np.ndarray]) -> Iterator[dict]:
    """The header's part for `arrays` ({"files": [[fd, size], ...], "layout": {name: [file,
    offset, shape, dtype]}}): shareable arrays where they already are, the others written
    (aligned) into one new anonymous file, closed afterwards."""
    files, layout, fresh, end = [], {}, {}, 0
    for name, a in arrays.items():
        found = _in_shareable(a)
        if found is None:
            end = -(-end // _ALIGN) * _ALIGN
            fresh[name] = end
            end += a.nbytes
            continue
        file, offset = found
        if file not in files:
            files.append(file)
        layout[name] = [files.index(file), offset, list(a.shape), a.dtype.str]
    fd = _anonymous_file(max(end, 1))
    try:
        for name, at in fresh.items():
            view = np.ascontiguousarray(arrays[name]).data.cast("B")
            done = 0
            while done < len(view):  # pwrite may write less than asked
                done += os.pwrite(fd, view[done:], at + done)
            a = arrays[name]
            layout[name] = [len(files), at, list(a.shape), a.dtype.str]
        files.append([fd, max(end, 1)])
        yield {"files": files, "layout": layout}
    finally:
        os.close(fd)


class Child(Protocol):
    """What DigitLab uses of a child process: a subprocess.Popen, or a forkclient.ForkedChild."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | Any: ...  # as Popen's: None until it has ended
    @property
    def stdin(self) -> IO[bytes] | None: ...
    @property
    def stdout(self) -> IO[bytes] | None: ...
    @property
    def stderr(self) -> IO[bytes] | None: ...

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def communicate(self, input: bytes | None = None,  # noqa: A002 - Popen's name
                    timeout: float | None = None) -> tuple[bytes, bytes]: ...
    def kill(self) -> None: ...


def _environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """A child's environment: `env` (default: this process's) with the package importable."""
    return dict(os.environ if env is None else env,
                PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]))


# The fork server that starts the children (digitlab.runtime.forkserver): when first needed, or
# at the app's start (warm); None, or none available: each child is a new Python (Popen).
FORK_SERVER: forkclient.ForkServer | None = forkclient.ForkServer(
    [sys.executable, "-m", "digitlab.runtime.forkserver"], CHILDREN, _environment)


def warm() -> None:
    """Start the fork server now, in a thread of its own: the first child will not wait for
    scikit-learn's imports."""
    if FORK_SERVER is not None and forkclient.available():
        FORK_SERVER.warm()


def start(module: str, header: dict, env: dict[str, str] | None = None) -> Child:
    """`module.main([HEADER])` in a child process with the shared files' descriptors
    (header["files"]), its parent as header["parent"], `env` as its environment (default:
    this process's) and pipes for stdin, stdout and stderr: forked by the fork server
    (milliseconds), else a new Python through this module's own `_main` (seconds)."""
    if module not in CHILDREN:
        raise ValueError(f"{module} is not one of DigitLab's child processes")
    env = _environment(env)
    files = [fd for fd, _ in header["files"]]
    forks = FORK_SERVER
    child = None if forks is None else forks.spawn(module, header, env, files)
    if child is not None:
        return child
    return subprocess.Popen([sys.executable, "-m", "digitlab.runtime.childproc", module,
                             json.dumps({**header, "parent": os.getpid()})],
                            pass_fds=files, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def end(proc: Child) -> bool:
    """Kill the child and hand its memory back at once; True if the memory was released
    before the child had exited.

    A killed child runs no more of its code, but it exits only when the kernel gives it a
    slice of CPU, and at nice 19 on a busy machine that can take seconds, while it still holds
    its memory (~100 MB of imports and buffers per fit). Linux's process_mrelease (5.15+)
    frees a killed process's memory without waiting for that; elsewhere it is the wait."""
    pidfd = None
    if sys.platform.startswith("linux") and hasattr(os, "pidfd_open"):
        with contextlib.suppress(OSError):
            own = getattr(proc, "pidfd", None)  # a forked child's, held since it started
            # before the kill: the pid cannot be reused
            pidfd = os.pidfd_open(proc.pid) if own is None else os.dup(own)
    proc.kill()
    if pidfd is None:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syscall(_PROCESS_MRELEASE.get(platform.machine(), -1), pidfd, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc.syscall
        return False
    finally:
        os.close(pidfd)


def failure(code: int, err: bytes) -> BaseException:
    """The exception a failed child's exit code and stderr amount to."""
    lines = err.decode(errors="replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if code < 0:
        return ChildFitError(f"the fit's process was ended by signal {-code} "
                             f"({signal.Signals(-code).name}; out of memory?)")
    if last.startswith("MemoryError"):
        return MemoryError()
    return ChildFitError(last or f"the fit's process exited with code {code}")


# --- the child's side --------------------------------------------------------------------------


def die_with_parent(parent: int) -> None:
    """Linux: be killed when the parent dies (a server ended mid-fit leaves no fit running);
    Ctrl+C ends the child at once (compiled code would only see Python's handler after it),
    while it shares the terminal's session: a background child leaves it
    (threads.background_process) and ends with its parent instead."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def mapped(header: dict) -> dict[str, np.ndarray]:
    """The parent's arrays, read-only, from the inherited shared file."""
    bufs = [mmap.mmap(fd, size, access=mmap.ACCESS_READ) for fd, size in header["files"]]
    return {name: np.frombuffer(bufs[f], dtype=np.dtype(dtype), count=int(np.prod(shape)),
                                offset=at).reshape(shape)
            for name, (f, at, shape, dtype) in header["layout"].items()}


class _Unneeded:
    """An import finder that refuses _UNNEEDED (ImportError: scikit-learn goes without them).
    Not `sys.modules[name] = None`: libraries that look for pandas in sys.modules would
    find None there."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _UNNEEDED:
            raise ImportError(f"{name} is not needed in a child process")
        return None


def name(module: str) -> None:
    """This process's name (what `ps` and psutil's name() show): the child's kind (NAMES)."""
    if sys.platform.startswith("linux"):
        import ctypes

        title = NAMES.get(module, "digitlab-child").encode()
        ctypes.CDLL(None, use_errno=True).prctl(15, title, 0, 0, 0)  # 15 = PR_SET_NAME


def _main(argv: list[str]) -> int:
    """A child's entry: `python -m digitlab.runtime.childproc MODULE HEADER`."""
    if argv[0] not in CHILDREN:
        raise SystemExit(f"{argv[0]} is not one of DigitLab's child processes")
    name(argv[0])
    sys.meta_path.insert(0, _Unneeded)
    return importlib.import_module(argv[0]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
