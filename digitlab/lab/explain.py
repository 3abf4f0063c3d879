"""Why the model answered what it did, with its own numbers: the weights it learned, the
evidence each pixel gives for each digit, the ten scores and the softmax that turns them into
the probabilities the pages show, and the maths panel's numbers.

A DigitLab model is `Pipeline(pixels=PixelTransform, logreg=estimator)`; for a digit image the
estimator computes ten scores

    z_k = w_k . x + b_k        (x: the features the weights act on, after scaling and deskew)

and predicts softmax(z). Because z_k is a sum over pixels, w_k * x (one number per pixel, shown
on the 28x28 grid) says where the ink pushed the score of digit k up or down, and it sums, with
b_k, to exactly z_k. That only holds when each weight belongs to one pixel: `pixel_weights` is
where the explain code asks (through digitlab.model.features) whether a model has such weights; a
model on other features, such as the rbf kernel map, gets scores and probabilities but no
weight images or evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from digitlab.model.pipeline import (
    LOGREG_STEP,
    PIXELS_STEP,
    PixelTransform,
    has_pixel_weights,
)


def one_row(image) -> np.ndarray:
    """One image (side x side, or flat) -> a (1, side*side) uint8 row, as a model takes it."""
    return np.asarray(image, dtype=np.uint8).reshape(1, -1)


@dataclass(frozen=True)
class PixelWeights:
    """A model's weights when each one belongs to a pixel: coef (k, side*side) and intercept
    (k,) in float64, the classes, and the transform that makes the features they act on."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray
    pixels: PixelTransform

    @property
    def side(self) -> int:
        return int(self.pixels.side)

    @property
    def deskew(self) -> bool:
        return bool(self.pixels.deskew)

    def images(self) -> np.ndarray:
        """The weights as (k, side, side) images, one per class."""
        return self.coef.reshape(len(self.coef), self.side, self.side)

    def features(self, image) -> np.ndarray:
        """One image (28x28 or 784 uint8 pixels) -> the float64 features x the weights act on
        (scaled, and deskewed for a deskewing model), flat."""
        return self.pixels.transform(one_row(image))[0].astype(np.float64)


def pixel_weights(model: Pipeline) -> PixelWeights | None:
    """The model's per-pixel weights, or None when its weights do not belong to pixels.

    The explain code's one place that asks "does this model have pixel weights?"; it asks
    digitlab.model.pipeline.has_pixel_weights (a feature step, such as the rbf kernel map, between
    the pixels and the classifier means no), and then that the weights really are one per
    pixel and class. Without them: no weight images or evidence maps, only scores.
    """
    if not has_pixel_weights(model):
        return None
    steps = model.named_steps
    pixels, est = steps.get(PIXELS_STEP), steps.get(LOGREG_STEP)
    if not isinstance(pixels, PixelTransform):
        return None
    coef, intercept = getattr(est, "coef_", None), getattr(est, "intercept_", None)
    classes = getattr(est, "classes_", None)
    side = int(pixels.side)
    if coef is None or intercept is None or np.ndim(coef) != 2 or coef.shape[1] != side * side:
        return None
    if classes is None or coef.shape[0] != len(classes):  # a binary model's single row
        return None
    return PixelWeights(np.asarray(coef, np.float64), np.asarray(intercept, np.float64),
                        np.asarray(classes), pixels)


def zero_share(coef: np.ndarray) -> tuple[np.ndarray, float]:
    """(share of exactly-zero weights per class, share over all weights). An L1 penalty
    (l1_ratio near 1) sets many weights to exactly 0; pixels that are never inked in training
    keep weight 0 under any penalty."""
    zero = np.asarray(coef) == 0
    return zero.mean(axis=1), float(zero.mean())


def softmax(z: np.ndarray) -> np.ndarray:
    """exp(z_k) / sum_j exp(z_j), computed stably (shifted by max z, which cancels)."""
    e = np.exp(np.asarray(z, np.float64) - np.max(z))
    return e / e.sum()


@dataclass(frozen=True)
class Reading:
    """One image as the model reads it.

    scores : the ten z_k (decision_function); probabilities : softmax(scores), what
    predict_proba gives; predicted / runner_up : indices into classes, best and second.
    weights, features, evidence : the model's PixelWeights, x, and w_k * x as (k, side, side)
    images; None for a model without pixel weights.
    """

    classes: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray
    predicted: int
    runner_up: int
    weights: PixelWeights | None = None
    features: np.ndarray | None = None
    evidence: np.ndarray | None = None

    @property
    def has_evidence(self) -> bool:
        return self.evidence is not None

    @property
    def intercept(self) -> np.ndarray | None:
        return None if self.weights is None else self.weights.intercept

    def label(self, k: int) -> str:
        return str(self.classes[k])

    def evidence_sum(self, k: int) -> float:
        """Sum of digit k's evidence map: with its intercept, exactly its score."""
        if self.evidence is None:
            raise ValueError("this model has no pixel weights, so no evidence map")
        return float(self.evidence[k].sum())


