"""How DigitLab starts a child process for background work, with no pickle either way.

digitlab.childfit (one scikit-learn fit) and digitlab.childsweep (a sweep) use it:
- `shared_file(arrays)`: the arrays, written once into an anonymous shared file (Linux
  `memfd`; a deleted temp file elsewhere) whose descriptor the child inherits; the header's
  `layout` says where each one lies, and the child maps them read-only with `mapped(header)`;
- `start(module, header, fd)`: `python -m module HEADER_JSON`, with the package importable and
  stdin/stdout/stderr as pipes;
- the child calls `die_with_parent(header["parent"])` first: it is killed when the parent dies
  (a server ended mid-fit leaves nothing running) and on Ctrl+C;
- `failure(returncode, stderr)`: the child's last words as an exception for the parent.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

_ALIGN = 64  # byte alignment of each array in the shared file
_ROOT = Path(__file__).resolve().parents[1]  # the folder holding the digitlab package


class ChildFitError(RuntimeError):
    """The child process failed; the message is its own last words."""


def supported() -> bool:
    """Children need fork-free fd passing (POSIX); elsewhere the work runs in-process."""
    return os.name == "posix"


# --- the parent's side -----------------------------------------------------------------------


def _layout(arrays: dict[str, np.ndarray]) -> tuple[dict, int]:
    """{name: (offset, shape, dtype)} and the total size, each array aligned."""
    layout, end = {}, 0
    for name, a in arrays.items():
        end = -(-end // _ALIGN) * _ALIGN
        layout[name] = (end, list(a.shape), a.dtype.str)
        end += a.nbytes
    return layout, max(end, 1)


@contextlib.contextmanager
def shared_file(arrays: dict[str, np.ndarray]) -> Iterator[dict]:
    """The header's part for `arrays` ({"fd", "size", "layout"}) of an anonymous file holding
    them; the descriptor is closed afterwards."""
    layout, size = _layout(arrays)
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("digitlab-child", os.MFD_CLOEXEC)
    else:  # pragma: no cover - macOS and the BSDs
        fd = os.dup(tempfile.TemporaryFile().fileno())
    try:
        os.ftruncate(fd, size)
        for name, a in arrays.items():
            view = memoryview(np.ascontiguousarray(a)).cast("B")
            at, done = layout[name][0], 0
            while done < len(view):  # pwrite may write less than asked
                done += os.pwrite(fd, view[done:], at + done)
        yield {"fd": fd, "size": size, "layout": layout}
    finally:
        os.close(fd)


def start(module: str, header: dict, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m module HEADER` with the shared file's descriptor (header["fd"]) inherited
    and this process as header["parent"]; pipes for stdin, stdout and stderr."""
    header = {**header, "parent": os.getpid()}
    env = dict(os.environ if env is None else env,
               PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-m", module, json.dumps(header)],
                            pass_fds=(header["fd"],), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


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
    Ctrl+C ends the child at once (compiled code would only see Python's handler after it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def mapped(header: dict) -> dict[str, np.ndarray]:
    """The parent's arrays, read-only, from the inherited shared file."""
    buf = mmap.mmap(header["fd"], header["size"], access=mmap.ACCESS_READ)
    return {name: np.frombuffer(buf, dtype=np.dtype(dtype), count=int(np.prod(shape)),
                                offset=at).reshape(shape)
            for name, (at, shape, dtype) in header["layout"].items()}
