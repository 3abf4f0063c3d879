"""Augmented training: each epoch sees the training digits reshaped and re-inked at random, made
on the fly from the uint8 rows, one mini-batch at a time, and framed as the Draw page frames
a drawing.

Why: a linear model is a template matcher, and MNIST's templates are one population's
handwriting. A user's digit reaches the model through the Draw page's preprocessing: its ink
box scaled to 20 px on the longer side, its centre of mass on pixel (14, 14), its pen evened.
So two things help: training digits framed exactly that way (MNIST's own box and centre differ
a little from digit to digit), and shapes a little wider or narrower than MNIST's writers
make them (typefaces are wider). What does not help is what the preprocessing undoes anyway
(place, size) or what a single template per class cannot hold (turns, slants).

What one digit gets (`Augmentation`; uniform draws): a map rotate @ stretch @ shear, the
result put in the Draw page's frame (longer side BOX x scale, centre of mass on CENTRE +
shift), then a stroke change: a blend of up to `stroke` toward its 3x3 grey erosion (thinner)
or dilation (thicker). The defaults were chosen on the *tuning* part of digitlab.data.unseen's
families (benchmarks/canvas.py reports the other part), with the Best model (deskew) on all
59,500 training digits, printed / other writers' accuracy (both ink styles averaged):

    no augmentation                                     0.809 / 0.755   clean 0.942
    the frame alone                                     0.833 / 0.761         0.938
    frame + stretch 0.85-1.15 (each axis)               0.846 / 0.761         0.939
      + stroke 0.3 (the default)                        0.847 / 0.757         0.938
      + rotation +-5 degrees                            0.829 / 0.756         0.936
      + shear +-0.15                                    0.816 / 0.757         0.937
    SKETCH: +-15 deg, 0.85-1.15, shear 0.3, +-2 px,
            stroke 1 (kept size and place, not framed)  0.755 / 0.705         0.934

Issue 24 measured three more options on the grid of sizes, pens and scans
(benchmarks/canvas_grid.py, tuning parts), with deskew + RBF features on 20,000 training digits,
re-drawn / printed / other writers (docs/robust-digits.md):

    the defaults                                        0.952 / 0.804 / 0.846   clean 0.970
      + elastic 1.5 (Simard et al.'s strength)          0.938 / 0.738 / 0.764         0.963
      stroke 1.0 instead of 0.3                         0.949 / 0.825 / 0.827         0.969
      + close 0.5                                       0.949 / 0.801 / 0.840         0.968

so `elastic` and `close` stay off.

How: one affine map per image, all images of a batch warped by a single cv2.remap over a
column of padded tiles (one C call instead of one warpAffine each), erosion and dilation by
one cv2 call each over the same column: ~10 ms for 256 digits. float32 throughout; the result
is rounded to uint8 pixels so that the model's own pixel transform (deskew, scaling) and
feature map then make its features exactly as they would for a drawing. Nothing is stored: a
batch's images live only while its step runs, and the seed fixes every draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from digitlab.data.images import round_u8


@dataclass(frozen=True)
class Augmentation:
    """The random changes each training digit gets (uniform draws). The defaults are the ones
    that helped on the tuning part of digitlab.data.unseen's families (see the module doc)."""

    rotation: float = 0.0  # degrees, +-
    stretch: tuple[float, float] = (0.85, 1.15)  # width and height, each its own draw
    shear: float = 0.0  # +-: x moves by shear * (y - centre)
    scale: tuple[float, float] = (1.0, 1.0)  # the size in the frame (1 = the longer side BOX)
    shift: float = 0.0  # pixels, +-, in x and in y, from the centred place
    stroke: float = 0.3  # up to this share of the way to the 3x3 erosion or dilation
    elastic: float = 0.0  # alpha: the elastic field's strength, in pixels (0 = none)
    close: float = 0.0  # the share of digits whose small holes and gaps are closed (3x3)
    elastic_sigma: float = 4.0  # the field's smoothness: a Gaussian of this sigma, in pixels


