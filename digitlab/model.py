"""TrainConfig -> a fitted scikit-learn pipeline (pixel transform + LogisticRegression), predict,
save/load with skops.

The tutorial wrote `LogisticRegression(multi_class="multinomial", solver="sag", C=1, ...)` with
`penalty="l2"`. scikit-learn 1.9 removed `multi_class` (every solver but liblinear is
multinomial now) and deprecates `penalty`: the penalty is chosen by `l1_ratio` (0 = L2,
1 = L1, between = elastic net) and "no penalty" is `C=np.inf`. `TrainConfig` speaks that
modern API and checks each combination before any fit, so a refused mix is a sentence, not a
traceback.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from digitlab.fast import EpochInfo, FastLogisticRegression
from digitlab.lru import LRUCache

# Solvers that support the multinomial loss in scikit-learn 1.9, and the penalties each takes.
# liblinear is left out: it refuses more than two classes. FAST_SOLVER is DigitLab's own
# (digitlab.fast: mini-batch Adam in float32 with early stopping), the default: seconds, not
# minutes, on the full training set.
FAST_SOLVER = "digitlab-fast"
L2_ONLY = (FAST_SOLVER, "lbfgs", "newton-cg", "newton-cholesky", "sag")
SOLVERS = L2_ONLY + ("saga",)
SCALINGS = {
    "unit": "pixels / 255 (0..1)",
    "raw": "raw pixels 0..255 (the tutorial)",
    "standard": "per-pixel z-score (mean 0, std 1 over the training set)",
}


class ConfigError(ValueError):
    """A setting a user chose that cannot work; the message says what to change."""


@dataclass(frozen=True)
class TrainConfig:
    """Every setting that changes a trained model. Frozen and hashable: it keys the caches.

    Parameters
    ----------
    C : inverse regularisation strength; ``math.inf`` means no penalty.
    l1_ratio : 0 = L2 penalty, 1 = L1, in between = elastic net (saga only for > 0).
    solver : one of SOLVERS; "digitlab-fast" (the default) stops early, when accuracy on a
        held-out tenth of the training rows stops improving, and keeps the best model.
    max_iter : iteration (for sag, saga and digitlab-fast: epoch) limit.
    tol : stopping tolerance (for digitlab-fast: the least rise in held-out accuracy that
        counts as an improvement).
    test_size : fraction of the 70k held out for testing (the tutorial: 0.15).
    seed : random_state of the split and the solver.
    scaling : one of SCALINGS ("unit" = pixels/255).
    train_size : fit on only the first n training images (None = all); the test set is unchanged.
    deskew : straighten slanted digits (moment-based shear) before scaling.
    """

    C: float = 1.0
    l1_ratio: float = 0.0
    solver: str = FAST_SOLVER
    max_iter: int = 100
    tol: float = 1e-4
    test_size: float = 0.15
    seed: int = 0
    scaling: str = "unit"
    train_size: int | None = None
    deskew: bool = False

    def __post_init__(self) -> None:
        validate(self)

    @property
    def penalty_name(self) -> str:
        if math.isinf(self.C):
            return "none"
        named = {0.0: "L2", 1.0: "L1"}
        return named.get(self.l1_ratio, f"elastic net (l1_ratio={self.l1_ratio:g})")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["C"] = "inf" if math.isinf(self.C) else self.C  # JSON has no infinity
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        d = dict(d)
        if "C" in d:
            d["C"] = float(d["C"])
        return cls(**d)

    def replace(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)


def _is_whole(v: Any) -> bool:
    """An int (numpy ints too), but not a bool or float: scikit-learn 1.9 refuses max_iter=10.0."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def solvers_for(l1_ratio: float, C: float) -> tuple[str, ...]:
    """The solvers that accept this penalty: every one for L2 or no penalty (C=inf), only
    those outside L2_ONLY (saga) for L1 or elastic net."""
    if l1_ratio > 0 and not math.isinf(C):
        return tuple(s for s in SOLVERS if s not in L2_ONLY)
    return SOLVERS


