"""Train again with the class set: does a model read the class's own handwriting better once it
has seen some of it?

    config, which = retrain_config(answering.config)   # the settings, and words saying which
    comparison = retrain(config, split, X_class, y_class, store=store)
    comparison.class_before.accuracy, comparison.class_after.accuracy   # on held-out class digits

The class digits are split (seeded, per label) into a part that joins the training rows and a
held-out part that neither model sees. Both models use the same settings; the only difference
is the added digits, so the gain on the held-out part is theirs. MNIST's test set is scored too,
to show that reading the class better did not cost reading MNIST.

Why repeat the class digits: a few hundred drawings among 59,500 MNIST images would barely move
the weights. Each is counted `repeats` times, so that together they make up about a tenth of
the training rows (oversampling, the simplest form of a sample weight; every solver accepts it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.classroom.publish import settings
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.text import N_
from digitlab.training import evaluate, fitting
from digitlab.training.evaluate import Evaluation
from digitlab.training.fitting import OnProgress
from digitlab.training.session import Split, Trained, presets, trained
from digitlab.training.store import FitStore

HOLD_OUT = 0.3  # share of each label's class digits kept back to measure the gain
SHARE = 0.1  # the class digits' share of the training rows, after repeating them
MAX_REPEATS = 30  # a handful of drawings should not be repeated into a training set of its own
MIN_DIGITS = 20  # fewer cannot give a held-out part worth a percentage


class ClassTrainError(ValueError):
    """The class set cannot be used yet; the message says what to do."""


def retrain_config(answering: TrainConfig) -> tuple[TrainConfig, str]:
    """The settings to train again with, and a few words saying which: those of the model
    answering now when they fit in seconds (the digitlab-fast solver), else the Fast preset
    with its deskew (another solver would take minutes, and a retrain fits twice)."""
    if answering.solver == solvers.FAST:
        return answering, N_("the settings of the model answering now ({settings})",
                             settings=settings(answering))
    fast = presets()["Fast"].replace(deskew=answering.deskew)
    return fast, N_("the Fast preset ({solver}, the answering model's solver, would take "
                    "minutes twice)", solver=answering.solver)


def hold_out(y: np.ndarray, fraction: float = HOLD_OUT,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, held-out indices), per label: a label with two or more digits gives
    round(fraction * count) of them (at least one, never all) to the held-out part."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        k = min(max(round(fraction * len(idx)), 1), len(idx) - 1) if len(idx) > 1 else 0
        test.extend(idx[:k])
        train.extend(idx[k:])
    return np.sort(np.array(train, dtype=int)), np.sort(np.array(test, dtype=int))


def repeats_for(n_class: int, n_train: int, share: float = SHARE,
                max_repeats: int = MAX_REPEATS) -> int:
    """How often each class digit is counted so that they are about `share` of the rows."""
    if n_class <= 0:
        return 0
    return int(min(max(round(share * n_train / ((1 - share) * n_class)), 1), max_repeats))


def joined(X_train: np.ndarray, y_train: np.ndarray, X_add: np.ndarray, y_add: np.ndarray,
           repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """The training rows with the added digits appended `repeats` times (the solver shuffles)."""
    X = np.concatenate([X_train, np.tile(np.asarray(X_add, np.uint8), (repeats, 1))])
    y = np.concatenate([y_train, np.tile(np.asarray(y_add, y_train.dtype), repeats)])
    return X, y


@dataclass(frozen=True)
class Comparison:
    """The same settings fitted without and with the class digits, scored on both test sets."""

    before: Trained  # fitted on the training rows only; scored on MNIST's test set
    after: Trained  # ... plus the class digits; scored on MNIST's test set
    class_before: Evaluation  # on the held-out class digits
    class_after: Evaluation
    n_added: int  # class digits that joined the training rows
    n_held_out: int
    repeats: int

    @property
    def gain(self) -> float:
        return self.class_after.accuracy - self.class_before.accuracy


def retrain(config: TrainConfig, split: Split, X_class: np.ndarray, y_class: np.ndarray,
            seed: int = 0, fraction: float = HOLD_OUT, store: FitStore | None = None,
            on_progress: OnProgress | None = None) -> Comparison:
    """Fit `config` without and with the class digits (minus a held-out part); see the module
    doc. Raises ClassTrainError when the class set is too small to hold some back."""
    X_class = np.asarray(X_class, np.uint8).reshape(len(y_class), -1)
    y_class = np.asarray(y_class, np.uint8)
    if len(y_class) < MIN_DIGITS:
        raise ClassTrainError(f"The class set has {len(y_class)} digits; save at least "
                              f"{MIN_DIGITS} (a few of each) to train with it and measure the "
                              "gain.")
    train_idx, test_idx = hold_out(y_class, fraction, seed)
    if len(test_idx) == 0:
        raise ClassTrainError("Every label in the class set has a single digit, so none can "
                              "be held out to measure the gain; save a few more of each.")
    X_base, y_base = fitting.training_rows(config, split.X_train, split.y_train)
    repeats = repeats_for(len(train_idx), len(y_base))
    X_join, y_join = joined(X_base, y_base, X_class[train_idx], y_class[train_idx], repeats)
    # train_size already applied above: the added rows come after the subset, never cut off
    joined_config = config.replace(train_size=None)
    before = fitting.fit(config, split.X_train, split.y_train, side=split.side, store=store)
    after = fitting.fit(joined_config, X_join, y_join, side=split.side, store=store,
                        on_progress=on_progress)
    X_held, y_held = X_class[test_idx], y_class[test_idx]
    return Comparison(trained(before, split), trained(after, split),
                      evaluate.evaluate(before.model, X_held, y_held),
                      evaluate.evaluate(after.model, X_held, y_held),
                      len(train_idx), len(test_idx), repeats)


def add_set(X_train: np.ndarray, y_train: np.ndarray, X_class: np.ndarray, y_class: np.ndarray,
            repeats: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """All the class digits joined to the training rows (the CLI's --add-set): (X, y, repeats)."""
    k = repeats_for(len(y_class), len(y_train)) if repeats is None else repeats
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ClassTrainError("--add-repeats must be a whole number of at least 1.")
    # the class digits may make up at most half of the rows: beyond that they are a training
    # set of their own (and a huge K would ask for more memory than there is)
    most = max(1, len(y_train) // max(1, len(y_class)))
    if k > most:
        raise ClassTrainError(f"--add-repeats {k} would count {len(y_class):,} class digits "
                              f"{k:,} times against {len(y_train):,} training images; at most "
                              f"{most} keeps them no more than half of the rows.")
    X, y = joined(X_train, y_train, X_class, y_class, k)
    return X, y, k
