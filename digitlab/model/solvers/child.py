"""scikit-learn's solvers in a child process, so that Stop (or a closed tab) frees the core.

Why: scikit-learn's `fit()` is one call into compiled code. It reports nothing and cannot be
interrupted from another thread, so a fit the user gave up on kept a core busy until it ended
(the Tutorial settings: ~10 minutes of sag), and a few such clicks in a class starved every
other session. A child process can be ended: `run` polls `should_stop` every POLL_S seconds
and, when asked, kills the child; its core is free at once (tests/unit/test_childfit.py
measures it). A fit that ends normally gives exactly the in-process estimator (same calls,
same data, one BLAS thread, as before); the price is the child's start (a fork of
the fork server, digitlab.runtime.forkserver: milliseconds; where there is none, a new Python
importing scikit-learn: ~1 s, ~3 s on a busy machine).

How, with no pickle either way (digitlab.runtime.childproc starts the child):
- the features, the labels and any warm-start weights reach the child in anonymous shared
  files (Linux `memfd`; a deleted temp file elsewhere), which it maps read-only. The app's
  features already live in one (digitlab.training.fitting makes them shareable), so the child
  maps the server's pages instead of holding a copy (187 MB for the full split); the rest is
  written;
- the estimator's class (scikit-learn's only) and its parameters go as JSON on the command line;
- the child fits with digitlab.model.solvers.logistic's `run` and writes the fitted attributes
  (`coef_`, `intercept_`, ...) and its Outcome as an .npz on stdout, read with
  allow_pickle=False;
- the child runs at the lowest CPU priority (digitlab.runtime.threads.background_process): it takes
  idle cores, and yields them to the server and the browsers of a class that is drawing;
- the child dies with its parent (PR_SET_PDEATHSIG on Linux) and on Ctrl+C, so an ended server
  or CLI leaves no fit behind.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess

import numpy as np

from digitlab.model.solvers import logistic
from digitlab.model.solvers.base import FitStopped, Hooks, Outcome
from digitlab.runtime import childproc
from digitlab.runtime.threads import background_process
from digitlab.text import N_, from_json, to_json

POLL_S = 0.1  # how often a running child's parent asks whether to stop
# The fit's BLAS/OpenMP threads (one unless the fair queue runs fewer fits than cores) from the
# child's first import (digitlab.model.solvers.logistic says why one is the default).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# --- the parent's side -----------------------------------------------------------------------


def _params(est) -> dict:
    params = est.get_params(deep=False)
    for k, v in params.items():
        if not (v is None or isinstance(v, (bool, int, float, str))):
            raise TypeError(f"{type(est).__name__}.{k}={v!r} cannot be sent to a child fit")
    return params


def run(est, Z: np.ndarray, y: np.ndarray, hooks: Hooks) -> Outcome:
    """Fit scikit-learn estimator `est` on (Z, y) in a child process, in place; return the
    child's Outcome. `hooks.init` warm-starts it; when `hooks.should_stop()` turns true the
    child is killed and FitStopped is raised (such solvers have no model before they finish,
    so there is nothing to keep). Where there are no child processes (Windows) it fits in this
    process, and cannot be stopped."""
    if not childproc.supported():  # pragma: no cover - Windows
        return logistic.run(est, Z, y, hooks)
    arrays = {"Z": Z, "y": y}
    if hooks.init is not None:
        arrays["coef"], arrays["intercept"] = hooks.init
    with childproc.shared_file(arrays) as shared:
        header = {**shared, "estimator": [type(est).__module__, type(est).__qualname__],
                  "params": _params(est), "blas_threads": hooks.blas_threads}
        proc = childproc.start("digitlab.model.solvers.child", header,
                               dict(os.environ, **dict.fromkeys(
                                   _THREAD_VARS, str(hooks.blas_threads))))
        try:
            out, err = _wait(proc, hooks.should_stop, est)
        finally:
            if proc.poll() is None:  # stopped, Ctrl+C, or an error of ours: leave nothing behind
                childproc.end(proc)
                proc.communicate()
    if proc.returncode != 0:
        raise childproc.failure(proc.returncode, err)
    if hooks.init is not None:  # as the child's copy was set up (logistic.run)
        est.set_params(warm_start=True)
    with np.load(io.BytesIO(out), allow_pickle=False) as result:
        meta = json.loads(str(result["meta"]))
        for name in meta["attributes"]:
            value = result[f"attr.{name}"]
            setattr(est, name, value.item() if name in meta["scalars"] else value)
    notes = tuple(from_json(n) for n in meta["notes"])  # Messages again: the page translates
    return Outcome(meta["n_iter"], meta["converged"], False, notes)


def _wait(proc: childproc.Child, should_stop, est) -> tuple[bytes, bytes]:
    while True:
        try:
            return proc.communicate(timeout=POLL_S)
        except subprocess.TimeoutExpired:
            if should_stop is not None and should_stop():
                childproc.end(proc)
                proc.communicate()
                raise FitStopped(N_(
                    "Stopped: {solver} gives no model until it has finished, so the fit "
                    "was ended (its core is free again) and nothing was kept.",
                    solver=est.solver)) from None


# --- the child's side --------------------------------------------------------------------------


def _estimator(header: dict):
    module, name = header["estimator"]
    if module.split(".")[0] != "sklearn":  # the parent sends scikit-learn's; anything else: no
        raise ValueError(f"refusing to build {module}.{name} in a child fit")
    return getattr(importlib.import_module(module), name)(**header["params"])


def main(argv: list[str]) -> int:
    header = json.loads(argv[0])
    childproc.die_with_parent(header["parent"])
    background_process()  # a fit is background work: drawing sessions come first (threads.py)
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr; stdout carries only the result
    arrays = childproc.mapped(header)
    init = (arrays["coef"].copy(), arrays["intercept"].copy()) if "coef" in arrays else None
    est = _estimator(header)
    outcome = logistic.run(est, arrays["Z"], arrays["y"],
                           Hooks(init=init, blas_threads=header.get("blas_threads", 1)))
    attrs = {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}
    scalars = [k for k, v in attrs.items() if not isinstance(v, np.ndarray)]
    meta = {"n_iter": outcome.n_iter, "converged": outcome.converged,
            "notes": [to_json(n) for n in outcome.notes], "attributes": list(attrs),
            "scalars": scalars}
    np.savez(result, allow_pickle=False, meta=np.array(json.dumps(meta)),
             **{f"attr.{k}": np.asarray(v) for k, v in attrs.items()})
    result.close()
    return 0
