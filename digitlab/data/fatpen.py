"""Fat-pen training digits: MNIST's own training digits drawn again on the canvas with a fat
pen, and read through the Draw page's path (`to_mnist`), to train on beside them.

Why: a digit drawn small with a fat pen reaches the model with its loops partly filled and its
corners rounded, even after the Draw page evens its pen back to MNIST's: no MNIST digit looks
like that. On the canvas benchmark's tuning half (docs/robust-digits.md, round six) the 4 px
pen was re-drawn digits' weakest column (0.93 against 0.96-0.98 for thinner pens).

Each digit: one of the training rows, drawn by the seed, re-drawn with `redraw.restroke` (its
centre line, a round brush) at a random size and, for half of them, a small scan, over the
ranges digitlab.data.typeset draws printed digits at, but only with a fat pen (PEN: 2.5 to 4
px at 28x28, at most typeset.MAX_PEN_SHARE of the digit); then `to_mnist`. Only training rows
are drawn: the benchmark's re-drawn digits are test rows. Rendering costs 3-6 ms of CPU a digit,
so the rows are cached beside MNIST (`rows`), keyed by the training rows they come from.
"""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

import numpy as np

from digitlab.data import preprocess, typeset
from digitlab.data.redraw import CANVAS, Look, restroke

PEN = (2.5, 4.0)  # px at 28x28: the fat pens only (the benchmark's grid: 1, 2.5 and 4)
SIDE = preprocess.SIDE
VERSION = 1  # bump when the rendering changes: the cache's name holds it
_MEMO: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_LOCK = threading.Lock()


def random_look(rng: np.random.Generator, pen_range: tuple[float, float] = PEN) -> Look:
    """A size and scan over typeset's ranges, and a fat pen (`pen_range`, px at 28x28: PEN
    unless a screen asks for another)."""
    size = float(rng.uniform(*typeset.SIZE))
    pen = min(float(rng.uniform(*pen_range)) * CANVAS / 28,
              typeset.MAX_PEN_SHARE * size * CANVAS)
    scan = (int(rng.integers(typeset.SCAN[0], typeset.SCAN[1] + 1))
            if rng.random() < typeset.SCANNED else None)
    return Look(size, pen, scan)


def render(X: np.ndarray, y: np.ndarray, n: int, seed: int = 0,
           pen_range: tuple[float, float] = PEN) -> tuple[np.ndarray, np.ndarray]:
    """n of the digits (X: (m, 784) uint8 training rows, y their labels), drawn by the seed,
    each re-drawn with a fat pen (`pen_range`) and read by `to_mnist`: (k, 784) uint8 rows and
    their labels (int64); a drawing to_mnist calls empty (rare) is left out, so fewer rows may
    come back."""
    rng = np.random.default_rng([seed, 27])
    pick = rng.choice(len(y), size=min(n, len(y)), replace=False)
    rows, labels = [], []
    for i in pick:
        look = random_look(rng, pen_range)
        drawing = restroke(np.asarray(X[i]).reshape(SIDE, SIDE), rng, typeset.STYLE, look=look)
        image = preprocess.to_mnist(drawing).image28
        if image is not None:
            rows.append(image.reshape(-1))
            labels.append(int(y[i]))
    return np.array(rows, np.uint8).reshape(-1, SIDE * SIDE), np.array(labels, np.int64)


def cache_path(n: int, seed: int, checksum: int) -> Path:
    from digitlab.data.sources import cache_dir

    return cache_dir() / f"fatpen-v{VERSION}-{n}-{seed}-{checksum:08x}.npz"


def _checksum(X: np.ndarray, y: np.ndarray) -> int:
    """crc32 of X's bytes, then of y's as int64 (~10 ms for the training split)."""
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    return zlib.crc32(y.astype(np.int64).tobytes(), zlib.crc32(X.data.cast("B")))


def cached(X: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> bool:
    """Whether `rows(X, y, n, seed)` would come from memory or the cache file, not be drawn (a
    fit's time estimate adds the drawing when not). Never draws."""
    key = (n, seed, _checksum(X, y))
    with _LOCK:
        if key in _MEMO:
            return True
    return cache_path(*key).exists()


def rows(X: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`render(X, y, n, seed)`, read-only; from memory or the cache when they hold it (keyed by
    a checksum of X and y), else rendered and cached (atomically; an unwritable cache is no
    error: the rows are kept in memory)."""
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    checksum = _checksum(X, y)
    key = (n, seed, checksum)
    with _LOCK:
        if key in _MEMO:
            return _MEMO[key]
    path = cache_path(n, seed, checksum)
    Xf, yf = typeset.cached_digits(path, lambda: render(X, y, n, seed), ".fatpen-")
    with _LOCK:
        return _MEMO.setdefault(key, (Xf, yf))
