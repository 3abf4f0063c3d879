"""A map of all the digits: every test image as a point on the training images' first two
principal components, and a drawing placed on the same map ("your 7 sits among the 7s, near
the 9s").

The two directions are the first two of the neighbour index's principal components
(digitlab.lab.neighbours: learned from 10,000 of the training images, deskewed when the model
deskews), so the map costs no fit of its own: a projection of the test images (~10 ms for
10,500, ~0.3 s more to deskew them) once the index is built, and a 784 x 2 product per drawing.
The training digits nearest to a drawing are placed with the coordinates the index already
holds. PCA, not t-SNE or UMAP: a linear map puts a new drawing where the test digits would put
it, with no refit and no approximation, and its two axes are two weight images a learner can
look at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.lab.neighbours import NeighbourIndex, query_pixels

SAMPLE_PER_DIGIT = 250  # points per digit a page draws: 2,500 dots read better than 10,500


@dataclass(frozen=True)
class DigitMap:
    """Test images (n, 2) on the map, their labels, and the index whose directions it uses."""

    coords: np.ndarray  # (n, 2) float32: test image i at coords[i]
    labels: np.ndarray  # (n,)
    index: NeighbourIndex

    @property
    def deskew(self) -> bool:
        return self.index.deskew

    def place(self, image28: np.ndarray) -> np.ndarray:
        """Where one 28x28 (or flat) uint8 image sits on the map (2,): deskewed first if the
        map's images are."""
        q = query_pixels(self.index, image28)
        return self.index.project(q[None])[0, :2]

    def training_coords(self, rows: np.ndarray) -> np.ndarray:
        """Where training images `rows` (indices, as neighbours.nearest returns them) sit."""
        return self.index.coords[np.asarray(rows), :2]

    def sample(self, per_digit: int = SAMPLE_PER_DIGIT, seed: int = 0) -> np.ndarray:
        """Indices of at most `per_digit` test images of each digit (random, fixed by `seed`),
        in test-set order: the points a page draws."""
        rng = np.random.default_rng(seed)
        keep = [rng.permutation(np.flatnonzero(self.labels == d))[:per_digit]
                for d in np.unique(self.labels)]
        return np.sort(np.concatenate(keep)) if keep else np.arange(0)

    def centres(self) -> dict[int, np.ndarray]:
        """Each digit's median point on the map (where its label is written)."""
        return {int(d): np.median(self.coords[self.labels == d], axis=0)
                for d in np.unique(self.labels)}


def build(index: NeighbourIndex, X_test: np.ndarray, y_test: np.ndarray) -> DigitMap:
    """The test images (n, pixels) uint8 on the map of `index` (see the module's docstring)."""
    X = np.asarray(X_test)
    if index.deskew:
        from digitlab.data.deskew import deskew_rows

        X = deskew_rows(X, int(round(np.sqrt(X.shape[1]))))
    coords = ((X.astype(np.float32) - index.mean) @ index.basis[:, :2]).astype(np.float32)
    coords.flags.writeable = False
    return DigitMap(coords, np.asarray(y_test), index)
