"""How soon DigitLab's default fit reaches the tutorial's accuracy, beside scikit-learn's own
routes, all measured in one run on the tutorial split.

    python -m benchmarks.training [--quick] [--json] [--help]     (from the repository's root)

Rows
----
a    scikit-learn's defaults as a user writes them: LogisticRegression(max_iter=1000) (lbfgs)
     on X_train / 255 (float64); 1000 is "max_iter raised until it converges" (~250 needed).
a32  the same in float32, stopped as soon as an iterate reaches the target.
b    the tutorial: sag on raw 0..255 pixels, C=1; max_iter=1000 would take ~14 minutes, so it
     is capped at as many epochs as fit in --time-limit seconds (printed).
c    sag with the fewest epochs that reach the target, on pixels / 255 in float32.
c'   the same on the tutorial's raw pixels (it also gives row b its time to the target).
g    scikit-learn's only mini-batch softmax: MLPClassifier(hidden_layer_sizes=()) with adam
     (batch 256, step 3e-3, alpha matched to C=1), float32, one partial_fit per epoch.
g2   the same as one fit() with its own early stopping (n_iter_no_change=2).
d    DigitLab's default: `fitting.fit(TrainConfig())`, cold (no FitStore: from the pixels).
e    refit after changing only C (1 -> 0.1), warm-started from (d) and sharing its features
     through a FitStore, as the Train page does.
f    the same config again, from that FitStore (the app's model cache).

How each figure is measured
---------------------------
fit s       wall time of the fit. scikit-learn rows time `.fit()` on arrays converted
            beforehand; DigitLab rows time `fitting.fit()` from uint8 pixels (conversion, shuffle
            and hold-out included).
to target   wall time from the start of a fit until a model with test accuracy >= --target
            exists, test-set scoring excluded. lbfgs: the time stamps of its iterates, recorded
            with scikit-learn 1.9's callback API and scored after the fit. sag and DigitLab:
            the fit time of the shortest run (max_iter = 1, 2, ...) whose model reaches the
            target (both are deterministic for a seed, so a k-epoch run is the start of a
            longer one). MLPClassifier: the summed time of its partial_fit epochs.
peak MB     the process's peak resident memory during the row (Linux VmHWM, reset through
            /proc/self/clear_refs before the row), Python, libraries and the 70,000-image
            dataset included. Each group of rows runs in a fresh Python process.
repeats     DigitLab rows are medians of --repeats runs; scikit-learn rows run once.

The issue's targets are the TARGETS table below; each is printed MET, MISSED or n/a.
"""

from __future__ import annotations

import argparse
import json
import math
import operator
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from benchmarks.common import ROOT, Peak, dumps, median_time, say, time_each, tutorial_split
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.model.pipeline import LOGREG_STEP, PixelTransform, make_estimator
from digitlab.training.fitting import FitResult, fit
from digitlab.training.store import FitStore

TARGET = 0.919
LBFGS_CAP = 1000  # "max_iter raised until it converges": lbfgs needs ~250 here
MAX_SCAN_EPOCHS = 30
MLP_MAX_EPOCHS = 20
REFIT_C = 0.1
ABLATION_SCAN = 10  # ablation rows look for the target in runs of at most this many epochs
GROUPS = ("lbfgs", "lbfgs32", "sag", "sag32", "mlp", "digitlab")


@dataclass(frozen=True)
class Target:
    """One of the issue's targets: the figure `value` must be `op` (<= or <) its `limit`.

    Figures are named "row.field" (rows by key; "sag" is the faster of c and c' to reach the
    target, "drawing.ms" the drawing timing). `limit` is a number or (figure, factor). A target
    is listed once the rows in `needs` ran; it is n/a when a figure it compares is missing.
    """

    name: str  # "{sag}" stands for the key of the faster sag row
    value: str
    limit: float | tuple[str, float]
    op: Callable[[float, float], bool] = operator.le
    needs: tuple[str, ...] = ()


