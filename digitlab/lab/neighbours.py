"""The training images closest to a drawing: "your 7 looks most like these".

Closeness is the Euclidean distance between 28x28 images (0..255 grey levels) as the model
sees them: the drawing after the Draw page's preprocessing, and for a deskewing model both it
and the training images deskewed.

Exact, and quick enough for the Draw page (median ~5 ms per drawing over all 59,500 training
images, measured here on 2 busy cores; the index takes ~0.5 s to build, ~1 s with deskew).
A brute-force pass over 59,500 x 784 pixels would
read ~190 MB of float32 per drawing (or keep that copy in memory). Instead the index keeps
each training image's coordinates on its first principal components (59,500 x 40 float32,
~10 MB). Projecting onto orthonormal directions never lengthens a vector, so the distance
between two projections is a lower bound on the true distance: the true distances of the
candidates nearest in projection are computed, and the search widens until no image left
out could be closer (usually one round of 256 candidates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMPONENTS = 40  # ~ 80 % of MNIST's pixel variance: tight enough bounds for 256 candidates
FIT_ROWS = 10_000  # rows the principal components are learned from (the rest are projected)
_CHUNK = 8192  # rows converted to float32 at a time while projecting


@dataclass(frozen=True)
class NeighbourIndex:
    """Training images (n, d) uint8 as compared (deskewed if asked), their labels, and their
    coordinates on the principal components."""

    X: np.ndarray
    y: np.ndarray
    mean: np.ndarray  # (d,) float32
    basis: np.ndarray  # (d, m) float32, orthonormal columns
    coords: np.ndarray  # (n, m) float32
    deskew: bool

    def project(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, np.float32) - self.mean) @ self.basis


def build(X_train: np.ndarray, y_train: np.ndarray, deskew: bool = False, side: int = 28,
          components: int = COMPONENTS, seed: int = 0) -> NeighbourIndex:
    """An index over the training rows (n, side*side) uint8: ~0.5 s for all of MNIST here."""
    X = np.asarray(X_train)
    if deskew:
        from digitlab.data.deskew import deskew_rows

        X = deskew_rows(X, side)
    rng = np.random.default_rng(seed)
    fit_rows = rng.choice(len(X), size=min(FIT_ROWS, len(X)), replace=False)
    sample = X[np.sort(fit_rows)].astype(np.float32)
    mean = sample.mean(axis=0)
    sample -= mean
    m = max(1, min(components, *sample.shape))
    # The top right-singular vectors of the centred sample: an eigen-decomposition of its
    # d x d scatter matrix is cheaper than an SVD of the sample and as exact for the top ones.
    vals, vecs = np.linalg.eigh((sample.T @ sample).astype(np.float64))
    basis = np.ascontiguousarray(vecs[:, ::-1][:, :m], dtype=np.float32)
    coords = np.empty((len(X), m), np.float32)
    for start in range(0, len(X), _CHUNK):
        chunk = X[start:start + _CHUNK].astype(np.float32)
        chunk -= mean
        coords[start:start + _CHUNK] = chunk @ basis
    return NeighbourIndex(X, np.asarray(y_train), mean, basis, coords, deskew)


def query_pixels(index: NeighbourIndex, image28: np.ndarray) -> np.ndarray:
    """One 28x28 (or flat) uint8 image as the index compares it (deskewed if the index is)."""
    q = np.asarray(image28, np.uint8).reshape(1, -1)
    if index.deskew:
        from digitlab.data.deskew import deskew_rows

        q = deskew_rows(q, int(round(np.sqrt(q.shape[1]))))
    return q[0]


def nearest(index: NeighbourIndex, image28: np.ndarray, k: int = 8,
            candidates: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(indices into the training rows, distances), the k nearest to `image28`, nearest first.
    Exact: see the module's docstring for why the candidates cannot miss one."""
    q = query_pixels(index, image28).astype(np.float32)
    n = len(index.X)
    k = min(k, n)
    bound = ((index.coords - index.project(q[None])) ** 2).sum(axis=1)  # lower bounds, squared
    want = min(max(candidates, k), n)
    while True:
        if want < n:
            part = np.argpartition(bound, want)
            cand, next_bound = part[:want], float(bound[part[want]])
        else:
            cand, next_bound = np.arange(n), np.inf
        diff = index.X[cand].astype(np.float32) - q
        d2 = np.einsum("ij,ij->i", diff, diff)
        best = np.argsort(d2, kind="stable")[:k]
        if d2[best[-1]] <= next_bound or want >= n:
            return cand[best], np.sqrt(d2[best])
        want = min(want * 4, n)


def vote(index: NeighbourIndex, indices: np.ndarray) -> tuple[int, int]:
    """(the most common label among the neighbours, how many of them have it)."""
    labels, counts = np.unique(index.y[indices], return_counts=True)
    top = int(np.argmax(counts))
    return int(labels[top]), int(counts[top])
