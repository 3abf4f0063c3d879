"""The pixel transform inside every model: float32 features, scaled as configured, and never
written into its input. (Synthetic digits: the scaling is arithmetic, not MNIST.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model import pipeline as transform
from digitlab.model.config import TrainConfig


@pytest.mark.parametrize("scaling, lo, hi", [("unit", 0, 1), ("raw", 0, 255)])
def test_pixel_transform_scales_to_float32(scaling, lo, hi, digit_split):
    X = digit_split[0][:200]
    Z = transform.PixelTransform(scaling).fit(X).transform(X)
    assert Z.dtype == np.float32 and Z.shape == (200, 784)
    assert Z.min() == lo and Z.max() == pytest.approx(hi)


def test_standard_scaling_centres_the_training_pixels(digit_split):
    X = digit_split[0][:2000]
    Z = transform.PixelTransform("standard").fit(X).transform(X)
    varying = X.std(axis=0) > 1
    assert np.abs(Z.mean(axis=0)).max() < 1e-3
    assert np.allclose(Z.std(axis=0)[varying], 1, atol=1e-3)
    assert np.isfinite(Z).all()


def test_pixel_transform_never_writes_into_its_input():
    X = np.full((3, 784), 255, np.float32)
    transform.PixelTransform("unit").fit(X).transform(X)
    transform.PixelTransform("standard").fit_transform(X)
    assert (X == 255).all()


def test_the_step_names_are_the_ones_saved_model_files_hold():
    # Said once, in digitlab.model.pipeline; every model file saved so far names its steps so,
    # so a rename would refuse them all (test_modelfile loads files saved by older code).
    assert (transform.PIXELS_STEP, transform.FEATURES_STEP, transform.LOGREG_STEP) == (
        "pixels", "features", "logreg")
    no_map = transform.make_pipeline(TrainConfig())
    assert list(no_map.named_steps) == [transform.PIXELS_STEP, transform.LOGREG_STEP]
    assert transform.has_pixel_weights(no_map)