TARGETS = (
    Target("(d) time to target <= 1/10 of (a)'s fit", "d.to_target_s", ("a.fit_s", 1 / 10)),
    Target("(d) time to target <= 1/40 of (a)'s fit (aim)", "d.to_target_s",
           ("a.fit_s", 1 / 40), needs=("a", "d")),
    Target("(d) time to target < 1/2 of ({sag})'s", "d.to_target_s",
           ("sag.to_target_s", 1 / 2), operator.lt, needs=("d", "sag")),
    Target("(e) refit after changing C <= 1/3 of (d)'s cold fit", "e.fit_s",
           ("d.fit_s", 1 / 3), needs=("d", "e")),
    Target("(f) repeated config < 0.5 s", "f.fit_s", 0.5, operator.lt, needs=("f",)),
    Target("(d) peak memory of a full fit < 1.5 GB", "d.peak_mb", 1536, operator.lt,
           needs=("d",)),
    Target("drawing -> prediction median < 20 ms (Python)", "drawing.ms", 20.0, operator.lt,
           needs=("drawing",)),
)


@dataclass
class Setup:
    """What every row is measured on, and the caps."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    target: float = TARGET
    time_limit: float = 15.0  # row b's cap
    scan_budget: float = 90.0  # the most seconds one epoch scan may spend
    repeats: int = 5
    drawings: int = 200


def _row(key: str, label: str, fit_s: float | None, iters: str, acc: float | None,
         to_target: float | None, target_note: str = "", peak_mb: float | None = None,
         notes: list[str] | None = None, **extra) -> dict:
    return {"key": key, "label": label, "fit_s": fit_s, "iters": iters, "accuracy": acc,
            "to_target_s": to_target, "target_note": target_note, "peak_mb": peak_mb,
            "notes": notes or [], **extra}


# --- scikit-learn rows -----------------------------------------------------------------------


class _Reached(Exception):
    """Raised from the lbfgs callback to end a fit once the target is reached."""


class IterateRecorder:
    """A scikit-learn 1.9 fit callback: time stamp and weights of every lbfgs iterate.

    With `stop_at` = (X_test, y_test, target) it scores each iterate as it comes (that time is
    excluded from the time stamps) and ends the fit with _Reached at the first one on target.
    """

    def __init__(self, stop_at: tuple | None = None):
        self.stop_at = stop_at
        self.t0 = time.perf_counter()
        self.excluded = 0.0
        self.points: list[tuple[float, np.ndarray, np.ndarray]] = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if getattr(context, "task_name", None) != "lbfgs-iter" or fitted_estimator is None:
            return False
        stamp = time.perf_counter() - self.t0 - self.excluded
        coef, intercept = fitted_estimator.coef_, fitted_estimator.intercept_
        self.points.append((stamp, coef, intercept))
        if self.stop_at is not None:
            t = time.perf_counter()
            X, y, target = self.stop_at
            hit = _iterate_accuracy(coef, intercept, X, y) >= target
            self.excluded += time.perf_counter() - t
            if hit:
                raise _Reached
        return False


def _iterate_accuracy(coef: np.ndarray, intercept: np.ndarray, X: np.ndarray,
                      y: np.ndarray) -> float:
    return float(np.mean(np.argmax(X @ coef.T.astype(X.dtype) + intercept, axis=1) == y))


@contextmanager
def _quiet():
    """Unconverged fits are the point of several rows: no ConvergenceWarning noise."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def group_lbfgs(s: Setup, dtype=np.float64) -> list[dict]:
    """Row a (float64, to convergence) or a32 (float32, stopped at the target)."""
    from sklearn.linear_model import LogisticRegression

    # The user's spelling: X_train / 255 is float64; a32 converts the result.
    X = (s.X_train / 255).astype(dtype, copy=False)
    Xt = (s.X_test / 255).astype(dtype, copy=False)
    stop = (Xt, s.y_test, s.target) if dtype == np.float32 else None
    rec = IterateRecorder(stop_at=stop)
    clf = LogisticRegression(max_iter=LBFGS_CAP)
    if not hasattr(clf, "set_callbacks"):
        raise RuntimeError("time to target for lbfgs needs scikit-learn >= 1.9 (callbacks)")
    clf.set_callbacks(rec)
    with _quiet(), Peak() as p:
        rec.t0 = time.perf_counter()
        try:
            clf.fit(X, s.y_train)
            reached = False
        except _Reached:
            reached = True
        seconds = time.perf_counter() - rec.t0 - rec.excluded
    accs = [_iterate_accuracy(c, b, Xt, s.y_test) for _, c, b in rec.points]
    first = next((i for i, a in enumerate(accs) if a >= s.target), None)
    to_target = rec.points[first][0] if first is not None else None
    note = f"iterate {first + 1}" if first is not None else "never"
    if reached:
        n_it = len(rec.points)
        return [_row("a32", "lbfgs, float32, pixels/255 (stopped at the target)", None,
                     f"{n_it} it", accs[-1], to_target, note, p.mb,
                     ["fit stopped at the target: no fit time to convergence"])]
    n_it = int(clf.n_iter_[0])
    converged = n_it < LBFGS_CAP
    key, label = (("a", f"sklearn defaults: lbfgs, float64, pixels/255, max_iter={LBFGS_CAP}")
                  if dtype == np.float64 else
                  ("a32", "lbfgs, float32, pixels/255 (never reached the target)"))
    return [_row(key, label, seconds, f"{n_it} it", clf.score(Xt, s.y_test), to_target, note,
                 p.mb, [] if converged else [f"not converged at max_iter={LBFGS_CAP}"],
                 converged=converged, curve=[(round(t, 3), round(a, 4))
                                             for (t, _, _), a in zip(rec.points, accs)])]


