"""Augmented training: each epoch sees the training digits moved, turned, sized, slanted and
re-inked at random, made on the fly from the uint8 rows, one mini-batch at a time.

Why: a linear model is a template matcher, and MNIST's templates are one population's
handwriting, centred and sized by one recipe. A user's digit, even after the Draw page's
preprocessing, is a little off-centre, turned, wider or narrower, slanted, inked thinner or
thicker. Showing the model such digits while it learns makes each template cover them.

What one digit gets (`Augmentation`, uniform draws): a rotation of up to +-15 degrees, a scale
of 0.85-1.15, a shear of up to +-0.3 (x moves by 0.3 of the height above the centre), a
shift of up to +-2 px, and a stroke change: a blend of up to `stroke` toward its 3x3 grey
erosion (thinner) or dilation (thicker).

How: one affine map per image, all images of a batch warped by a single cv2.remap over a
column of padded tiles (one C call instead of one warpAffine each: ~3 ms for 256 digits, not
~6), erosion and dilation by one cv2 call each over the same column. float32 throughout; the
result is rounded to uint8 pixels so that the model's own pixel transform (deskew, scaling)
and feature map then make its features exactly as they would for a drawing. Nothing is
stored: a batch's images live only while its step runs, and the seed fixes every draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from digitlab.images import round_u8


@dataclass(frozen=True)
class Augmentation:
    """The random changes each training digit gets (uniform draws, see the module doc)."""

    rotation: float = 15.0  # degrees, +-
    scale: tuple[float, float] = (0.85, 1.15)  # width and height, each its own draw
    shear: float = 0.3  # +-: x moves by shear * (y - centre)
    shift: float = 1.0  # pixels, +-, in x and in y, around the centred place
    stroke: float = 0.5  # up to this share of the way to the 3x3 erosion or dilation


DEFAULT = Augmentation()
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def _frame(A: np.ndarray, xs: np.ndarray, ys: np.ndarray, mass: np.ndarray) -> tuple:
    """(longer side of the ink's box, centre of mass (x, y)) of each image after mapping its
    pixels by the linear map A (n, 2, 2): an affine map moves both exactly, so they come from
    the source's pixels without warping anything."""
    ink, total = mass > 0, mass.sum(axis=1, dtype=np.float64)
    ok = total > 0
    com, longer = np.empty((len(A), 2)), np.zeros(len(A))
    for i in range(2):  # where each pixel goes along x, then along y
        q = A[:, i, :1].astype(np.float32) * xs + A[:, i, 1:].astype(np.float32) * ys
        extent = np.where(ink, q, -np.inf).max(axis=1) - np.where(ink, q, np.inf).min(axis=1)
        longer = np.maximum(longer, np.where(ok, extent, 0.0))
        com[:, i] = (mass * q).sum(axis=1) / np.where(ok, total, 1.0)
    return longer + 1.0, com  # + 1: a pixel's own width


def _inverse_maps(imgs: np.ndarray, rng: np.random.Generator, a: Augmentation) -> np.ndarray:
    """(n, 2, 3) float32: for each image, where an output pixel (x, y) reads the source.

    The map is A = rotate @ scale(width, height) @ shear, then zoomed and moved so that the
    digit keeps its longer side and its centre of mass (then shifted by a pixel or so): the
    Draw page's preprocessing sizes and centres every drawing that way, so a digit that grew
    or wandered is one that no drawing ever looks like. It changes shape, not size or place.
    """
    n, s, _ = imgs.shape
    theta = np.deg2rad(rng.uniform(-a.rotation, a.rotation, n))
    scale = rng.uniform(*a.scale, (n, 2))
    k = rng.uniform(-a.shear, a.shear, n)
    shift = rng.uniform(-a.shift, a.shift, (n, 2))
    c, si = np.cos(theta), np.sin(theta)
    rot = np.stack([np.stack([c, -si], -1), np.stack([si, c], -1)], 1)
    shear = np.zeros((n, 2, 2))
    shear[:, 0, 0], shear[:, 0, 1], shear[:, 1, 1] = 1.0, k, 1.0
    A = rot * scale[:, None, :] @ shear  # rot @ diag(scale) @ shear
    ys, xs = np.mgrid[0:s, 0:s].reshape(2, 1, -1).astype(np.float32)  # pixel centres
    mass = imgs.reshape(n, -1)
    was_longer, was_com = _frame(np.broadcast_to(np.eye(2), A.shape), xs, ys, mass)
    longer, com = _frame(A, xs, ys, mass)
    zoom = was_longer / longer
    fwd = A * zoom[:, None, None]
    t = was_com + shift - zoom[:, None] * com
    inv = np.empty((n, 2, 3))
    inv[:, :, :2] = np.linalg.inv(fwd)
    inv[:, :, 2] = -np.einsum("nij,nj->ni", inv[:, :, :2], t)
    return inv.astype(np.float32)


def augment_images(images: np.ndarray, rng: np.random.Generator,
                   a: Augmentation = DEFAULT) -> np.ndarray:
    """(n, s, s) uint8 or float digits -> (n, s, s) float32 0..255, each changed at random."""
    imgs = np.asarray(images, np.float32)
    n, s, _ = imgs.shape
    tile = s + 2  # each tile: the image inside a one-pixel ring of zeros
    column = np.zeros((n, tile, tile), np.float32)
    column[:, 1:-1, 1:-1] = imgs
    # The output is warped into the same layout (ring included), so that erosion and dilation
    # below see each digit's own edge, never the next tile's digit.
    grid = np.arange(-1, s + 1, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid)
    inv = _inverse_maps(imgs, rng, a)
    sx = inv[:, 0, :1, None] * gx + inv[:, 0, 1:2, None] * gy + inv[:, 0, 2:, None]
    sy = inv[:, 1, :1, None] * gx + inv[:, 1, 1:2, None] * gy + inv[:, 1, 2:, None]
    # Reads past the digit land on its ring (zeros), never on a neighbouring tile.
    sx = np.clip(sx, -1, s) + 1
    sy = np.clip(sy, -1, s) + 1 + (np.arange(n, dtype=np.float32) * tile)[:, None, None]
    flat = column.reshape(n * tile, tile)
    warped = cv2.remap(flat, sx.reshape(n * tile, tile), sy.reshape(n * tile, tile),
                       cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    w = rng.uniform(-a.stroke, a.stroke, n).astype(np.float32)[:, None, None]
    thick = cv2.dilate(warped, _CROSS).reshape(n, tile, tile)
    thin = cv2.erode(warped, _CROSS).reshape(n, tile, tile)
    warped = warped.reshape(n, tile, tile)
    out = warped + np.maximum(w, 0) * (thick - warped) + np.maximum(-w, 0) * (thin - warped)
    return out[:, 1:-1, 1:-1]


def augment_rows(X: np.ndarray, rng: np.random.Generator, side: int = 28,
                 a: Augmentation = DEFAULT) -> np.ndarray:
    """(n, side*side) uint8 rows -> new uint8 rows, each digit changed at random."""
    X = np.asarray(X)
    out = augment_images(X.reshape(len(X), side, side), rng, a)
    return round_u8(out.reshape(len(X), side * side))


def batch_source(X_rows: np.ndarray, features: Callable[[np.ndarray], np.ndarray], seed: int,
                 side: int = 28, a: Augmentation = DEFAULT) -> Callable[[slice], np.ndarray]:
    """The training hook of an augmented fit: `rows -> the features of those training rows,
    augmented afresh`, for a solver that asks one mini-batch at a time (digitlab.fast).

    X_rows are the uint8 rows in the solver's order; `features` is what the model's pipeline
    does before the classifier (pixel transform, feature map). Seeded apart from the shuffle
    and the batch order, so an augmented fit sees its batches in the same order as a plain one.
    """
    rng = np.random.default_rng([seed, 14])

    def batch(rows: slice) -> np.ndarray:
        return features(augment_rows(X_rows[rows], rng, side, a))

    return batch
