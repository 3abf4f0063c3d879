"""TrainConfig: every setting that changes a trained model, validated in one place.

The tutorial wrote `LogisticRegression(multi_class="multinomial", solver="sag", C=1, ...)` with
`penalty="l2"`. scikit-learn 1.9 removed `multi_class` (every solver but liblinear is
multinomial now) and deprecates `penalty`: the penalty is chosen by `l1_ratio` (0 = L2,
1 = L1, between = elastic net) and "no penalty" is `C=np.inf`. `TrainConfig` speaks that
modern API and checks each combination before any fit, so a refused mix is a sentence, not a
traceback. Which solver takes which penalty is the solver registry's to say
(digitlab.model.solvers).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from digitlab.model import features, solvers
from digitlab.text import N_

SCALINGS = {
    "unit": N_("pixels / 255 (0..1)"),
    "raw": N_("raw pixels 0..255 (the tutorial)"),
    "standard": N_("per-pixel z-score (mean 0, std 1 over the training set)"),
}
# The ends of each setting's domain that the libraries underneath set:
MAX_SEED = 2**32 - 1  # NumPy's and scikit-learn's random_state is an unsigned 32-bit int
MAX_ITER = 2**31 - 1  # sag and saga count iterations in a C int (OverflowError above)
# Below this C the penalty (1 / (C n): 1e5 on 10 images) swamps the data and the fits break:
# measured, sag fails on 10 images at C=1e-10 (in float32 its step times the penalty rounds to
# 1) and on 600 at 1e-15, digitlab-fast's weights are not finite at 1e-100, while every solver
# fits at 1e-8 with any scaling. The pages start at C=1e-4; at 1e-6 every weight is ~0.
MIN_C = 1e-6
MAX_PRINTED = 20_000  # printed training digits: each costs ~9 ms of CPU to render, once
MAX_FAT_PEN = 20_000  # fat-pen training digits: each costs ~6 ms of CPU to render, once


class ConfigError(ValueError):
    """A setting a user chose that cannot work; the message says what to change."""


@dataclass(frozen=True)
class TrainConfig:
    """Every setting that changes a trained model. Frozen and hashable: it keys the fit store.

    Parameters
    ----------
    C : inverse regularisation strength; ``math.inf`` means no penalty.
    l1_ratio : 0 = L2 penalty, 1 = L1, in between = elastic net (only solvers that take L1).
    solver : a name in digitlab.model.solvers.SOLVERS; "digitlab-fast" (the default) stops early,
        when accuracy on a held-out tenth of the training rows stops improving, and keeps the
        best model.
    max_iter : iteration (for solvers that count epochs: epoch) limit.
    tol : stopping tolerance (for digitlab-fast: the least rise in held-out accuracy that
        counts as an improvement).
    test_size : fraction of the 70k held out for testing (the tutorial: 0.15).
    seed : random_state of the split and the solver.
    scaling : one of SCALINGS ("unit" = pixels/255).
    train_size : fit on only the first n training images (None = all); the test set is unchanged.
    deskew : straighten slanted digits (moment-based shear) before scaling.
    augment : train on copies of the training digits changed at random (stretched, strokes
        thinned or thickened, framed as the Draw page frames a drawing: digitlab.data.augment),
        made afresh every epoch; only solvers that fit in mini-batches can (digitlab-fast).
    features : what the classifier sees after the pixel transform: a name in
        digitlab.model.features.FEATURES ("pixels", the tutorial's, or "rbf", a kernel
        approximation).
    printed : how many printed digits to train on beside MNIST's (0 = none): digits set in
        the typefaces the canvas benchmark tunes on, drawn at random sizes, pens and scans and
        read as the Draw page reads a drawing (digitlab.data.typeset; never the typefaces it
        reports on).
    fat_pen : how many of the training digits to add again, re-drawn on the canvas with a
        fat pen and read as the Draw page reads a drawing (0 = none; digitlab.data.fatpen).
    """

    C: float = 1.0
    l1_ratio: float = 0.0
    solver: str = solvers.FAST
    max_iter: int = 100
    tol: float = 1e-4
    test_size: float = 0.15
    seed: int = 0
    scaling: str = "unit"
    train_size: int | None = None
    deskew: bool = False
    augment: bool = False
    features: str = features.PIXELS
    printed: int = 0
    fat_pen: int = 0

    def __post_init__(self) -> None:
        validate(self)
        # Python's own numbers, whatever the caller handed (NumPy scalars, an int for C): the
        # config then goes through JSON and back unchanged, and keys the fit store the same.
        for name, kind in _KINDS.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, kind(value))

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
        """The inverse of to_dict, for settings read from a file (a model file, JSON): any
        mapping that is not a valid config is a ConfigError."""
        if not isinstance(d, dict):
            raise ConfigError(N_("settings must be a mapping of names to values; got {got}.",
                                 got=f"{d!r:.60}"))
        known = {f.name for f in fields(cls)}
        unknown = [str(k) for k in d if k not in known]
        if unknown:
            raise ConfigError(N_("unknown settings {unknown}; the settings are {known}.",
                                 unknown=", ".join(unknown), known=", ".join(sorted(known))))
        d = dict(d)
        if isinstance(d.get("C"), str) or _is_number(d.get("C")):
            try:
                d["C"] = float(d["C"])  # "inf" (to_dict's spelling of no penalty), or a number
            except (ValueError, OverflowError):
                pass  # validate() says what C must be
        return cls(**d)

    def replace(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)


def training_rows(config: TrainConfig, X_train, y_train):
    """The rows `config` fits on: the first `train_size` of the (already shuffled) training
    split, or all of them (train_size None, or more than there are). Features or pixels alike:
    (X_train[:n], y_train[:n])."""
    if config.train_size is None or config.train_size >= len(y_train):
        return X_train, y_train
    return X_train[: config.train_size], y_train[: config.train_size]


_KINDS = {"C": float, "l1_ratio": float, "tol": float, "test_size": float, "max_iter": int,
          "seed": int, "train_size": int, "deskew": bool, "augment": bool,
          "printed": int, "fat_pen": int}


def _is_whole(v: Any) -> bool:
    """An int (numpy ints too), but not a bool or float: scikit-learn 1.9 refuses max_iter=10.0."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    """A real number (numpy's too), not a bool, a string or None: the type check comes first so
    that any value from a form, a URL or a file is a sentence, never a TypeError."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_))


def _real(v: Any) -> float | None:
    """v as a float when it is a real number that has one, else None (a bool, a string, an
    int past float's range: 10**400 would raise OverflowError in any comparison with a float)."""
    if not _is_number(v):
        return None
    try:
        return float(v)
    except OverflowError:
        return None


def _one_of(v: Any, names) -> bool:
    return isinstance(v, str) and v in names


def validate(c: TrainConfig) -> None:
    """Raise ConfigError naming the bad value and what is allowed."""
    if not _one_of(c.solver, solvers.SOLVERS):
        raise ConfigError(N_("solver must be one of {names}; got {got!r}.",
                             names=", ".join(solvers.SOLVERS), got=c.solver))
    C = _real(c.C)
    if C is None or not C > 0:  # nan too
        raise ConfigError(N_("C must be a positive number (or inf for no penalty); got {got!r}.",
                             got=c.C))
    if C < MIN_C:
        raise ConfigError(N_("C must be at least {low:g}: smaller, the penalty leaves every "
                             "weight at zero and the solvers overflow; got {got!r}.",
                             low=MIN_C, got=c.C))
    l1_ratio = _real(c.l1_ratio)
    if l1_ratio is None or not 0.0 <= l1_ratio <= 1.0:
        raise ConfigError(N_("l1_ratio must be between 0 (L2) and 1 (L1); got {got!r}.",
                             got=c.l1_ratio))
    if c.solver not in solvers.accepting(l1_ratio, C):
        takers = " or ".join(repr(s) for s in solvers.accepting(1.0, 1.0))
        raise ConfigError(N_(
            "solver {solver!r} only supports the L2 penalty (l1_ratio=0), but l1_ratio is "
            "{l1_ratio:g}. Choose solver {takers} for L1 or elastic net, or set l1_ratio "
            "to 0.", solver=c.solver, l1_ratio=l1_ratio, takers=takers))
    if not _is_whole(c.max_iter) or c.max_iter < 1:
        raise ConfigError(N_("max_iter must be a whole number of at least 1; got {got!r}.",
                             got=c.max_iter))
    if c.max_iter > MAX_ITER:
        raise ConfigError(N_("max_iter must be at most {high:,}; got {got!r}.",
                             high=MAX_ITER, got=c.max_iter))
    tol = _real(c.tol)
    if tol is None or not 0 < tol < math.inf:
        raise ConfigError(N_("tol must be a positive number; got {got!r}.", got=c.tol))
    if not (_is_number(c.test_size) and 0.0 < c.test_size < 1.0):
        raise ConfigError(N_("test_size must be a fraction between 0 and 1; got {got!r}.",
                             got=c.test_size))
    if not _is_whole(c.seed) or not 0 <= c.seed <= MAX_SEED:
        raise ConfigError(N_("seed must be a whole number from 0 to {high:,} (what NumPy and "
                             "scikit-learn accept); got {got!r}.", high=MAX_SEED, got=c.seed))
    if not _one_of(c.scaling, SCALINGS):
        raise ConfigError(N_("scaling must be one of {names}; got {got!r}.",
                             names=", ".join(SCALINGS), got=c.scaling))
    if c.train_size is not None and (not _is_whole(c.train_size) or c.train_size < 10):
        raise ConfigError(N_("train_size must be a whole number of at least 10, or None for "
                             "all; got {got!r}.", got=c.train_size))
    for flag in ("deskew", "augment"):
        if not isinstance(getattr(c, flag), (bool, np.bool_)):
            raise ConfigError(N_("{flag} must be True or False; got {got!r}.", flag=flag,
                                 got=getattr(c, flag)))
    if c.augment and not solvers.get(c.solver).augments:
        takers = " or ".join(repr(s.name) for s in solvers.SOLVERS.values() if s.augments)
        raise ConfigError(N_("augmentation makes new training digits every epoch, which only "
                             "a solver that fits in mini-batches can use: choose solver "
                             "{takers}, or turn augment off (solver {solver!r} was chosen).",
                             takers=takers, solver=c.solver))
    if not _is_whole(c.printed) or not 0 <= c.printed <= MAX_PRINTED:
        raise ConfigError(N_("printed must be a whole number from 0 to {high:,}; got {got!r}.",
                             high=MAX_PRINTED, got=c.printed))
    if not _is_whole(c.fat_pen) or not 0 <= c.fat_pen <= MAX_FAT_PEN:
        raise ConfigError(N_("fat_pen must be a whole number from 0 to {high:,}; got {got!r}.",
                             high=MAX_FAT_PEN, got=c.fat_pen))
    if not _one_of(c.features, features.FEATURES):
        raise ConfigError(N_("features must be one of {names}; got {got!r}.",
                             names=", ".join(features.FEATURES), got=c.features))