def _sag_scan(s: Setup, X: np.ndarray, Xt: np.ndarray) -> list[tuple[int, float, float]]:
    """Fit sag with max_iter = 1, 2, ... until the target or the scan budget; (k, s, acc)."""
    from sklearn.linear_model import LogisticRegression

    out, spent = [], 0.0
    for k in range(1, MAX_SCAN_EPOCHS + 1):
        clf = LogisticRegression(solver="sag", max_iter=k, random_state=0)  # C=1, tol 1e-4
        t = time.perf_counter()
        clf.fit(X, s.y_train)
        dt = time.perf_counter() - t
        spent += dt
        out.append((k, dt, clf.score(Xt, s.y_test)))
        if out[-1][2] >= s.target or spent + dt * (k + 1) / k > s.scan_budget:
            break
    return out


def _epochs(k: int) -> str:
    return f"{k} epoch" + ("" if k == 1 else "s")


def _scan_row(key: str, label: str, scan: list, peak: float | None, target: float) -> dict:
    k, dt, acc = scan[-1]
    reached = acc >= target
    return _row(key, label, dt, f"{k} ep", acc, dt if reached else None,
                _epochs(k) if reached else f"not within {_epochs(k)} (scan budget)", peak,
                scan=[(kk, round(tt, 3), round(aa, 4)) for kk, tt, aa in scan])


def group_sag(s: Setup) -> list[dict]:
    """Rows c' (the tutorial's raw pixels, fewest epochs) and b (the tutorial, capped)."""
    from sklearn.linear_model import LogisticRegression

    X, Xt = s.X_train.astype(np.float64), s.X_test.astype(np.float64)  # as fetch_openml gives
    with _quiet(), Peak() as p:
        scan = _sag_scan(s, X, Xt)
    rows = [_scan_row("c'", "sag, fewest epochs, raw 0..255 pixels (the tutorial's)", scan,
                      p.mb, s.target)]
    k, dt, _ = scan[-1]
    cap = max(1, int(s.time_limit / (dt / k)))
    with _quiet(), Peak() as p:
        clf = LogisticRegression(solver="sag", max_iter=cap, random_state=0)
        t = time.perf_counter()
        clf.fit(X, s.y_train)
        seconds = time.perf_counter() - t
    first = next(((kk, tt) for kk, tt, aa in scan if aa >= s.target), None)
    to_target, note = (first[1], f"{_epochs(first[0])} (row c')") if first and first[0] <= cap \
        else (None, f"not within {_epochs(cap)}")
    full = 1000 * seconds / cap
    rows.insert(0, _row(
        "b", f"tutorial: sag, raw 0..255, C=1, capped at max_iter={cap} ({s.time_limit:g} s)",
        seconds, f"{cap} ep", clf.score(Xt, s.y_test), to_target, note, p.mb,
        [f"max_iter=1000 at this pace: ~{full / 60:.0f} min (it stops near 770 epochs)"],
        cap_epochs=cap, time_limit=s.time_limit))
    return rows


def _unit32(s: Setup) -> tuple[np.ndarray, np.ndarray]:
    """X_train and X_test as pixels / 255 in float32 (rows c and g)."""
    return (s.X_train.astype(np.float32) / np.float32(255),
            s.X_test.astype(np.float32) / np.float32(255))