def validate(c: TrainConfig) -> None:
    """Raise ConfigError naming the bad value and what is allowed."""
    if c.solver not in SOLVERS:
        raise ConfigError(f"solver must be one of {', '.join(SOLVERS)}; got {c.solver!r}.")
    if not (isinstance(c.C, (int, float)) and (c.C > 0)) or math.isnan(c.C):
        raise ConfigError(f"C must be a positive number (or inf for no penalty); got {c.C!r}.")
    if not 0.0 <= c.l1_ratio <= 1.0:
        raise ConfigError(f"l1_ratio must be between 0 (L2) and 1 (L1); got {c.l1_ratio!r}.")
    if c.solver not in solvers_for(c.l1_ratio, c.C):
        raise ConfigError(
            f"solver {c.solver!r} only supports the L2 penalty (l1_ratio=0), but l1_ratio is "
            f"{c.l1_ratio:g}. Choose solver 'saga' for L1 or elastic net, or set l1_ratio to 0."
        )
    if not _is_whole(c.max_iter) or c.max_iter < 1:
        raise ConfigError(f"max_iter must be a whole number of at least 1; got {c.max_iter!r}.")
    if not (isinstance(c.tol, (int, float)) and c.tol > 0):
        raise ConfigError(f"tol must be a positive number; got {c.tol!r}.")
    if not 0.0 < c.test_size < 1.0:
        raise ConfigError(f"test_size must be a fraction between 0 and 1; got {c.test_size!r}.")
    if not _is_whole(c.seed) or c.seed < 0:
        raise ConfigError(f"seed must be a whole number of at least 0; got {c.seed!r}.")
    if c.scaling not in SCALINGS:
        raise ConfigError(f"scaling must be one of {', '.join(SCALINGS)}; got {c.scaling!r}.")
    if c.train_size is not None and (not _is_whole(c.train_size) or c.train_size < 10):
        raise ConfigError(f"train_size must be a whole number of at least 10, or None for all; "
                          f"got {c.train_size!r}.")


# --- the pixel transform that travels inside the model file ----------------------------------


def _rows(X) -> np.ndarray:
    """One image, a stack of images or rows of pixels -> 2-D rows of pixels."""
    X = np.asarray(X)
    if X.ndim == 1:
        return X.reshape(1, -1)
    return X.reshape(len(X), -1) if X.ndim == 3 else X


class PixelTransform(TransformerMixin, BaseEstimator):
    """Rows of uint8 pixels -> float32 features, exactly as at training time.

    It lives inside the saved pipeline, so a model file carries its own preprocessing (scaling
    and deskew): `predict` takes raw 0..255 pixels whatever the model was trained with.
    float32 because it halves memory traffic, and lbfgs/sag keep float32 end to end.
    """

    def __init__(self, scaling: str = "unit", deskew: bool = False, side: int = 28):
        self.scaling = scaling
        self.deskew = deskew
        self.side = side

    def fit(self, X, y=None):
        self._learn(self._pixels(X) if self.scaling == "standard" else None, X)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        # One conversion (and one deskew) instead of the two that fit().transform() costs.
        Z = self._pixels(X)
        self._learn(Z, X)
        return self._scale(Z)

    def _learn(self, Z: np.ndarray | None, X) -> None:
        if self.scaling == "standard":
            self.mean_ = Z.mean(axis=0, dtype=np.float64).astype(np.float32)
            # Pixels that never vary (the borders) get std 1 so they stay 0 instead of blowing up.
            std = Z.std(axis=0, dtype=np.float64).astype(np.float32)
            self.scale_ = np.where(std < 1e-3, 1.0, std).astype(np.float32)
        self.n_features_in_ = _rows(X).shape[1]

    def _pixels(self, X) -> np.ndarray:
        """A NEW float32 array of flattened (deskewed) pixels: safe to scale in place."""
        X = _rows(X)
        if self.deskew:
            from digitlab.preprocess import deskew_rows

            X = deskew_rows(np.asarray(X, dtype=np.uint8), self.side)
        return X.astype(np.float32)

    def _scale(self, Z: np.ndarray) -> np.ndarray:
        # In place: a second 59,500 x 784 float32 array would cost 187 MB and ~30 ms.
        if self.scaling == "unit":
            Z *= np.float32(1 / 255)
        elif self.scaling == "standard":
            Z -= self.mean_
            Z /= self.scale_
        return Z

    def transform(self, X):
        return self._scale(self._pixels(X))


