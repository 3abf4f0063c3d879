"""Digits drawn with OpenCV strokes (lines and ellipses with a round brush), the way a canvas
draws them, and a similarity of two images that forgives MNIST-sized jitter; for the
preprocessing, deskew and upload tests (and tests/model, which compares real MNIST digits with
it)."""

from __future__ import annotations

import cv2
import numpy as np


def draw_seven(size: int = 280, box=(60, 40, 200, 240), brush: int = 18) -> np.ndarray:
    """A '7' (grey, white ink on black) inside box = (x0, y0, x1, y1) of a size x size canvas."""
    x0, y0, x1, y1 = box
    img = np.zeros((size, size), np.uint8)
    cv2.line(img, (x0, y0), (x1, y0), 255, brush, cv2.LINE_AA)
    cv2.line(img, (x1, y0), (x0 + (x1 - x0) // 3, y1), 255, brush, cv2.LINE_AA)
    return img


def draw_zero(size: int = 280, centre=(140, 140), axes=(55, 90), brush: int = 18) -> np.ndarray:
    img = np.zeros((size, size), np.uint8)
    cv2.ellipse(img, centre, axes, 0, 0, 360, 255, brush, cv2.LINE_AA)
    return img


def rgba_canvas(grey: np.ndarray) -> np.ndarray:
    """What the Draw page's canvas sends (white ink on black): alpha 255 everywhere."""
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def transparent_canvas(grey: np.ndarray, colour=(0, 0, 0)) -> np.ndarray:
    """A canvas with no background colour: stroke colour where there is ink, alpha = coverage."""
    out = np.zeros(grey.shape + (4,), np.uint8)
    out[:, :, :3] = colour
    out[:, :, 3] = grey
    out[grey == 0, :3] = 0  # transparent pixels are (0, 0, 0, 0) in a PNG from the browser
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two images after a 1-pixel blur (1 = same up to brightness).

    The blur forgives the half-pixel jitter of whole-pixel centring, which MNIST has too.
    """
    a, b = (cv2.GaussianBlur(np.asarray(v, np.float64), (5, 5), 1.0).ravel() for v in (a, b))
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