def group_sag32(s: Setup) -> list[dict]:
    """Row c: sag, fewest epochs, on pixels / 255 in float32."""
    X, Xt = _unit32(s)
    with _quiet(), Peak() as p:
        scan = _sag_scan(s, X, Xt)
    return [_scan_row("c", "sag, fewest epochs, pixels/255, float32", scan, p.mb, s.target)]


def group_mlp(s: Setup) -> list[dict]:
    """Row g: scikit-learn's mini-batch route to a softmax model, one epoch at a time."""
    from sklearn.neural_network import MLPClassifier

    X, Xt = _unit32(s)
    n, bs = len(X), 256
    # MLP's penalty is alpha / (2 * batch) * ||W||^2 on the mean loss of a batch; C=1 in
    # LogisticRegression is 1 / (2 n) * ||W||^2 on the mean loss: alpha = batch / n.
    clf = MLPClassifier(hidden_layer_sizes=(), solver="adam", batch_size=bs,
                        learning_rate_init=3e-3, alpha=bs / n, random_state=0)
    classes = np.unique(s.y_train)
    spent, acc, epochs, first = 0.0, 0.0, 0, None
    with Peak() as p:
        for epochs in range(1, MLP_MAX_EPOCHS + 1):
            t = time.perf_counter()
            clf.partial_fit(X, s.y_train, classes=classes)
            spent += time.perf_counter() - t
            acc = clf.score(Xt, s.y_test)
            if acc >= s.target:
                first = spent
                break
            if spent * (epochs + 1) / epochs > s.scan_budget:
                break
    rows = [_row("g", "MLPClassifier(hidden_layer_sizes=()), adam, float32, pixels/255",
                 spent, f"{epochs} ep", acc, first,
                 _epochs(epochs) if first is not None else f"not within {_epochs(epochs)}",
                 p.mb, [f"{spent / epochs:.2f} s per epoch"])]
    # The library's own complete fast path: the same, with its early stopping in fit().
    es = MLPClassifier(hidden_layer_sizes=(), solver="adam", batch_size=bs,
                       learning_rate_init=3e-3, alpha=bs / n, early_stopping=True,
                       validation_fraction=0.1, n_iter_no_change=2, random_state=0)
    with _quiet(), Peak() as p:
        t = time.perf_counter()
        es.fit(X, s.y_train)
        seconds = time.perf_counter() - t
    acc = es.score(Xt, s.y_test)
    rows.append(_row("g2", "the same with early_stopping=True, n_iter_no_change=2 (fit)",
                     seconds, f"{es.n_iter_} ep", acc, seconds if acc >= s.target else None,
                     "its kept model" if acc >= s.target else "its kept model is below",
                     p.mb, ["10 % of the training rows held out, best epoch kept"]))
    return rows


# --- DigitLab rows ---------------------------------------------------------------------------


def _cold(config: TrainConfig, s: Setup) -> FitResult:
    """A fit that shares nothing: no FitStore, so it starts from the pixels."""
    return fit(config, s.X_train, s.y_train)


def _stored(config: TrainConfig, s: Setup) -> tuple[FitStore, FitResult]:
    """A fresh FitStore holding a cold fit of `config` and its features, and that fit."""
    store = FitStore()
    return store, fit(config, s.X_train, s.y_train, store=store)


