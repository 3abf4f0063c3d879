"""Printed training digits: digits set in typefaces, drawn on the canvas at random sizes, pens and
scans, and read through the Draw page's own path (`to_mnist`), to train on beside MNIST.

Why: MNIST holds one population's handwriting and no printed digit. A typeface's '1' has a
foot and a flag, its '4' is closed, its strokes are even and often fat; no augmentation of
handwriting makes those. A few thousand printed digits in training teach the model that
family of shapes.

Only the TUNING typefaces of digitlab.data.unseen may reach training (`TRAIN_PART`): the
canvas benchmark reports on the other ("report") typefaces, so those stay unseen.
`_check_faces` refuses any other face, and every public entry goes through it.

Each digit: a tuning face (in turn) and a digit 0-9 (in turn), a random `Look` over the ranges
of the benchmark's grid (size a third of the canvas to most of it, a pen of 1 to 4 px at
28x28, at most MAX_PEN_SHARE of the digit; half of them scanned small and enlarged back), in
the canvas ink style, then `to_mnist`. Rendering costs ~9 ms of CPU a digit, so the rows are
made once and cached beside MNIST (`rows`); a fit only reads them.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from digitlab.data import preprocess, unseen
from digitlab.data.redraw import CANVAS, Look, place

TRAIN_PART = "tuning"  # the only part of digitlab.data.unseen's typefaces training may see
SIZE = (0.33, 0.9)  # the digit's longer side, a share of the canvas (the grid's range)
PEN = (1.0, 4.0)  # px at 28x28 (the grid's range)
MAX_PEN_SHARE = 0.3  # the pen at most this share of the digit's longer side
SCAN = (35, 100)  # px side of a small scan, for the SCANNED share of the digits
SCANNED = 0.5
STYLE = "canvas"
SIDE = preprocess.SIDE  # rows of SIDE x SIDE pixels, as MNIST's
CHUNK = 250  # digits drawn from one random stream (see `render`)
VERSION = 1  # bump when the rendering changes: the cache's name holds it


def _check_faces(faces: Sequence[unseen.Face]) -> tuple[unseen.Face, ...]:
    """The faces, if every one is a tuning face; else a ValueError naming the others."""
    faces = tuple(faces)
    if not faces:
        raise ValueError("no typeface to render printed training digits with.")
    other = [f.name for f in faces if f.part != TRAIN_PART or f not in unseen.FACES]
    if other:
        raise ValueError(f"printed training digits come from the {TRAIN_PART} typefaces only; "
                         f"{', '.join(other)} must stay unseen.")
    return faces


def random_look(rng: np.random.Generator) -> Look:
    """A size, pen and scan drawn over the ranges of the benchmark's grid."""
    size = float(rng.uniform(*SIZE))
    pen = min(float(rng.uniform(*PEN)) * CANVAS / 28, MAX_PEN_SHARE * size * CANVAS)
    scan = int(rng.integers(SCAN[0], SCAN[1] + 1)) if rng.random() < SCANNED else None
    return Look(size, pen, scan)


def render(n: int, seed: int = 0, faces: Sequence[unseen.Face] | None = None, start: int = 0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Printed digits start..n-1 as MNIST rows ((k, 784) uint8) and their labels (int64):
    faces and digits in turn, each a random look (`random_look`), read by to_mnist. Seeded per
    CHUNK digits (`start`: a multiple of it), so that parts rendered apart (in parallel) join
    into the same rows; a drawing to_mnist calls empty (rare) is left out, so fewer rows may
    come back."""
    faces = _check_faces(unseen.faces(TRAIN_PART) if faces is None else faces)
    if start % CHUNK:
        raise ValueError(f"start must be a multiple of {CHUNK}; got {start}.")
    X, y = [], []
    rng = np.random.default_rng()
    for i in range(start, n):
        if i % CHUNK == 0:
            rng = np.random.default_rng([seed, 24, i // CHUNK])
        face, digit = faces[i % len(faces)], (i // len(faces)) % 10
        look = random_look(rng)
        pen = look.width / (look.size * CANVAS) if look.width is not None else None
        drawing = place(unseen.glyph(face, digit, rng, pen), rng, STYLE, look)
        image = preprocess.to_mnist(drawing).image28
        if image is not None:
            X.append(image.reshape(-1))
            y.append(digit)
    return np.array(X, np.uint8).reshape(-1, 784), np.array(y, np.int64)


def cache_path(n: int, seed: int = 0) -> Path:
    from digitlab.data.sources import cache_dir

    return cache_dir() / f"printed-{TRAIN_PART}-v{VERSION}-{n}-{seed}.npz"


_HELD: set[tuple[int, int]] = set()  # (n, seed) that `rows` holds in memory


@functools.cache
def rows(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`render(n, seed)` over the tuning typefaces, read-only; from the cache when it holds
    them, else rendered (~3-9 ms of CPU a digit) and cached (atomically; an unwritable cache
    is no error: the rows are kept in memory)."""
    got = cached_digits(cache_path(n, seed), lambda: render(n, seed), ".printed-")
    _HELD.add((n, seed))
    return got


def cached(n: int, seed: int = 0) -> bool:
    """Whether `rows(n, seed)` would come from memory or the cache file, not be drawn (a
    fit's time estimate adds the drawing when not). Never draws."""
    return (n, seed) in _HELD or cache_path(n, seed).exists()


def cached_digits(path: Path, make, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Rendered digits (X, y) read from the .npz at `path`, else `make()`d and written there
    atomically (an unwritable cache is no error: the rows are kept in memory); read-only.
    Printed digits here, fat-pen digits (digitlab.data.fatpen) alike."""
    try:
        with np.load(path, allow_pickle=False) as f:
            X, y = f["X"], f["y"]
    except (OSError, KeyError, ValueError):
        X, y = make()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".npz")
            os.close(fd)
            try:
                np.savez_compressed(tmp, X=X, y=y)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            pass
    for a in (X, y):
        a.setflags(write=False)
    return X, y
