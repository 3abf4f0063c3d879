"""The pixel transform that travels inside every model file, and the pipeline it heads.

A model is `Pipeline([(PIXELS_STEP, PixelTransform), (LOGREG_STEP, estimator)])`, with a
feature map between them (a FEATURES_STEP) when the config asks for one
(digitlab.model.features): `predict` takes raw 0..255 uint8 pixels whatever the model was
trained with, because the scaling (and the deskew) it learned are part of it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from digitlab.model import features, solvers
from digitlab.model.config import TrainConfig

# The pipeline's step names, said once. Every saved model file holds them: renaming one would
# refuse the files saved before. ("pixels" is also the features registry's name for no feature
# map, features.PIXELS: another idea, which happens to be spelt the same.)
PIXELS_STEP = "pixels"  # the PixelTransform: uint8 pixels -> float32, as at training time
FEATURES_STEP = "features"  # a feature map other than the pixels (digitlab.model.features)
LOGREG_STEP = "logreg"  # the multinomial logistic regression


def rows(X) -> np.ndarray:
    """One image, a stack of images or rows of pixels -> 2-D rows of pixels."""
    X = np.asarray(X)
    if X.ndim == 1:
        return X.reshape(1, -1)
    return X.reshape(len(X), -1) if X.ndim == 3 else X


class PixelTransform(TransformerMixin, BaseEstimator):
    """Rows of uint8 pixels -> float32 features, exactly as at training time.

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
            if Z is None:
                raise ValueError("standard scaling learns from the pixel features (Z)")
            self.mean_ = Z.mean(axis=0, dtype=np.float64).astype(np.float32)
            # Pixels that never vary (the borders) get std 1 so they stay 0 instead of blowing up.
            std = Z.std(axis=0, dtype=np.float64).astype(np.float32)
            self.scale_ = np.where(std < 1e-3, 1.0, std).astype(np.float32)
        self.n_features_in_ = rows(X).shape[1]

    def _pixels(self, X) -> np.ndarray:
        """A NEW float32 array of flattened (deskewed) pixels: safe to scale in place."""
        X = rows(X)
        if self.deskew:
            from digitlab.data.deskew import deskew_rows

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


def make_estimator(config: TrainConfig):
    """The unfitted estimator for this config, as its solver's registry entry builds it."""
    return solvers.get(config.solver).build(config)


def make_pipeline(config: TrainConfig, side: int = 28, Z: np.ndarray | None = None) -> Pipeline:
    """The unfitted pipeline for `config`: pixels -> [feature map] -> logreg. A feature map
    such as "rbf" sets its kernel's width from the pixel features it will see: give them as Z
    (digitlab.training.fitting does)."""
    step = None
    if features.get(config.features).build is not None:
        if Z is None:
            raise ValueError(f"features={config.features!r} needs the pixel features (Z) to "
                             "build its step.")
        step = features.build(config, Z)
    return assemble(PixelTransform(config.scaling, config.deskew, side), step,
                    make_estimator(config))


def assemble(pixels, step, classifier) -> Pipeline:
    """pixels -> [features] -> logreg: the model's pipeline, with the feature step only when
    there is one (so a pixel model keeps the tutorial's two steps)."""
    middle = [] if step is None else [(FEATURES_STEP, step)]
    return Pipeline([(PIXELS_STEP, pixels), *middle, (LOGREG_STEP, classifier)])


def has_pixel_weights(model: Pipeline) -> bool:
    """Whether a fitted DigitLab pipeline's weights are one per pixel (then, and only then,
    they can be drawn as images): true unless it has a FEATURES_STEP."""
    return FEATURES_STEP not in model.named_steps