def group_digitlab(s: Setup) -> dict:
    """Rows d, e, f; the ablation and the drawing timings ride along in the last row."""
    cfg = TrainConfig()

    def score(r: FitResult) -> float:
        return r.model.score(s.X_test, s.y_test)

    t = time.perf_counter()
    _cold(cfg, s)
    first_s = time.perf_counter() - t
    with Peak() as p:
        fit_s, r = median_time(lambda: _cold(cfg, s), s.repeats)
    acc = score(r)
    # Time to target: the shortest max_iter whose kept model reaches it, then timed again.
    k_hit = None
    for k in range(1, r.n_iter + 1):
        if score(_cold(cfg.replace(max_iter=k), s)) >= s.target:
            k_hit = k
            break
    to_target = (median_time(lambda: _cold(cfg.replace(max_iter=k_hit), s), s.repeats)[0]
                 if k_hit else None)
    notes = [f"first fit in a fresh process: {first_s:.2f} s (one-time BLAS and memory set-up)"]
    kept = getattr(r.model.named_steps[LOGREG_STEP], "best_iteration_", None)
    if kept is not None:  # solvers that stop early keep their best epoch
        notes.append(f"kept epoch {kept} of {r.n_iter}")
    d = _row("d", f"DigitLab default ({cfg.solver}): fit(TrainConfig()), cold", fit_s,
             f"{r.n_iter} ep", acc, to_target,
             f"max_iter={k_hit}" if k_hit else "never", p.mb, notes, first_fit_s=first_s)

    refits = []

    def refit() -> FitResult:
        store, base = _stored(cfg, s)  # the Train page's store: (d) and its features
        t = time.perf_counter()
        out = fit(cfg.replace(C=REFIT_C), s.X_train, s.y_train, warm_start_from=base,
                  store=store)
        refits.append(time.perf_counter() - t)
        return out

    with Peak() as p:
        for _ in range(s.repeats):
            r_e = refit()
    acc_e = score(r_e)
    cold_acc = score(_cold(cfg.replace(C=REFIT_C), s))
    e = _row("e", f"refit after changing only C (1 -> {REFIT_C:g}), warm start",
             float(np.median(refits)), f"{r_e.n_iter} ep", acc_e,
             float(np.median(refits)) if acc_e >= s.target else None,
             "its first model" if acc_e >= s.target else "below target", p.mb,
             [f"a cold fit at C={REFIT_C:g} reaches test accuracy {cold_acc:.4f}"])

    store, _ = _stored(cfg, s)
    with Peak() as p:
        rep_s, r_f = median_time(lambda: fit(cfg, s.X_train, s.y_train, store=store),
                                 s.repeats)
    acc_f = score(r_f)
    f = _row("f", "the same config again (FitStore: the model cache)", rep_s,
             f"{r_f.n_iter} ep", acc_f, rep_s if acc_f >= s.target else None, "cached", p.mb)
    return {"rows": [d, e, f], "ablation": ablation(s), "drawing": drawing_latency(r.model, s)}


def _first_k(make, Z, y, Zt, yt, target: float, limit: int) -> int | None:
    """Fewest max_iter at which an estimator's kept model reaches the target."""
    for k in range(1, limit + 1):
        est = make(k).fit(Z, y)
        if est.score(Zt, yt) >= target:
            return k
    return None


def ablation(s: Setup) -> list[dict]:
    """What each ingredient of the fast path buys: one change at a time, medians of 3.

    Solver rows time the fast solver's estimator alone on prepared features (shuffled,
    converted); store and warm-start rows time fitting.fit."""
    reps = max(1, min(3, s.repeats))
    cfg = TrainConfig(solver=solvers.FAST)  # the ingredients below are this solver's
    X, y = s.X_train, s.y_train
    perm = np.random.default_rng(cfg.seed).permutation(len(y))
    pixels = PixelTransform(cfg.scaling)
    Z32, yz = pixels.fit_transform(X[perm]), y[perm]
    Zt32 = pixels.transform(s.X_test)
    out = []

    def solver_row(name: str, Z, Zt, **params):
        def make(k: int | None = None):
            est = make_estimator(cfg).set_params(shuffle=False, **params)
            return est.set_params(max_iter=k) if k else est

        sec, est = median_time(lambda: make().fit(Z, yz), reps)
        k = _first_k(make, Z, yz, Zt, s.y_test, s.target, ABLATION_SCAN)
        out.append({"change": name, "fit_s": sec, "epochs": int(est.n_iter_[0]),
                    "per_epoch_s": sec / max(1, int(est.n_iter_[0])),
                    "accuracy": est.score(Zt, s.y_test), "epochs_to_target": k})

    solver_row("none (the fast path's solver)", Z32, Zt32)
    solver_row("float64 features instead of float32", Z32.astype(np.float64),
               Zt32.astype(np.float64))
    solver_row("no iterate averaging", Z32, Zt32, average=False)
    solver_row("no early stopping: 20 epochs", Z32, Zt32, early_stopping=False, max_iter=20)
    solver_row("initial intercepts 0 instead of log class priors", Z32, Zt32, init="zero")
    solver_row("patience 2 epochs instead of 1", Z32, Zt32, n_iter_no_change=2)
    solver_row("2 BLAS threads instead of 1", Z32, Zt32, blas_threads=2)
    new_c = cfg.replace(C=REFIT_C)

    def fit_row(name: str, prepare: Callable[[], object], run: Callable[[object], FitResult]):
        times = []
        for _ in range(reps):
            state = prepare()
            t = time.perf_counter()
            res = run(state)
            times.append(time.perf_counter() - t)
        out.append({"change": name, "fit_s": float(np.median(times)), "epochs": res.n_iter,
                    "per_epoch_s": None, "accuracy": res.model.score(s.X_test, s.y_test),
                    "epochs_to_target": None})

    def features_only() -> FitStore:
        store, _ = _stored(cfg, s)
        store.fits.clear()  # keep the features of the training rows, forget the fit
        return store

    fit_row(f"refit C={REFIT_C:g}: warm start + cached features (row e)",
            lambda: _stored(cfg, s),
            lambda sb: fit(new_c, X, y, warm_start_from=sb[1], store=sb[0]))
    fit_row(f"refit C={REFIT_C:g}: warm start, features recomputed",
            lambda: _cold(cfg, s),
            lambda base: fit(new_c, X, y, warm_start_from=base))
    fit_row(f"refit C={REFIT_C:g}: from scratch, cached features", features_only,
            lambda store: fit(new_c, X, y, store=store))
    fit_row(f"refit C={REFIT_C:g}: from scratch, nothing cached", lambda: None,
            lambda _: fit(new_c, X, y))
    fit_row("repeated config: model cache (row f)", lambda: _stored(cfg, s)[0],
            lambda store: fit(cfg, X, y, store=store))
    fit_row("repeated config: no model cache", lambda: None, lambda _: fit(cfg, X, y))
    return out


