"""scikit-learn's solvers in a child process, so that Stop (or a closed tab) frees the core.

Why: scikit-learn's `fit()` is one call into compiled code. It reports nothing and cannot be
interrupted from another thread, so a fit the user gave up on kept a core busy until it ended
(the Tutorial settings: ~10 minutes of sag), and a few such clicks in a class starved every
other session. A child process can be ended: `run` polls `should_stop` every POLL_S seconds
and, when asked, kills the child; its core is free at once (tests/unit/test_childfit.py
measures it). A fit that ends normally gives exactly the in-process estimator (same calls,
same data, one BLAS thread, as before); the price is the child's start (importing
scikit-learn: ~1 s, ~3 s on a busy machine) and one copy of the features.

How, with no pickle either way:
- the features, the labels and any warm-start weights are written once into an anonymous
  shared file (Linux `memfd`; a deleted temp file elsewhere), which the child maps read-only;
- the estimator's class (scikit-learn's only) and its parameters go as JSON on the command line;
- the child fits with digitlab.solvers' own `_run_sklearn` and writes the fitted attributes
  (`coef_`, `intercept_`, ...) and its Outcome as an .npz on stdout, read with
  allow_pickle=False;
- the child runs at the lowest CPU priority (digitlab.threads.lower_priority): it takes idle
  cores, and yields them to the server and the browsers of a class that is drawing;
- the child dies with its parent (PR_SET_PDEATHSIG on Linux) and on Ctrl+C, so an ended server
  or CLI leaves no fit behind.
"""

from __future__ import annotations

import contextlib
import importlib
import io
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

from digitlab.threads import lower_priority

POLL_S = 0.1  # how often a running child's parent asks whether to stop
_ALIGN = 64  # byte alignment of each array in the shared file
_ROOT = Path(__file__).resolve().parents[1]  # the folder holding the digitlab package
# One BLAS/OpenMP thread from the child's first import (digitlab.solvers says why: a second
# thread mostly waits for a core on a shared machine).
_ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


class ChildFitError(RuntimeError):
    """The child process failed; the message is its own last words."""


def supported() -> bool:
    """Children need fork-free fd passing (POSIX); elsewhere fits run in-process, unstoppable."""
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
def _shared_file(arrays: dict[str, np.ndarray]) -> Iterator[tuple[int, dict, int]]:
    """(fd, layout, size) of an anonymous file holding `arrays`, closed afterwards."""
    layout, size = _layout(arrays)
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("digitlab-fit", os.MFD_CLOEXEC)
    else:  # pragma: no cover - macOS and the BSDs
        fd = os.dup(tempfile.TemporaryFile().fileno())
    try:
        os.ftruncate(fd, size)
        for name, a in arrays.items():
            view = memoryview(np.ascontiguousarray(a)).cast("B")
            at, done = layout[name][0], 0
            while done < len(view):  # pwrite may write less than asked
                done += os.pwrite(fd, view[done:], at + done)
        yield fd, layout, size
    finally:
        os.close(fd)


def _params(est) -> dict:
    params = est.get_params(deep=False)
    for k, v in params.items():
        if not (v is None or isinstance(v, (bool, int, float, str))):
            raise TypeError(f"{type(est).__name__}.{k}={v!r} cannot be sent to a child fit")
    return params