# --- fitting ---------------------------------------------------------------------------------


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


OnProgress = Callable[[ProgressEvent], None]


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


def make_estimator(config: TrainConfig) -> LogisticRegression | FastLogisticRegression:
    """The modern spelling of the tutorial's estimator for this config."""
    if config.solver == FAST_SOLVER:
        return FastLogisticRegression(C=float(config.C), max_iter=int(config.max_iter),
                                      tol=float(config.tol), random_state=int(config.seed))
    l1 = 0.0 if math.isinf(config.C) else float(config.l1_ratio)  # no penalty: l1_ratio is moot
    return LogisticRegression(
        C=float(config.C), l1_ratio=l1, solver=config.solver, max_iter=int(config.max_iter),
        tol=float(config.tol), random_state=int(config.seed),
    )


def make_pipeline(config: TrainConfig, side: int = 28) -> Pipeline:
    return Pipeline([
        ("pixels", PixelTransform(config.scaling, config.deskew, side)),
        ("logreg", make_estimator(config)),
    ])


def training_rows(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray):
    """The first `train_size` rows of the (already shuffled) training split."""
    if config.train_size is None or config.train_size >= len(y_train):
        return X_train, y_train
    return X_train[: config.train_size], y_train[: config.train_size]


def fit(config: TrainConfig, X_train: np.ndarray, y_train: np.ndarray,
        on_progress: OnProgress | None = None, side: int = 28,
        should_stop: Callable[[], bool] | None = None,
        warm_start_from: FitResult | None = None) -> FitResult:
    """Fit the pipeline for `config` on the training split (subset by `config.train_size`).

    Parameters
    ----------
    on_progress : called with a ProgressEvent at the start, after every epoch of
        "digitlab-fast" (with the training loss and the held-out accuracy), and at the end
        (message "done..."). scikit-learn's solvers report only the start and the end.
    should_stop : polled by "digitlab-fast" every few mini-batches; when it returns True
        the fit ends at once and returns the best model so far (FitResult.notes says so).
    warm_start_from : an earlier FitResult whose weights start this fit (same scaling,
        deskew and classes; otherwise a note says it started from scratch). For
        "digitlab-fast" a refit after changing only C then takes an epoch or two.

    A fit that ran to its end is cached by (config, the data's checksum): the same config on
    the same data returns the cached FitResult at once (notes say so; `clear_cache()` empties
    it). A fit ended by should_stop is not cached.

    From a page (Streamlit): run `fit` in a worker thread; both callbacks are called from that
    thread, so they must not call Streamlit. Let on_progress append the event to a list (or
    put it on a queue.Queue) that the page reads while it polls, and let should_stop return
    a threading.Event's is_set(), which the Stop button sets. Keep both quick: they run
    between mini-batches.
    """
    t0 = time.perf_counter()
    checksum = data_checksum(X_train, y_train)
    key = (config, side, checksum)
    cached = _MODELS.get(key)
    if cached is not None:
        return _replay(cached, on_progress, time.perf_counter() - t0)
    X, y = training_rows(config, X_train, y_train)
    if len(np.unique(y)) < 2:
        raise ConfigError("the training subset holds only one class; use more training images.")
    notes = []
    if math.isinf(config.C) and config.l1_ratio > 0:
        notes.append("C is infinite (no penalty), so l1_ratio has no effect.")
    start = ProgressEvent(0, config.max_iter, 0.0, message="fitting")
    if on_progress:
        on_progress(start)
    init = _warm_weights(warm_start_from, config, side, X, y, notes)
    if config.solver == FAST_SOLVER:
        pipe, history, stopped = _fit_fast(config, X, y, side, checksum, init, on_progress,
                                           should_stop, t0)
        est = pipe.named_steps["logreg"]
        n_iter = int(est.n_iter_[0])
        converged = est.stopped_by_ == "early stopping"
        if stopped:
            notes.append(f"Stopped on request after {n_iter} epochs; kept the best model so far "
                         f"(epoch {est.best_iteration_}).")
        elif not converged:
            notes.append(f"Stopped at max_iter={config.max_iter} epochs while the held-out "
                         "accuracy was still rising: raise max_iter.")
    else:
        pipe = make_pipeline(config, side)
        if init is not None:
            est = pipe.named_steps["logreg"].set_params(warm_start=True)
            est.coef_, est.intercept_ = init  # LogisticRegression starts from these
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            pipe.fit(X, y)
        n_iter = int(np.max(pipe.named_steps["logreg"].n_iter_))
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        if not converged:
            notes.append(f"The solver stopped at max_iter={config.max_iter} before converging "
                         f"(tol={config.tol:g}): raise max_iter or tol, or scale the pixels.")
        history, stopped = [start], False
    seconds = time.perf_counter() - t0
    done = ProgressEvent(n_iter, config.max_iter, seconds, message="done")
    if on_progress:
        on_progress(done)
    result = FitResult(config, pipe, seconds, n_iter, converged, len(y),
                       tuple(history) + (done,), tuple(notes), stopped)
    if not stopped:
        _MODELS.put(key, result)
    return result