DEFAULT = Augmentation()
# The first sketch: measured on the tuning part, it cost the Best model 5 points on
# printed digits and 5 on other writers' (rotation and shear hurt most; a linear model on
# pixels cannot hold a digit at every angle, and deskew already takes most slant out).
SKETCH = Augmentation(rotation=15.0, shear=0.3, scale=(0.85, 1.15), shift=2.0, stroke=1.0)
BOX = 20.0  # the Draw page's frame (digitlab.data.preprocess): the ink box's longer side ...
CENTRE = 14.0  # ... and where the centre of mass sits, in pixels
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
_SQUARE = np.ones((3, 3), np.uint8)


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

    The map is A = rotate @ stretch(width, height) @ shear, then zoomed and moved into the
    Draw page's frame (the ink's longer side BOX x scale, the centre of mass on CENTRE + shift).
    The ink's box and centre of mass move with an affine map exactly, so both come from the
    source's pixels, and one warp does it all.
    """
    n, s, _ = imgs.shape
    theta = np.deg2rad(rng.uniform(-a.rotation, a.rotation, n))
    stretch = rng.uniform(*a.stretch, (n, 2))
    k = rng.uniform(-a.shear, a.shear, n)
    size = rng.uniform(*a.scale, n)
    shift = rng.uniform(-a.shift, a.shift, (n, 2))
    c, si = np.cos(theta), np.sin(theta)
    rot = np.stack([np.stack([c, -si], -1), np.stack([si, c], -1)], 1)
    shear = np.zeros((n, 2, 2))
    shear[:, 0, 0], shear[:, 0, 1], shear[:, 1, 1] = 1.0, k, 1.0
    A = rot * stretch[:, None, :] @ shear  # rot @ diag(stretch) @ shear
    ys, xs = np.mgrid[0:s, 0:s].reshape(2, 1, -1).astype(np.float32)  # pixel centres
    longer, com = _frame(A, xs, ys, imgs.reshape(n, -1))
    zoom = size * BOX / longer
    fwd = A * zoom[:, None, None]
    t = CENTRE + shift - zoom[:, None] * com
    inv = np.empty((n, 2, 3))
    inv[:, :, :2] = np.linalg.inv(fwd)
    inv[:, :, 2] = -np.einsum("nij,nj->ni", inv[:, :, :2], t)
    return inv.astype(np.float32)


def elastic_field(n: int, side: int, rng: np.random.Generator, alpha: float,
                  sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Simard, Steinkraus and Platt's elastic distortion ("Best practices for convolutional
    neural networks applied to visual document analysis", ICDAR 2003): for each of n images a
    displacement of every pixel, uniform in -1..1, smoothed by a Gaussian of `sigma` px and
    scaled by `alpha` (dx, dy: (n, side, side) float32 each). A small sigma makes random
    jitter; a large one, an almost affine shift; in between, the strokes bend as a hand's do."""
    from scipy.ndimage import gaussian_filter

    field = rng.uniform(-1, 1, (2, n, side, side)).astype(np.float32)
    smooth = gaussian_filter(field, sigma=(0, 0, sigma, sigma), mode="constant")
    # A smoothed uniform field is ~sigma times weaker than the raw one; normalising each
    # image's field to unit RMS first makes alpha the typical displacement in pixels (the
    # paper's alpha 34 at sigma 4 is about 1.4 here).
    rms = np.sqrt((smooth ** 2).mean(axis=(0, 2, 3), keepdims=True)) + 1e-12
    smooth *= np.float32(alpha) / rms
    return smooth[0], smooth[1]


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
    if a.elastic > 0:
        dx, dy = elastic_field(n, tile, rng, a.elastic, a.elastic_sigma)
        sx, sy = sx + dx, sy + dy
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
    if a.close > 0:
        # A digit drawn small with a fat pen reaches the model with its loops filled in (the
        # preprocessing thins its strokes back, not its holes): a closing makes such digits.
        # 3x3 over the column: each tile's one-pixel ring keeps its neighbours out.
        shut = cv2.morphologyEx(out.reshape(n * tile, tile), cv2.MORPH_CLOSE, _SQUARE)
        pick = rng.random(n) < a.close
        out[pick] = shut.reshape(n, tile, tile)[pick]
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
    augmented afresh`, for a solver that asks one mini-batch at a time
    (digitlab.model.solvers.fast).

    X_rows are the uint8 rows in the solver's order; `features` is what the model's pipeline
    does before the classifier (pixel transform, feature map). Seeded apart from the shuffle
    and the batch order, so an augmented fit sees its batches in the same order as a plain one.
    """
    rng = np.random.default_rng([seed, 14])

    def batch(rows: slice) -> np.ndarray:
        return features(augment_rows(X_rows[rows], rng, side, a))

    return batch