def drawing_latency(pipe, s: Setup) -> dict:
    """Median ms of preprocess (to_mnist) + predict for one canvas drawing, over s.drawings."""
    # OpenCV: loaded only when this row runs
    from digitlab.data.preprocess import to_mnist
    from digitlab.data.redraw import redraw
    from digitlab.model.predict import predict_digit

    def read(img: np.ndarray) -> None:
        p = to_mnist(img)
        if not p.empty:
            predict_digit(pipe, p.image28)

    rng = np.random.default_rng(0)
    idx = rng.choice(len(s.y_test), size=s.drawings, replace=False)
    _, predict_ms = time_each(lambda i: predict_digit(pipe, s.X_test[i].reshape(28, 28)), idx)
    canvases = [redraw(s.X_test[i], rng, "canvas") for i in idx]
    _, e2e_ms = time_each(read, canvases)
    return {"n": int(s.drawings), "predict_ms": float(np.median(predict_ms)),
            "end_to_end_ms": float(np.median(e2e_ms)),
            "what": "to_mnist on a 280x280 RGBA canvas drawing + predict_digit"}


GROUP_FUNCS = {"lbfgs": group_lbfgs, "lbfgs32": lambda s: group_lbfgs(s, np.float32),
               "sag": group_sag, "sag32": group_sag32, "mlp": group_mlp,
               "digitlab": group_digitlab}


# --- running ---------------------------------------------------------------------------------


def make_setup(args) -> Setup:
    X_train, X_test, y_train, y_test = tutorial_split()
    if args.train_size:
        X_train, y_train = X_train[: args.train_size], y_train[: args.train_size]
    if args.test_size:
        X_test, y_test = X_test[: args.test_size], y_test[: args.test_size]
    return Setup(X_train, X_test, y_train, y_test, args.target, args.time_limit,
                 args.scan_budget, args.repeats, args.drawings)