def _fit_fast(config: TrainConfig, X: np.ndarray, y: np.ndarray, side: int, checksum: tuple,
              init: tuple[np.ndarray, np.ndarray] | None, on_progress: OnProgress | None,
              should_stop: Callable[[], bool] | None, t0: float):
    """digitlab-fast: returns (fitted pipeline, the epoch events, whether stop was asked)."""
    pipe = make_pipeline(config, side)
    est = pipe.named_steps["logreg"].set_params(shuffle=False)
    fkey = (checksum, config.train_size, config.scaling, config.deskew, side, config.seed)
    features = _FEATURES.get(fkey)
    if features is None:
        # Shuffle the uint8 rows, once: a quarter of the bytes of shuffling float32 features,
        # and the estimator then holds out the last tenth without a copy (shuffle=False).
        perm = np.random.default_rng(config.seed).permutation(len(y))
        X, y = X[perm], y[perm]
        Z = pipe.named_steps["pixels"].fit_transform(X)
        Z.flags.writeable = False  # shared by later fits through the cache
        features = (copy.deepcopy(pipe.named_steps["pixels"]), Z, y)
        _FEATURES.put(fkey, features)
    pixels, Z, y = features
    pipe.steps[0] = ("pixels", copy.deepcopy(pixels))
    history = [ProgressEvent(0, config.max_iter, 0.0, message="fitting")]
    asked = []

    def relay(info: EpochInfo) -> None:
        ev = ProgressEvent(info.epoch, info.max_epochs, time.perf_counter() - t0, info.loss,
                           info.val_accuracy, info.message)
        history.append(ev)
        if on_progress:
            on_progress(ev)

    def stop() -> bool:
        if should_stop is not None and should_stop():
            asked.append(True)
            return True
        return False

    coef, intercept = init if init is not None else (None, None)
    with sklearn.config_context(assume_finite=True):  # pixels from uint8: always finite
        est.fit(Z, y, coef_init=coef, intercept_init=intercept, on_progress=relay,
                should_stop=stop if should_stop is not None else None)
    return pipe, history, bool(asked)


