"""One registry of feature maps: what the logistic regression sees, after the pixel transform.

    pixels -> [feature map] -> multinomial logistic regression

"pixels" is the tutorial's model: one weight per pixel and class, so its weights can be shown
as ten 28x28 images and a prediction explained pixel by pixel. "rbf" puts a kernel
approximation in between: scikit-learn's `Nystroem` (an RBF kernel against 1,200 training
digits drawn by the seed, so each feature says "how much like this training digit") followed
by a `StandardScaler`. The classifier is the same linear model; it is the features that got
better, and so does the accuracy (0.922 -> 0.971 on the tutorial split with the Fast solver,
0.980 with deskew: benchmarks/canvas.py prints them). "rbf-wide" is the same kernel twice as
wide (the Robust preset's: RBF_WIDE). The price: a fit takes 10-20 times the
pixels' (the 59,500 x 1,200 kernel), and its weights belong to those 1,200 features, not to
pixels, so there are no weight images or pixel evidence maps for it.

How to tell from a fitted pipeline: a map other than the pixels is the step named
`pipeline.FEATURES_STEP` between the pixel transform and the classifier;
`pipeline.has_pixel_weights(model)` asks exactly that (digitlab.model.pipeline assembles it).
Adding a feature map is one `FeatureMap(...)` entry below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from digitlab.text import N_

if TYPE_CHECKING:
    from digitlab.model.config import TrainConfig

PIXELS = "pixels"  # no feature map: the classifier sees the pixels themselves
RBF_COMPONENTS = 1200  # kernel features (chosen on a held-out slice of the training rows)
# The kernel's width, gamma = RBF_WIDTH / (n_features * variance of the pixel features):
# scikit-learn SVC's "scale" rule, times 2 (chosen on a held-out slice of the training rows).
RBF_WIDTH = 2.0
# "rbf-wide", the Robust preset's: the same kernel with scikit-learn's "scale" rule itself, a
# kernel twice as wide. Chosen on the canvas benchmark's tuning half (docs/robust-digits.md,
# round five): drawn digits 0.959 against 0.955 with 2.0 (no augmentation, printed digits).
# On MNIST alone it is as good (0.979 against 0.980 with deskew, all 59,500 images) but about
# a point worse on small subsets (0.909 against 0.919 on 3,000 images), so "rbf" keeps 2.0.
RBF_WIDE = 1.0
RBF_WIDE_NAME = "rbf-wide"
_SAMPLE_ROWS = 5000  # rows the pixel features' variance is measured on


@dataclass(frozen=True)
class FeatureMap:
    """One feature map, everything the rest of DigitLab needs to know about it.

    name : the `TrainConfig.features` value.
    label : its name for people, a few words (the Train page's choice shows it).
    summary : one line for pickers and help.
    pixel_weights : the classifier's weights are one per pixel (weight images and evidence
        maps exist only then).
    build : (config, pixel features of the training rows) -> an unfitted transformer, or None
        for no step (the pixels as they are).
    """

    name: str
    label: str
    summary: str
    pixel_weights: bool
    build: Callable[[TrainConfig, np.ndarray], Any] | None


def kernel_width(name: str) -> float | None:
    """The RBF kernel's width factor of the feature map `name` (see RBF_WIDTH), or None for a
    map that is not an RBF kernel."""
    return {"rbf": RBF_WIDTH, RBF_WIDE_NAME: RBF_WIDE}.get(name)


def _build_rbf(config: TrainConfig, Z: np.ndarray):
    from sklearn.kernel_approximation import Nystroem

    width = kernel_width(config.features) or RBF_WIDTH
    variance = float(np.var(Z[:_SAMPLE_ROWS], dtype=np.float64))
    gamma = width / (Z.shape[1] * variance) if variance > 0 else 1.0 / Z.shape[1]
    # Standardised so that each kernel feature is on the pixels' footing: the same C and the
    # same Adam step then suit both maps (raw Nystroem features are ~30x smaller).
    return Pipeline([
        # (never more landmark digits than there are training rows: a small subset uses all)
        ("kernel", Nystroem(gamma=gamma, n_components=min(RBF_COMPONENTS, len(Z)),
                            random_state=int(config.seed))),
        ("scale", StandardScaler()),
    ])


FEATURES: dict[str, FeatureMap] = {f.name: f for f in (
    FeatureMap(PIXELS, N_("Pixels (the tutorial)"),
               N_("the pixels themselves (the tutorial): one weight per pixel and class"),
               pixel_weights=True, build=None),
    FeatureMap("rbf", N_("RBF kernel (Nystroem)"),
               N_("an RBF kernel against {n:,} training digits (scikit-learn's Nystroem, "
                  "standardised): better features for the same linear model", n=RBF_COMPONENTS),
               pixel_weights=False, build=_build_rbf),
    FeatureMap(RBF_WIDE_NAME, N_("RBF kernel, wide (Nystroem)"),
               N_("the same RBF kernel twice as wide (the Robust preset's): trained on all of "
                  "MNIST it reads drawn digits a little better, on small subsets a little worse"),
               pixel_weights=False, build=_build_rbf),
)}


def get(name: str) -> FeatureMap:
    return FEATURES[name]


def build(config: TrainConfig, Z: np.ndarray):
    """The unfitted feature step for `config` given the pixel features it will see, or None."""
    fmap = get(config.features)
    return None if fmap.build is None else fmap.build(config, Z)


CHUNK_ROWS = 1024  # rows through the feature map at a time: its float64 temporaries stay small


def fit_transform(step, Z: np.ndarray, empty: Callable[..., np.ndarray] = np.empty
                  ) -> np.ndarray:
    """`step` fitted on `Z`, and `Z` through it as float32, written into one array from
    `empty(shape, dtype)` chunk by chunk. The rbf map of 59,500 digits is 286 MB in float32;
    `step.fit_transform(Z)` held three copies of it (the kernel, its normalised product, the
    scaler's) plus float64 temporaries, so two rbf fits at once took 2.3 GB. A pipeline that
    ends in a `StandardScaler` is fitted the same way, its scaler by `partial_fit` over the
    chunks (the same mean and variance, to rounding) and then applied in place."""
    if not (isinstance(step, Pipeline) and isinstance(step.steps[-1][1], StandardScaler)):
        Zt = np.asarray(step.fit_transform(Z), dtype=np.float32)
        out = empty(Zt.shape, np.float32)
        out[...] = Zt
        return out
    head, scaler = step[:-1], step.steps[-1][1]
    head.fit(Z)
    chunks = [slice(a, min(a + CHUNK_ROWS, len(Z))) for a in range(0, len(Z), CHUNK_ROWS)]
    first = np.asarray(head.transform(Z[chunks[0]]), dtype=np.float32)
    out = empty((len(Z), first.shape[1]), np.float32)
    out[chunks[0]] = first
    for rows in chunks[1:]:
        out[rows] = head.transform(Z[rows])
    for rows in chunks:
        scaler.partial_fit(out[rows])
    for rows in chunks:
        out[rows] = scaler.transform(out[rows])
    return out


def same_step(a, b) -> bool:
    """Whether two fitted feature steps (or None for the pixels) give the same features: the
    same class and the same fitted numbers (a kernel map's landmark digits above all)."""
    if a is None or b is None:
        return a is None and b is None
    import joblib

    return joblib.hash(a) == joblib.hash(b)