def _group_in_subprocess(group: str, argv: list[str]) -> list[dict] | dict:
    """Run one group of rows in a fresh Python, so its peak memory is its own."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-m", "benchmarks.training", "--group", group, *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return [_row(group, f"{group}: FAILED", None, "", None, None, "", None, tail)]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace, progress: Callable[[str], None] = lambda m: None) -> dict:
    """Every group of rows (in subprocesses unless args.in_process), ratios and targets."""
    passthrough = ["--target", str(args.target), "--time-limit", str(args.time_limit),
                   "--scan-budget", str(args.scan_budget), "--repeats", str(args.repeats),
                   "--drawings", str(args.drawings)]
    if args.train_size:
        passthrough += ["--train-size", str(args.train_size)]
    if args.test_size:
        passthrough += ["--test-size", str(args.test_size)]
    setup = make_setup(args) if args.in_process else None
    rows, extras, t_all = [], {}, time.perf_counter()
    for group in args.groups:
        progress(f"running {group} ...")
        t = time.perf_counter()
        out = (GROUP_FUNCS[group](setup) if args.in_process
               else _group_in_subprocess(group, passthrough))
        out = {"rows": out} if isinstance(out, list) else out
        rows += out.pop("rows")
        extras.update(out)
        progress(f"  {group}: {time.perf_counter() - t:.1f} s")
    ds = setup or make_setup(args)
    report = {
        "setup": {"n_train": len(ds.y_train), "n_test": len(ds.y_test), "target": args.target,
                  "time_limit_s": args.time_limit, "scan_budget_s": args.scan_budget,
                  "lbfgs_cap": LBFGS_CAP, "repeats": args.repeats, "cpus": os.cpu_count(),
                  "python": platform.python_version(), "in_process": bool(args.in_process)},
        "rows": rows,
        "ablation": extras.get("ablation", []),
        "drawing": extras.get("drawing"),
        "total_s": time.perf_counter() - t_all,
    }
    report["ratios"], report["targets"] = ratios_and_targets(rows, report["drawing"])
    return report


def ratios_and_targets(rows: list[dict], draw: dict | None) -> tuple[list[dict], list[dict]]:
    """Each row's time to target against (a), and the TARGETS, met or missed."""
    by = {r["key"]: r for r in rows}
    a = by.get("a")
    ratios = []
    a_fit = a and a["fit_s"]
    a_tt = a and a["to_target_s"]
    for r in rows:
        if a_fit and r["to_target_s"]:
            ratios.append({"key": r["key"], "to_target_vs_a_fit": r["to_target_s"] / a_fit,
                           "speed_up_vs_a_fit": a_fit / r["to_target_s"],
                           "speed_up_vs_a_to_target": (a_tt / r["to_target_s"]) if a_tt
                           else None})
    sags = [by[k] for k in ("c", "c'") if k in by and by[k]["to_target_s"] is not None]
    if sags:
        by["sag"] = min(sags, key=lambda r: r["to_target_s"])
    if draw:
        by["drawing"] = {"ms": draw["end_to_end_ms"] if draw["end_to_end_ms"] is not None
                         else draw["predict_ms"]}
    return ratios, [_check(t, by) for t in TARGETS if all(k in by for k in t.needs)]


def _figure(by: dict, name: str) -> float | None:
    row, field = name.split(".")
    return by.get(row, {}).get(field)


def _check(t: Target, by: dict) -> dict:
    """One target against the figures: a value or limit that is missing makes it n/a (a peak
    that could not be measured is printed as such, not left out)."""
    value = _figure(by, t.value)
    if isinstance(t.limit, tuple):
        base = _figure(by, t.limit[0])
        limit = None if base is None else base * t.limit[1]
    else:
        limit = t.limit
    met = None if value is None or limit is None else bool(t.op(value, limit))
    name = t.name.format(sag=by["sag"]["key"]) if "sag" in by else t.name
    return {"target": name, "value": value, "limit": limit, "met": met}


# --- printing --------------------------------------------------------------------------------


