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

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

# Solvers that support the multinomial loss in scikit-learn 1.9, and the penalties each takes.
# liblinear is left out: it refuses more than two classes.
L2_ONLY = ("lbfgs", "newton-cg", "newton-cholesky", "sag")
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
    solver : one of SOLVERS.
    max_iter : iteration (for sag/saga: epoch) limit.
    tol : stopping tolerance.
    test_size : fraction of the 70k held out for testing (the tutorial: 0.15).
    seed : random_state of the split and the solver.
    scaling : one of SCALINGS ("unit" = pixels/255).
    train_size : fit on only the first n training images (None = all); the test set is unchanged.
    deskew : straighten slanted digits (moment-based shear) before scaling.
    """

    C: float = 1.0
    l1_ratio: float = 0.0
    solver: str = "lbfgs"
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


def validate(c: TrainConfig) -> None:
    """Raise ConfigError naming the bad value and what is allowed."""
    if c.solver not in SOLVERS:
        raise ConfigError(f"solver must be one of {', '.join(SOLVERS)}; got {c.solver!r}.")
    if not (isinstance(c.C, (int, float)) and (c.C > 0)) or math.isnan(c.C):
        raise ConfigError(f"C must be a positive number (or inf for no penalty); got {c.C!r}.")
    if not 0.0 <= c.l1_ratio <= 1.0:
        raise ConfigError(f"l1_ratio must be between 0 (L2) and 1 (L1); got {c.l1_ratio!r}.")
    if c.l1_ratio > 0 and not math.isinf(c.C) and c.solver != "saga":
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
        Z = self._pixels(X)
        if self.scaling == "standard":
            self.mean_ = Z.mean(axis=0, dtype=np.float64).astype(np.float32)
            # Pixels that never vary (the borders) get std 1 so they stay 0 instead of blowing up.
            std = Z.std(axis=0, dtype=np.float64).astype(np.float32)
            self.scale_ = np.where(std < 1e-3, 1.0, std).astype(np.float32)
        self.n_features_in_ = Z.shape[1]
        return self

    def _pixels(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
        if self.deskew:
            from digitlab.preprocess import deskew_rows

            X = deskew_rows(np.asarray(X, dtype=np.uint8), self.side)
        return X.astype(np.float32, copy=False)

    def transform(self, X):
        Z = self._pixels(X)
        if self.scaling == "unit":
            return Z * np.float32(1 / 255)
        if self.scaling == "standard":
            return (Z - self.mean_) / self.scale_
        return Z


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


def make_estimator(config: TrainConfig) -> LogisticRegression:
    """The modern spelling of the tutorial's estimator for this config."""
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

    on_progress gets ProgressEvents; should_stop() returning True asks the solver to stop and
    keep its best model so far; warm_start_from continues from a previous fit's weights. The
    scikit-learn solvers honour neither of the last two (they run in one call).
    """
    X, y = training_rows(config, X_train, y_train)
    if len(np.unique(y)) < 2:
        raise ConfigError("the training subset holds only one class; use more training images.")
    pipe = make_pipeline(config, side)
    notes = []
    if math.isinf(config.C) and config.l1_ratio > 0:
        notes.append("C is infinite (no penalty), so l1_ratio has no effect.")
    if on_progress:
        on_progress(ProgressEvent(0, config.max_iter, 0.0, message="fitting"))
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        pipe.fit(X, y)
    seconds = time.perf_counter() - t0
    n_iter = int(np.max(pipe.named_steps["logreg"].n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if not converged:
        notes.append(f"The solver stopped at max_iter={config.max_iter} before converging "
                     f"(tol={config.tol:g}): raise max_iter or tol, or scale the pixels.")
    done = ProgressEvent(n_iter, config.max_iter, seconds, message="done")
    if on_progress:
        on_progress(done)
    return FitResult(config, pipe, seconds, n_iter, converged, len(y), (done,), tuple(notes))


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