def _warm_weights(prev: FitResult | None, config: TrainConfig, side: int, X: np.ndarray,
                  y: np.ndarray, notes: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(coef, intercept) of `prev` if they can start this fit, else None (with a note why)."""
    if prev is None:
        return None
    try:
        pixels, est = prev.model.named_steps["pixels"], prev.model.named_steps["logreg"]
        coef, intercept, classes = est.coef_, est.intercept_, est.classes_
    except (AttributeError, KeyError):
        notes.append("The earlier model has no weights to start from; started from scratch.")
        return None
    same_input = (pixels.scaling, pixels.deskew, pixels.side) == (config.scaling,
                                                                  config.deskew, side)
    labels = np.unique(y)
    if not same_input or coef.shape != (len(labels), X.shape[1]) or not np.array_equal(
            classes, labels):
        notes.append("The earlier model used other pixels (scaling, deskew or size) or other "
                     "classes, so this fit started from scratch.")
        return None
    notes.append(f"Warm start: began from the earlier model ({prev.config.solver}, "
                 f"C={prev.config.C:g}).")
    return np.array(coef, copy=True), np.array(intercept, copy=True)


# --- the model cache ---------------------------------------------------------------------------


# Two caches live here. _MODELS: the last complete fits, keyed by (config, side, data
# checksum). _FEATURES: the last training rows already shuffled and turned into float32
# features, keyed by the data's checksum and what the transform depends on (scaling, deskew,
# side, seed), so a refit after changing only C skips that work. Both are safe to share between
# users: a key names the data and every setting that changes the value, and values are never
# modified (the feature array is read-only).
_MODELS = LRUCache(32)  # a fitted model is ~31 kB of weights
_FEATURES = LRUCache(1)  # 187 MB for the full training split: keep only the last


def clear_cache() -> None:
    """Forget every cached fit and feature array (the next fit starts cold)."""
    _MODELS.clear()
    _FEATURES.clear()


def data_checksum(X: np.ndarray, y: np.ndarray) -> tuple:
    """Shape, dtype and crc32 of every byte of X and y: ~10 ms for the 47 MB training split,
    cheap next to a fit, and it changes if a single pixel does."""
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    return (X.shape, X.dtype.str, zlib.crc32(memoryview(X).cast("B")),
            y.shape, y.dtype.str, zlib.crc32(memoryview(y).cast("B")))


def _replay(cached: FitResult, on_progress: OnProgress | None, seconds: float) -> FitResult:
    """A cache hit: replay the cached curve to on_progress and return the cached fit."""
    done = ProgressEvent(cached.n_iter, cached.config.max_iter, seconds, message="done")
    history = cached.history[:-1] + (done,)
    if on_progress:
        for ev in history:
            on_progress(ev)
    note = (f"Reused the model fitted earlier for this setting and data "
            f"(that fit took {cached.fit_seconds:.2f} s).")
    return replace(cached, fit_seconds=seconds, history=history, notes=cached.notes + (note,))


# --- predicting ------------------------------------------------------------------------------


def predict_digit(model: Pipeline, image28: np.ndarray) -> tuple[int, np.ndarray]:
    """One 28x28 (or 784) uint8 image -> (digit, the ten probabilities)."""
    proba = model.predict_proba(np.asarray(image28, dtype=np.uint8).reshape(1, -1))[0]
    return int(model.classes_[int(np.argmax(proba))]), proba


# --- model files -----------------------------------------------------------------------------

TRUSTED_PREFIXES = ("digitlab.", "sklearn.", "numpy.", "builtins.")


def save(result: FitResult, path: str | Path, data_name: str = "MNIST") -> Path:
    """Write a skops file (no pickle) with the pipeline and what it expects as input."""
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": "digitlab-model-1",
        "model": result.model,
        "config": result.config.to_dict(),
        "data": data_name,
        "input": "uint8 pixels 0..255, white ink on black, 28x28 MNIST-centred, flattened",
        "scaling": result.config.scaling,
        "deskew": result.config.deskew,
        "fit_seconds": result.fit_seconds,
        "n_train": result.n_train,
    }
    sio.dump(payload, path)
    return path


def load(path: str | Path) -> dict[str, Any]:
    """Read a DigitLab skops file; refuses any type outside digitlab/sklearn/numpy."""
    import skops.io as sio

    path = Path(path)
    untrusted = sio.get_untrusted_types(file=path)
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ValueError(f"{path} contains types DigitLab does not trust: {', '.join(bad)}")
    payload = sio.load(path, trusted=untrusted)
    if not isinstance(payload, dict) or payload.get("format") != "digitlab-model-1":
        raise ValueError(f"{path} is not a DigitLab model file")
    payload["config"] = TrainConfig.from_dict(payload["config"])
    return payload