def _fmt(v: float | None, spec: str = ".2f", none: str = "-") -> str:
    return none if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def format_report(rep: dict) -> str:
    st = rep["setup"]
    lines = [f"DigitLab bench: tutorial split, {st['n_train']:,} training / {st['n_test']:,} "
             f"test images, {st['cpus']} CPUs, target test accuracy {st['target']:g}",
             f"caps: (a) max_iter={st['lbfgs_cap']}; (b) {st['time_limit_s']:g} s of sag "
             f"epochs; epoch scans stop after {st['scan_budget_s']:g} s; DigitLab rows: median "
             f"of {st['repeats']}", ""]
    head = (f"{'':4}{'route':<66}{'fit s':>8}{'iters':>8}{'test acc':>9}{'peak MB':>9}"
            f"{'to target s':>12}  first reached")
    lines += [head, "-" * len(head)]
    for r in rep["rows"]:
        lines.append(f"{r['key']:<4}{r['label'][:65]:<66}{_fmt(r['fit_s'], '.3f'):>8}"
                     f"{r['iters']:>8}{_fmt(r['accuracy'], '.4f'):>9}"
                     f"{_fmt(r['peak_mb'], '.0f'):>9}{_fmt(r['to_target_s'], '.3f'):>12}"
                     f"  {r['target_note']}")
        for n in r["notes"]:
            lines.append(f"{'':8}note: {n}")
    by = {r["key"]: r for r in rep["rows"]}
    if rep["ratios"]:
        a = by["a"]
        lines += ["", f"against (a): its fit to convergence took {a['fit_s']:.1f} s and its first "
                      f"iterate at the target came after {_fmt(a['to_target_s'], '.1f')} s",
                  f"  {'row':<5}{'to target s':>12}{'(a) fit / this':>16}"
                  f"{'(a) to target / this':>22}"]
        for q in rep["ratios"]:
            r = by[q["key"]]
            lines.append(f"  {q['key']:<5}{r['to_target_s']:>12.3f}"
                         f"{q['speed_up_vs_a_fit']:>15.1f}x"
                         f"{_fmt(q['speed_up_vs_a_to_target'], '.1f'):>21}x")
    lines += ["", "targets:"]
    for c in rep["targets"]:
        verdict = {True: "MET", False: "MISSED", None: "n/a"}[c["met"]]
        lines.append(f"  [{verdict:>6}] {c['target']}: {_fmt(c['value'], '.3f')} "
                     f"(limit {_fmt(c['limit'], '.3f')})")
    if rep["ablation"]:
        lines += ["", "what each step of the fast path buys (one change at a time, median of "
                      "up to 3; solver rows: the estimator on prepared features):",
                  f"  {'change':<58}{'fit s':>8}{'epochs':>7}{'s/epoch':>9}{'test acc':>9}"
                  f"{'ep to target':>13}"]
        never = f"> {ABLATION_SCAN}"
        for q in rep["ablation"]:
            missing = never if q["per_epoch_s"] else "-"
            lines.append(f"  {q['change'][:57]:<58}{q['fit_s']:>8.3f}{q['epochs']:>7}"
                         f"{_fmt(q['per_epoch_s'], '.3f'):>9}{q['accuracy']:>9.4f}"
                         f"{_fmt(q['epochs_to_target'], 'd', missing):>13}")
    if rep["drawing"]:
        dr = rep["drawing"]
        lines += ["", f"one drawing -> prediction, median of {dr['n']}: "
                      f"{_fmt(dr['end_to_end_ms'])} ms ({dr['what']}); predict alone "
                      f"{dr['predict_ms']:.2f} ms"]
    lines.append(f"\ntotal {rep['total_s']:.0f} s")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.training",
        description="Training speed side by side on the tutorial split: scikit-learn's routes "
                    "and DigitLab's fast path, time to the target accuracy, memory, ratios.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--target", type=float, default=TARGET, help="test accuracy to reach")
    p.add_argument("--time-limit", type=float, default=15.0,
                   help="seconds of sag epochs for the tutorial's row (b) (default 15)")
    p.add_argument("--scan-budget", type=float, default=90.0,
                   help="the most seconds an epoch scan (rows c, c') may spend (default 90)")
    p.add_argument("--repeats", type=int, default=5, help="runs per DigitLab row (median)")
    p.add_argument("--drawings", type=int, default=200, help="drawings timed (median)")
    p.add_argument("--train-size", type=int, help="use only the first N training images")
    p.add_argument("--test-size", type=int, help="use only the first N test images")
    p.add_argument("--only", dest="groups", nargs="+", choices=GROUPS, default=list(GROUPS),
                   help="run only these groups of rows")
    p.add_argument("--in-process", action="store_true",
                   help="run every row in this process (peak memory is then shared)")
    p.add_argument("--quick", action="store_true",
                   help="a seconds-long smoke run: 3,000 training images, target 0.85, "
                        "1 repeat, in process")
    p.add_argument("--group", choices=GROUPS, help=argparse.SUPPRESS)  # a subprocess's share
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.train_size, args.test_size = args.train_size or 3000, args.test_size or 2000
        args.target, args.repeats, args.drawings = 0.85, 1, min(args.drawings, 20)
        args.time_limit, args.scan_budget, args.in_process = 1.0, 5.0, True
    if args.repeats < 1 or args.drawings < 1 or not 0 < args.target < 1:
        print("benchmarks.training: --repeats and --drawings must be at least 1 and --target a "
              "fraction between 0 and 1.", file=sys.stderr)
        return 2
    if args.group:  # inside a subprocess: one group, JSON rows on the last line
        print(dumps(GROUP_FUNCS[args.group](make_setup(args))))
        return 0

    report = run(args, say)
    print(dumps(report) if args.json else format_report(report))
    failed = any(r["label"].endswith("FAILED") for r in report["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