def run(est, Z: np.ndarray, y: np.ndarray, hooks):
    """Fit scikit-learn estimator `est` on (Z, y) in a child process, in place; return the
    child's Outcome. `hooks` as digitlab.solvers.Hooks: `init` warm-starts it; when
    `should_stop()` turns true the child is killed and fitting.FitStopped is raised (such
    solvers have no model before they finish, so there is nothing to keep)."""
    from digitlab.solvers import Outcome

    arrays = {"Z": Z, "y": y}
    if hooks.init is not None:
        arrays["coef"], arrays["intercept"] = hooks.init
    with _shared_file(arrays) as (fd, layout, size):
        header = {"fd": fd, "size": size, "layout": layout, "parent": os.getpid(),
                  "estimator": [type(est).__module__, type(est).__qualname__],
                  "params": _params(est)}
        env = dict(os.environ, **_ONE_THREAD,
                   PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]))
        proc = subprocess.Popen([sys.executable, "-m", "digitlab.childfit", json.dumps(header)],
                                pass_fds=(fd,), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env)
        try:
            out, err = _wait(proc, hooks.should_stop, est)
        finally:
            if proc.poll() is None:  # stopped, Ctrl+C, or an error of ours: leave nothing behind
                proc.kill()
                proc.communicate()
    if proc.returncode != 0:
        raise _failure(proc.returncode, err)
    if hooks.init is not None:  # as the child's copy was set up (solvers._run_sklearn)
        est.set_params(warm_start=True)
    with np.load(io.BytesIO(out), allow_pickle=False) as result:
        meta = json.loads(str(result["meta"]))
        for name in meta["attributes"]:
            value = result[f"attr.{name}"]
            setattr(est, name, value.item() if name in meta["scalars"] else value)
    return Outcome(meta["n_iter"], meta["converged"], False, tuple(meta["notes"]))


def _wait(proc: subprocess.Popen, should_stop, est) -> tuple[bytes, bytes]:
    while True:
        try:
            return proc.communicate(timeout=POLL_S)
        except subprocess.TimeoutExpired:
            if should_stop is not None and should_stop():
                proc.kill()
                proc.communicate()
                from digitlab.fitting import FitStopped

                raise FitStopped(
                    f"Stopped: {est.solver} gives no model until it has finished, so the fit "
                    "was ended (its core is free again) and nothing was kept.") from None


def _failure(code: int, err: bytes) -> BaseException:
    lines = err.decode(errors="replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if code < 0:
        return ChildFitError(f"the fit's process was ended by signal {-code} "
                             f"({signal.Signals(-code).name}; out of memory?)")
    if last.startswith("MemoryError"):
        return MemoryError()
    return ChildFitError(last or f"the fit's process exited with code {code}")


# --- the child's side --------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """Linux: be killed when the parent dies (a server ended mid-fit leaves no fit running);
    Ctrl+C ends the child at once (compiled code would only see Python's handler after it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _arrays(header: dict) -> dict[str, np.ndarray]:
    buf = mmap.mmap(header["fd"], header["size"], access=mmap.ACCESS_READ)
    return {name: np.frombuffer(buf, dtype=np.dtype(dtype), count=int(np.prod(shape)),
                                offset=at).reshape(shape)
            for name, (at, shape, dtype) in header["layout"].items()}


def _estimator(header: dict):
    module, name = header["estimator"]
    if module.split(".")[0] != "sklearn":  # the parent sends scikit-learn's; anything else: no
        raise ValueError(f"refusing to build {module}.{name} in a child fit")
    return getattr(importlib.import_module(module), name)(**header["params"])


def main(argv: list[str]) -> int:
    header = json.loads(argv[0])
    _die_with_parent(header["parent"])
    lower_priority()  # a fit is background work: drawing sessions come first (threads.py)
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr; stdout carries only the result
    from digitlab.solvers import Hooks, _run_sklearn

    arrays = _arrays(header)
    init = (arrays["coef"].copy(), arrays["intercept"].copy()) if "coef" in arrays else None
    est = _estimator(header)
    outcome = _run_sklearn(est, arrays["Z"], arrays["y"], Hooks(init=init))
    attrs = {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}
    scalars = [k for k, v in attrs.items() if not isinstance(v, np.ndarray)]
    meta = {"n_iter": outcome.n_iter, "converged": outcome.converged,
            "notes": list(outcome.notes), "attributes": list(attrs), "scalars": scalars}
    np.savez(result, meta=np.array(json.dumps(meta)),
             **{f"attr.{k}": np.asarray(v) for k, v in attrs.items()})
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
