"""Strokes independent of the pen: thin a drawing to its skeleton, then draw it again with one
round brush of a chosen width.

A model trained on MNIST knows MNIST's pen (about 0.12 of the digit's height, a little soft at
the edge). A drawing made with a 1-pixel pen, a fat marker, or a small scan enlarged into
blurred strokes differs from it in thickness and softness, not in shape. The skeleton keeps
the shape and forgets both; the brush then gives every drawing the same pen
(digitlab.data.preprocess calls `restroke` as its "strokes redrawn" step).

`thin` is the thinning of Zhang and Suen ("A fast parallel algorithm for thinning digital
patterns", CACM 1984) in NumPy, on one image or a stack at once: each pass peels the boundary
pixels whose removal keeps the shape connected (one neighbour run, 2-6 neighbours), alternately
from the south-east and the north-west, until nothing changes. OpenCV's own thinning is in
opencv-contrib (cv2.ximgproc), which DigitLab does not install.
"""

from __future__ import annotations

import cv2
import numpy as np


def _neighbours(p: np.ndarray) -> list[np.ndarray]:
    """P2..P9 of every pixel of (n, h, w) uint8 (zero outside): N, NE, E, SE, S, SW, W, NW."""
    q = np.pad(p, ((0, 0), (1, 1), (1, 1)))
    h, w = p.shape[1:]

    def at(dy: int, dx: int) -> np.ndarray:
        return q[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]

    return [at(-1, 0), at(-1, 1), at(0, 1), at(1, 1), at(1, 0), at(1, -1), at(0, -1), at(-1, -1)]


def thin(mask: np.ndarray, max_passes: int = 200) -> np.ndarray:
    """The one-pixel-wide skeleton (bool) of a binary image (h, w) or a stack (n, h, w)."""
    m = np.asarray(mask, bool)
    p = m.reshape((-1, *m.shape[-2:])).astype(np.uint8)
    for _ in range(max_passes):
        changed = False
        for step in (0, 1):
            n2, n3, n4, n5, n6, n7, n8, n9 = _neighbours(p)
            ring = (n2, n3, n4, n5, n6, n7, n8, n9, n2)
            b = n2 + n3 + n4 + n5 + n6 + n7 + n8 + n9
            a = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.uint8) for i in range(8))
            if step == 0:
                side = (n2 * n4 * n6 == 0) & (n4 * n6 * n8 == 0)
            else:
                side = (n2 * n4 * n8 == 0) & (n2 * n6 * n8 == 0)
            peel = (p == 1) & (b >= 2) & (b <= 6) & (a == 1) & side
            if peel.any():
                p[peel] = 0
                changed = True
        if not changed:
            break
    return p.astype(bool).reshape(m.shape)


def brush(path: np.ndarray, width: float) -> np.ndarray:
    """A round brush `width` px wide along `path` (bool), with a one-pixel anti-aliased edge
    (float32 0..1): every pixel within width / 2 of the path is ink."""
    path = np.asarray(path, bool)
    if not path.any():
        return np.zeros(path.shape, np.float32)
    dist = cv2.distanceTransform((~path).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.clip(width / 2 + 0.5 - dist, 0.0, 1.0).astype(np.float32)


def restroke(ink: np.ndarray, width: float, level: float = 0.5) -> np.ndarray:
    """Ink strength (float 0..1, white on black) -> the same shape drawn again with a round
    brush `width` px wide: the skeleton of the pixels at or above `level`, brushed. A drawing
    with no such pixel comes back unchanged."""
    ink = np.asarray(ink, np.float32)
    mask = ink >= level
    if not mask.any():
        return ink
    return brush(thin(mask), width)
