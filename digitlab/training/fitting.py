"""A fit with no hidden state: a TrainConfig and the training rows -> a FitResult.

    result = fit(TrainConfig(), X_train, y_train)        # from the pixels, every time
    result = fit(config, X_train, y_train, store=store)  # shared through an explicit FitStore

The solver registry (digitlab.model.solvers) builds and runs the estimator; this module does what is
the same for every solver: the training subset, the features, warm starts, progress events,
the result, and the store's keys.
"""

from __future__ import annotations

import contextlib
import math
import time
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.pipeline import Pipeline

from digitlab.data import augment, fatpen, typeset
from digitlab.model import features, solvers
from digitlab.model.config import ConfigError, TrainConfig, training_rows
from digitlab.model.pipeline import (
    FEATURES_STEP,
    LOGREG_STEP,
    PIXELS_STEP,
    PixelTransform,
    assemble,
)
from digitlab.model.solvers import FitStopped
from digitlab.runtime import childproc
from digitlab.runtime.threads import blas_limit
from digitlab.text import N_
from digitlab.training.movie import Movie, Recorder
from digitlab.training.store import FitStore


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a fit, for progress bars and live curves. Fields a solver cannot report
    are None (scikit-learn's solvers report only start and end)."""

    iteration: int
    max_iter: int
    elapsed: float
    loss: float | None = None
    val_accuracy: float | None = None
    message: str = ""
    val_class_accuracy: tuple[float, ...] | None = None  # per class, in classes_ order


OnProgress = Callable[[ProgressEvent], None]
# A fit's turn (digitlab.runtime.fairqueue.FairQueue.turn): waits until a worker is free, holds
# it while the fit runs, and gives the BLAS threads the fit may use.
Turn = Callable[[], AbstractContextManager[int]]


@dataclass(frozen=True)
class FitResult:
    config: TrainConfig
    model: Pipeline
    fit_seconds: float
    n_iter: int
    converged: bool
    n_train: int
    history: tuple[ProgressEvent, ...] = ()
    notes: tuple[str, ...] = field(default=())
    stopped: bool = False  # ended by should_stop: the best model so far, not the config's fit
    warm_started: bool = False  # began from an earlier model: depends on more than the config
    # the weights epoch by epoch (digitlab.training.movie): solvers that report every epoch,
    # on pixel features; None otherwise
    movie: Movie | None = None
    # came back from a store: its fit_seconds are the original fit's, not this lookup's
    reused: bool = False
    # its training features came from the store, made by an earlier fit of the same rows (a
    # refit after changing C): its seconds are the solver's alone (digitlab.training.estimate)
    features_ready: bool = False


def data_checksum(X: np.ndarray, y: np.ndarray) -> tuple:
    """Shape, dtype and crc32 of every byte of X and y: ~10 ms for the 47 MB training split,
    cheap next to a fit, and it changes if a single pixel does."""
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    return (X.shape, X.dtype.str, zlib.crc32(X.data.cast("B")),
            y.shape, y.dtype.str, zlib.crc32(y.data.cast("B")))


def fit_key(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
            side: int = 28, checksum: tuple | None = None) -> tuple:
    """What a stored fit is filed under: the config, the image side and the data's checksum
    (`checksum`: data_checksum(X_train, y_train) computed earlier by the caller, who vouches
    that the arrays have not changed since: digitlab.training.session.Split, read-only)."""
    return (config, side, data_checksum(X_train, y_train) if checksum is None else checksum)


def stored(store: FitStore, config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
           side: int = 28, checksum: tuple | None = None) -> FitResult | None:
    """The finished fit of `config` on this data in `store`, as `fit` would return it, or None
    (never fits, never waits); `checksum` as for fit_key."""
    t0 = time.perf_counter()
    cached = store.fits.peek(fit_key(config, X_train, y_train, side, checksum))
    return None if cached is None else _replay(cached, None, time.perf_counter() - t0)


def fit(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
        on_progress: OnProgress | None = None, side: int = 28,
        should_stop: Callable[[], bool] | None = None,
        warm_start_from: FitResult | None = None,
        store: FitStore | None = None, turn: Turn | None = None,
        checksum: tuple | None = None) -> FitResult:
    """Fit the pipeline for `config` on the training split (subset by `config.train_size`).

    Parameters
    ----------
    on_progress : called with a ProgressEvent at the start, after every epoch of a solver
        that reports epochs (with the training loss and the held-out accuracy), and at the end
        (message "done"). scikit-learn's solvers report only the start and the end.
    should_stop : polled by solvers that can stop (digitlab-fast: every few mini-batches);
        when it returns True the fit ends at once and returns the best model so far
        (FitResult.stopped and notes say so).
    warm_start_from : an earlier FitResult whose weights start this fit (same scaling,
        deskew and classes; otherwise a note says it started from scratch). For
        "digitlab-fast" a refit after changing only C then takes an epoch or two.
    store : a FitStore to share through. A fit of this config on this data that is stored
        comes back at once (its curve replayed, a note says so); one running for another
        caller is waited for; otherwise this call fits and stores the result, unless it was
        stopped or warm-started (then it is not what its config alone describes). Its
        features are kept for the next fit of the same rows (a refit after changing C).
    turn : the fit's turn in a fair queue (digitlab.runtime.fairqueue): entered only by a
        call that computes (a caller waiting for the same fit in the store takes no place),
        it waits for a free worker and raises Stopped if the caller leaves the line first.
    checksum : data_checksum(X_train, y_train), when the caller has it already (fit_key): the
        store's keys then cost nothing (the whole split's crc32 is ~12 ms a fit).

    From a page (Streamlit): run `fit` in a worker thread; both callbacks are called from that
    thread, so they must not call Streamlit. Let on_progress append the event to a list that
    the page reads while it polls, and let should_stop return a threading.Event's is_set(),
    which the Stop button sets. Keep both quick: they run between mini-batches.
    """
    t0 = time.perf_counter()

    def compute(emit: OnProgress | None, checksum: tuple | None = None) -> FitResult:
        with turn() if turn is not None else contextlib.nullcontext(1) as threads:
            return _fit(config, X_train, y_train, side, emit, should_stop, warm_start_from,
                        time.perf_counter(), store, checksum, threads)

    if store is None:
        return compute(on_progress)
    key = fit_key(config, X_train, y_train, side, checksum)
    result, how = store.fits.get_or_compute(
        key, lambda emit: compute(emit, key[2]),
        keep=lambda r: not (r.stopped or r.warm_started), on_event=on_progress,
        should_stop=should_stop, private=warm_start_from is not None)
    if how == "stored":
        return _replay(result, on_progress, time.perf_counter() - t0)
    if how == "abandoned":
        raise FitStopped(N_("Stopped while another session's fit of the same settings was "
                            "running; nothing was fitted for this request."))
    if how == "joined":
        note = N_("Shared one fit with another session that asked for the same settings at once.")
        return replace(result, fit_seconds=time.perf_counter() - t0, notes=result.notes + (note,))
    return result


def with_printed(config: TrainConfig, X: np.ndarray, y: np.ndarray, side: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The training rows, `config.printed` printed digits after them (digitlab.data.typeset:
    the benchmark's tuning typefaces only), then `config.fat_pen` of the training rows re-drawn
    with a fat pen (digitlab.data.fatpen); the rows as they are when both are 0."""
    if not (config.printed or config.fat_pen):
        return X, y
    if side != typeset.SIDE:
        raise ConfigError(N_("printed and fat-pen digits are drawn at 28x28; these images are "
                             "{side}x{side}: set printed and fat_pen to 0.", side=side))
    X = np.asarray(X)
    parts = [(X, np.asarray(y))]
    if config.printed:
        parts.append(typeset.rows(config.printed, config.seed))
    if config.fat_pen:
        parts.append(fatpen.rows(X, y, config.fat_pen, config.seed))
    return (np.concatenate([a.astype(X.dtype) for a, _ in parts]),
            np.concatenate([b.astype(parts[0][1].dtype) for _, b in parts]))


def digits_to_draw(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
                   side: int = 28) -> tuple[int, int]:
    """(printed, fat-pen) digits a fit of `config` would draw before it starts, because
    neither memory nor the cache beside MNIST holds them yet (`with_printed`; then cached, so
    only a machine's first such fit draws them): (0, 0) when both are ready. Never draws."""
    if not (config.printed or config.fat_pen) or side != typeset.SIDE:
        return 0, 0
    X, y = training_rows(config, X_train, y_train)
    printed = config.printed if config.printed and not typeset.cached(
        config.printed, config.seed) else 0
    fat = min(config.fat_pen, len(y)) if config.fat_pen and not fatpen.cached(
        np.asarray(X), np.asarray(y), config.fat_pen, config.seed) else 0
    return printed, fat


def _fit(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray, side: int,
         on_progress: OnProgress | None, should_stop: Callable[[], bool] | None,
         warm_start_from: FitResult | None, t0: float, store: FitStore | None = None,
         checksum: tuple | None = None, threads: int = 1) -> FitResult:
    """The fit itself; t0 is when it began (after any wait for its turn: a fit's seconds are
    its own), `threads` the BLAS threads it may use."""
    solver = solvers.get(config.solver)
    X, y = with_printed(config, *training_rows(config, X_train, y_train), side)
    if len(np.unique(y)) < 2:
        raise ConfigError("the training subset holds only one class; use more training images.")
    notes = []
    if math.isinf(config.C) and config.l1_ratio > 0:
        notes.append(N_("C is infinite (no penalty), so l1_ratio has no effect."))
    history = [ProgressEvent(0, config.max_iter, 0.0, message="fitting")]
    if on_progress:
        on_progress(history[0])
    pixels, step, Z, yz, rows, ready = _features(config, solver, X, y, side, store, checksum,
                                                 threads)
    init = _warm_weights(warm_start_from, config, side, step, Z.shape[1], y, notes)
    fresh = None
    if config.augment:  # the solver asks for each mini-batch made afresh from its uint8 rows
        def front(R: np.ndarray) -> np.ndarray:
            Zb = pixels.transform(R)
            return Zb if step is None else step.transform(Zb)

        fresh = augment.batch_source(rows, front, config.seed, side)

    # the weights' movie: only a solver that reports each epoch has one, and only weights that
    # belong to pixels (no feature map) are pictures
    recorder = Recorder() if solver.per_epoch and step is None else None

    def relay(info) -> None:
        coef = getattr(info, "coef", None)
        if recorder is not None and coef is not None:
            recorder.add(info.epoch, coef)
        ev = ProgressEvent(info.epoch, info.max_epochs, time.perf_counter() - t0, info.loss,
                           info.val_accuracy, info.message, info.val_class_accuracy)
        history.append(ev)
        if on_progress:
            on_progress(ev)

    est = solver.build(config)
    outcome = solver.run(est, Z, yz, solvers.Hooks(init, relay, should_stop, fresh, threads))
    seconds = time.perf_counter() - t0
    done = ProgressEvent(outcome.n_iter, config.max_iter, seconds, message="done")
    history.append(done)
    if on_progress:
        on_progress(done)
    pipe = assemble(pixels, step, est)
    movie = None if recorder is None else recorder.finish(
        est.coef_, getattr(est, "best_iteration_", outcome.n_iter))
    return FitResult(config, pipe, seconds, outcome.n_iter, outcome.converged, len(y),
                     tuple(history), tuple(notes) + outcome.notes, outcome.stopped,
                     init is not None, movie, features_ready=ready)


def _row_order(n_rows: int, seed: int) -> np.ndarray:
    """The order a shuffled-rows solver fits the rows in (the split's own rows first, then any
    printed digits): a permutation by the seed; the solver holds out the last tenth of it.
    (benchmarks/canvas_screen.py puts another order here to try another held-out slice.)"""
    return np.random.default_rng(seed).permutation(n_rows)


def _features(config: TrainConfig, solver: solvers.Solver, X: np.ndarray, y: np.ndarray,
              side: int, store: FitStore | None, checksum: tuple | None, threads: int = 1):
    """(fitted PixelTransform, fitted feature step or None, read-only float32 features (in
    shared memory for a solver that fits in a child process), labels, uint8 rows, whether they
    were stored already) for the rows the solver fits on, in its order; through the store when
    there is one, so a refit after changing only C (or the solver, within the same row order)
    skips this work."""
    def compute(emit=None):
        if store is not None and config.features != features.PIXELS:
            # A feature map (rbf) starts from the pixel features of the same rows, which the
            # class's pixel fits use too: made once through the store, and held once (with the
            # rows) for both kinds.
            pixels, _, Z, ys, Xs, _ = _features(replace(config, features=features.PIXELS),
                                                solver, X, y, side, store, checksum, threads)
        else:
            Xs, ys = X, y
            if solver.shuffled_rows:
                # Shuffle the uint8 rows, once: a quarter of the bytes of shuffling float32
                # features, and the solver then holds out the last tenth without a copy.
                perm = _row_order(len(y), config.seed)
                Xs, ys = X[perm], y[perm]
            pixels = PixelTransform(config.scaling, config.deskew, side)
            Z = pixels.fit_transform(Xs)
        step = features.build(config, Z)
        if step is not None:
            # The fit's BLAS threads (one while the fair queue runs a fit per core): on a busy
            # 2-core machine the rbf map of all 59,500 digits took 19 s with one and 24 s with two.
            # (written straight into shared memory when a child will fit on it)
            empty = childproc.shareable_empty if solver.in_child else np.empty
            with blas_limit(threads):
                Z = features.fit_transform(step, Z, empty)
        elif solver.in_child:  # the child fit maps these very pages (childproc.shareable)
            Z = childproc.shareable(Z)
        Z.flags.writeable = False  # may be shared by later fits through the store
        return pixels, step, Z, ys, Xs

    if store is None:
        return (*compute(), False)
    key = _features_key(config, solver, side, checksum)
    (pixels, step, Z, ys, Xs), how = store.features.get_or_compute(key, compute)
    # The fitted maps are shared, as the features are: no fit, page or file changes a fitted
    # step (each rbf map holds ~19 MB of landmarks and their kernel: a copy per model was
    # ~130 MB when a third of twenty students fitted rbf features).
    return pixels, step, Z, ys, Xs, how == "stored"


def _features_key(config: TrainConfig, solver: solvers.Solver, side: int,
                  checksum: tuple | None) -> tuple:
    """What a fit's training features are filed under in the store: what changes them."""
    order = config.seed if solver.shuffled_rows else None
    # (the printed digits are rows too: the checksum is of the training split alone)
    return (checksum, config.train_size, config.printed, config.fat_pen, config.scaling,
            config.deskew,
            config.features, side, order, solver.in_child)


def features_ready(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
                   store: FitStore | None, side: int = 28, checksum: tuple | None = None) -> bool:
    """Whether `store` holds the training features a fit of `config` on this data makes first
    (a refit after changing only C: the fit is then the solver's epochs alone, seconds where
    the features took more); `checksum` as for fit_key. Never waits, never computes."""
    if store is None:
        return False
    checksum = checksum if checksum is not None else data_checksum(X_train, y_train)
    return store.features.holds(_features_key(config, solvers.get(config.solver), side, checksum))


def _warm_weights(prev: FitResult | None, config: TrainConfig, side: int, step,
                  n_features: int, y: np.ndarray,
                  notes: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(coef, intercept) of `prev` if they can start this fit (same pixels, the same fitted
    feature step `step`, same classes), else None (with a note why)."""
    if prev is None:
        return None
    try:
        pixels, est = prev.model.named_steps[PIXELS_STEP], prev.model.named_steps[LOGREG_STEP]
        coef, intercept, classes = est.coef_, est.intercept_, est.classes_
    except (AttributeError, KeyError):
        notes.append(N_("The earlier model has no weights to start from; started from "
                        "scratch."))
        return None
    same_input = (pixels.scaling, pixels.deskew, pixels.side) == (config.scaling,
                                                                  config.deskew, side)
    # A kernel map's weights mean nothing against other landmark digits: the step must match.
    same_map = features.same_step(prev.model.named_steps.get(FEATURES_STEP), step)
    labels = np.unique(y)
    if not (same_input and same_map) or coef.shape != (len(labels), n_features) or not (
            np.array_equal(classes, labels)):
        notes.append(N_("The earlier model used other pixels (scaling, deskew or size), other "
                        "features or other classes, so this fit started from scratch."))
        return None
    notes.append(N_("Warm start: began from the earlier model ({solver}, C={C:g}).",
                    solver=prev.config.solver, C=prev.config.C))
    return np.array(coef, copy=True), np.array(intercept, copy=True)


def _replay(cached: FitResult, on_progress: OnProgress | None, seconds: float) -> FitResult:
    """A stored fit: replay its curve to on_progress and return it, marked reused (its
    fit_seconds stay the original fit's: a lookup's milliseconds say nothing about the fit)."""
    done = ProgressEvent(cached.n_iter, cached.config.max_iter, seconds, message="done")
    history = cached.history[:-1] + (done,)
    if on_progress:
        for ev in history:
            on_progress(ev)
    note = N_("Reused the model fitted earlier for this setting and data "
              "(that fit took {seconds:.2f} s).", seconds=cached.fit_seconds)
    return replace(cached, history=history, notes=cached.notes + (note,), reused=True)