def read(model: Pipeline, image) -> Reading:
    """The model's ten scores for one image (28x28 or 784 uint8 pixels), their softmax, and,
    when the model has pixel weights, the evidence maps w_k * x on the image's grid."""
    weights = pixel_weights(model)
    X = one_row(image)
    x = evidence = None
    if weights is not None:
        x = weights.features(X)
        pushes = weights.coef * x  # (k, d): pixel j's push on digit k's score
        scores = pushes.sum(axis=1) + weights.intercept
        evidence = pushes.reshape(-1, weights.side, weights.side)
    else:
        scores = np.asarray(model.decision_function(X), np.float64)[0]
        if scores.ndim == 0:  # two classes: scikit-learn gives z_1 - z_0
            scores = np.array([0.0, float(scores)])
    proba = softmax(scores)
    order = np.argsort(-scores, kind="stable")
    return Reading(np.asarray(model.classes_), scores, proba, int(order[0]), int(order[1]),
                   weights=weights, features=x, evidence=evidence)


# --- the maths panel's numbers -------------------------------------------------------------


@dataclass(frozen=True)
class OneVsRest:
    """Digit k's probability as a logistic function of one number.

    softmax(z)_k = sigma(m) with m = z_k - log(sum over j != k of e^z_j): the margin of k over
    the rest. So log(p / (1 - p)), the logit, gives m back."""

    k: int
    score: float  # z_k
    margin: float  # m
    probability: float  # softmax(z)_k
    sigma: float  # 1 / (1 + e^-m): equals probability
    logit: float  # log(p / (1 - p)): equals margin (inf when p rounds to 1)
    misprint: float  # the tutorial's "1/1-e^(-z)" read as written: 1/1 - e^-m = 1 - e^-m


def one_vs_rest(scores: np.ndarray, k: int) -> OneVsRest:
    z = np.asarray(scores, np.float64)
    rest = np.delete(z, k)
    top = rest.max()
    m = float(z[k] - (top + math.log(np.exp(rest - top).sum())))
    p = float(softmax(z)[k])
    sigma = 1.0 / (1.0 + math.exp(-m)) if m > -700 else 0.0
    logit = math.log(p / (1.0 - p)) if 0.0 < p < 1.0 else math.copysign(math.inf, m)
    misprint = 1.0 - math.exp(-m) if m > -700 else -math.inf
    return OneVsRest(k, float(z[k]), m, p, sigma, logit, misprint)


@dataclass(frozen=True)
class Loss:
    """The objective the solvers minimise, for this model (digitlab.model.objective):

        f(W, b) = mean over training rows of -log p_y
                  + ((1 - l1_ratio) / 2 * ||W||^2 + l1_ratio * ||W||_1) / (C * n)

    (scikit-learn's C * sum(-log p_y) + penalty, divided by C * n: the same minimiser.)
    `image_loss` is this image's -log p_label, the term it would add if labelled `label`."""

    C: float
    l1_ratio: float
    n_train: int
    squared_norm: float  # ||W||^2
    abs_norm: float  # ||W||_1
    penalty: float  # the penalty term above, at the model's weights
    label: int
    image_loss: float


def loss_terms(weights: np.ndarray, C: float, l1_ratio: float, n_train: int,
               probabilities: np.ndarray, label: int) -> Loss:
    """The objective's pieces at the model's weights (coef) and one image's probabilities."""
    W = np.asarray(weights, np.float64)
    sq, l1 = float(np.vdot(W, W)), float(np.abs(W).sum())
    ratio = 0.0 if math.isinf(C) else float(l1_ratio)
    penalty = 0.0 if math.isinf(C) else ((1 - ratio) / 2 * sq + ratio * l1) / (C * n_train)
    p = float(probabilities[label])
    return Loss(float(C), ratio, int(n_train), sq, l1, penalty, int(label),
                -math.log(max(p, np.finfo(float).tiny)))


def model_weights(model: Pipeline) -> np.ndarray | None:
    """The estimator's coef_ whatever features it acts on (the penalty is on these), or None."""
    est = getattr(model, "named_steps", {}).get(LOGREG_STEP)
    coef = getattr(est, "coef_", None)
    return None if coef is None else np.asarray(coef)
