"""Small synthetic data for the unit tests, made in a fraction of a second with no download.

`digits`: scikit-learn's bundled 8x8 handwritten digits (1,797 of them) drawn the way
MNIST's digits were: the ink's box scaled to about 20 px on its longer side, its centre of
mass on the middle of a 28x28 uint8 field (ink 0..255, white on black), each copy slightly
turned and shifted. A linear model learns them about as MNIST (0.90-0.92 on 5,000 images; a
model that learned nothing scores ~0.1), so thresholds set for MNIST subsets keep their meaning,
and they survive the Draw page's preprocessing (about 0.9 after a round trip through image
files). Why not random noise: progress curves, warm starts and early stopping behave as on
MNIST only on data a model learns over several epochs.

`two_halves`: two classes told apart by which half of the image holds the ink; separable in one
step, for tests that only need *a* fit.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

# The test images are drawn from other scikit-learn digits than the training images, so a test
# score measures generalisation to unseen drawings, not recall of jittered copies.
TRAIN_SOURCES = slice(0, 1400)
TEST_SOURCES = slice(1400, 1797)
# The jitter: enough that a copy is not its source, little enough for a linear model.
MAX_DEGREES, MAX_SCALE, MAX_SHIFT = 3.0, 0.05, 0.5


@functools.cache
def _sources() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 images as float32 0..255, and their labels as uint8 (like MNIST's)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images.astype(np.float32) * np.float32(255 / 16), d.target.astype(np.uint8)


def _draw(image8: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One 8x8 digit drawn as MNIST's digits were: the ink's box scaled so its longer side is
    (about) 20 px, its centre of mass on the middle of 28x28; then a slight turn and shift."""
    ys, xs = np.nonzero(image8)
    ink = image8[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    k = 20 * rng.uniform(1 - MAX_SCALE, 1) / max(h, w)
    big = cv2.resize(ink, (max(1, round(w * k)), max(1, round(h * k))),
                     interpolation=cv2.INTER_CUBIC)
    m = cv2.moments(big)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    M = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-MAX_DEGREES, MAX_DEGREES), 1.0)
    M[:, 2] += np.array([14 - cx, 14 - cy]) + rng.uniform(-MAX_SHIFT, MAX_SHIFT, 2)
    out = cv2.warpAffine(big, M, (28, 28), flags=cv2.INTER_LINEAR)
    return np.clip(out, 0, 255).round().astype(np.uint8)


def digits(n: int, seed: int = 0, sources: slice = TRAIN_SOURCES) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, 784) uint8, y (n,) uint8): n drawings of the `sources` digits, in random order,
    each class about n / 10 times."""
    images, labels = _sources()
    index = np.arange(len(labels))[sources]
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(np.resize(index, n))
    X = np.stack([_draw(images[i], rng) for i in chosen]).reshape(n, 784)
    return X, labels[chosen]


def split(n_train: int = 5000, n_test: int = 2000, seed: int = 0):
    """X_train, X_test, y_train, y_test (the tutorial's order), from disjoint source digits."""
    X_train, y_train = digits(n_train, seed, TRAIN_SOURCES)
    X_test, y_test = digits(n_test, seed + 1, TEST_SOURCES)
    return X_train, X_test, y_train, y_test


def two_halves(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n synthetic 28x28 'digits' of two classes: the ink is in the left half or the right."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.uint8)
    X = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        X[i, :, 14 * label:14 * label + 14] += 200
    return X.reshape(n, -1), y
