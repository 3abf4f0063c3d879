"""MNIST test digits re-drawn like canvas drawings and photos of paper (seeded, synthetic).

`redraw` draws an MNIST digit; `restroke` any grey shape of a digit (digitlab.data.unseen's other
writers); `place` a shape that keeps its own strokes (digitlab.data.unseen's printed glyphs).

A drawing on the Draw page is placed, sized and inked unlike MNIST. `redraw` turns a test digit
into such a drawing, so that the canvas benchmark (benchmarks/canvas.py) and the tests can ask
whether the preprocessing still gets it read. How one drawing is made, seeded so every figure
repeats:

1. Pen path: the digit's ink (pixels > 0) is cropped and upscaled with cubic interpolation so its
   longer side is S = U(0.35, 0.85) x 280 px, then thresholded at 50 %. The centre line of that
   shape is the ridge of its distance transform (pixels within 0.5 of their 3x3 maximum and at
   least half the median ridge depth, which trims spurs at corners).
2. Brush: every pixel within r = B / 2 of the centre line becomes ink, with a one-pixel
   anti-aliased edge: a round brush of uniform width B = U(8, 30) px (at most S / 4), what a mouse
   or finger on the canvas gives. MNIST's pen varies and is about S / 8 wide; B / S here spans
   0.03 - 0.25, so strokes are genuinely thinner or fatter than MNIST's.
3. Place: anywhere on the 280 x 280 canvas where the whole drawing fits (uniform).
4. Ink style:
   - "canvas": RGBA as the Draw page's canvas sends it: white ink on black, alpha 255
     everywhere.
   - "paper": a photo-like RGB picture of dark ink on light paper: paper grey U(185, 245) with a
     slight tint, a lighting gradient of up to +-20 levels across the sheet, blue-black ink at
     opacity U(0.75, 1), Gaussian noise sigma U(2, 6), a 0.6 px camera blur, and a JPEG round trip
     at quality U(60, 90).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digitlab.data.preprocess import offset_edges, stroke_width
from digitlab.data.strokes import brush

CANVAS = 280  # the Draw page's canvas side, in pixels
SIZE_RANGE = (0.35, 0.85)  # the digit's longer side, as a fraction of the canvas
BRUSH_RANGE = (8.0, 30.0)  # brush width in canvas pixels
MAX_BRUSH_FRACTION = 0.25  # ... but at most this fraction of the digit's longer side
STYLES = ("canvas", "paper")


@dataclass(frozen=True)
class Look:
    """One drawing's size, pen and scan, chosen rather than drawn at random (the canvas
    benchmark's grid of factors): `size` the digit's longer side as a fraction of the canvas;
    `width` the brush in canvas pixels (None: a printed glyph keeps its own strokes); `scan`
    the side in pixels of a small scan of the canvas that is then enlarged back to it (blurred
    strokes; None: no scan). Its place stays random."""

    size: float
    width: float | None = None
    scan: int | None = None


def _scanned(ink: np.ndarray, scan: int | None) -> np.ndarray:
    """The canvas as a small scan of `scan` px enlarged back (cubic): soft, blurred strokes."""
    if scan is None:
        return ink
    small = cv2.resize(ink, (scan, scan), interpolation=cv2.INTER_AREA)
    return np.clip(cv2.resize(small, ink.shape[::-1], interpolation=cv2.INTER_CUBIC), 0, 1)


def _pen_path(shape: np.ndarray, size: float, pad: int, level: float = 127.5) -> np.ndarray:
    """The centre line (bool) of a grey shape (2-D, 0..255, any size) at `size` px on its longer
    side, with `pad` px margin; the shape is its pixels above `level` after the upscale."""
    img = np.asarray(shape, np.float32)
    x, y, w, h = cv2.boundingRect((img > 0).astype(np.uint8))
    k = size / max(w, h)
    big = cv2.resize(img[y:y + h, x:x + w], (max(1, round(w * k)), max(1, round(h * k))),
                     interpolation=cv2.INTER_CUBIC)
    big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    mask = (big > level).astype(np.uint8)
    dt = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    # Within 0.5 of the local maximum rather than equal to it: along a stroke that slowly gets
    # wider the true centre line is never a strict maximum, and would break into dashes.
    ridge = (mask > 0) & (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8)) - 0.5)
    if ridge.any():
        ridge &= dt >= 0.5 * float(np.median(dt[ridge]))  # spurs into corners are shallow
    return ridge


def _on_canvas(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Place a drawing (trimmed to its ink) at a uniform random spot of the canvas."""
    x, y, w, h = cv2.boundingRect((ink > 0).astype(np.uint8))
    ink = ink[y:y + h, x:x + w][:CANVAS, :CANVAS]
    h, w = ink.shape
    top = int(rng.integers(0, CANVAS - h + 1))
    left = int(rng.integers(0, CANVAS - w + 1))
    out = np.zeros((CANVAS, CANVAS), np.float32)
    out[top:top + h, left:left + w] = ink
    return out


def _canvas_rgba(ink: np.ndarray) -> np.ndarray:
    """White ink on a black background, alpha 255: the canvas's picture."""
    v = np.clip(np.rint(ink * 255), 0, 255).astype(np.uint8)
    return np.dstack([v, v, v, np.full_like(v, 255)])


_RAMP = np.linspace(-0.5, 0.5, CANVAS, dtype=np.float32)  # lighting gradient across the sheet


def _paper_rgb(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark ink on light paper, photographed: tint, lighting gradient, noise, blur, JPEG."""
    paper = (rng.uniform(185, 245) + rng.uniform(-8, 8, size=3)).astype(np.float32)
    gx, gy = rng.uniform(-20, 20, size=2)
    light = (gx * _RAMP[None, :] + gy * _RAMP[:, None]).astype(np.float32)[:, :, None]
    ink_colour = np.array([rng.uniform(10, 50), rng.uniform(10, 50), rng.uniform(40, 110)],
                          np.float32)
    a = (np.float32(rng.uniform(0.75, 1.0)) * ink)[:, :, None]
    img = (paper + light) * (1 - a) + ink_colour * a
    img += np.float32(rng.uniform(2, 6)) * rng.standard_normal(img.shape, dtype=np.float32)
    img = cv2.GaussianBlur(img, (0, 0), 0.6)
    rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    _, jpg = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 91))])
    noisy = cv2.imdecode(jpg, cv2.IMREAD_UNCHANGED)  # channel order is irrelevant to the noise
    if noisy is None:  # cannot happen: the bytes are the JPEG just encoded
        raise RuntimeError("OpenCV could not decode the JPEG it had just encoded")
    return noisy


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}; got {style!r}.")


def _finish(ink: np.ndarray, rng: np.random.Generator, style: str,
            scan: int | None = None) -> np.ndarray:
    """Ink (float 0..1, trimmed or not) -> a drawing on the canvas in this style (steps 3-4),
    through a small scan first if `scan` is given."""
    ink = _scanned(_on_canvas(ink, rng), scan)
    return _canvas_rgba(ink) if style == "canvas" else _paper_rgb(ink, rng)


def restroke(shape: np.ndarray, rng: np.random.Generator, style: str,
             level: float = 127.5, look: Look | None = None) -> np.ndarray:
    """Any grey shape of a digit (2-D, 0..255, white on black, any size) -> a 280x280 drawing
    of it with a random size, brush and place (steps 1-4 of the module doc; `level` is step
    1's threshold), or the size, brush and scan of `look`. style "canvas" -> (280, 280, 4)
    RGBA white on black; "paper" -> (280, 280, 3) RGB photo."""
    _check_style(style)
    if look is None:
        size = rng.uniform(*SIZE_RANGE) * CANVAS
        width = min(rng.uniform(*BRUSH_RANGE), MAX_BRUSH_FRACTION * size)
    else:
        size = look.size * CANVAS
        width = look.width if look.width is not None else MAX_BRUSH_FRACTION * size / 2
    pad = int(np.ceil(width / 2)) + 2
    return _finish(brush(_pen_path(shape, size, pad, level), width), rng, style,
                   None if look is None else look.scan)


def _thickened(ink: np.ndarray, width: float) -> np.ndarray:
    """A glyph's strokes widened to `width` px if they are thinner (never thinned: a
    typeface's hairlines would break), by moving every edge outward."""
    own = stroke_width(ink)
    if own <= 0 or own >= width:
        return ink
    pad = int(np.ceil((width - own) / 2)) + 2
    padded = cv2.copyMakeBorder(ink, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    return offset_edges(padded, (own - width) / 2)


def place(ink: np.ndarray, rng: np.random.Generator, style: str,
          look: Look | None = None) -> np.ndarray:
    """A shape that keeps its own strokes (a printed glyph: float 0..1, any size) -> a 280x280
    drawing: scaled to a random size (step 1's range) or `look`'s, placed and inked as
    `restroke` does; `look`'s width thickens strokes thinner than it, its scan blurs."""
    _check_style(style)
    ink = np.asarray(ink, np.float32)
    x, y, w, h = cv2.boundingRect((ink > 0).astype(np.uint8))
    k = (rng.uniform(*SIZE_RANGE) if look is None else look.size) * CANVAS / max(w, h)
    small = cv2.resize(ink[y:y + h, x:x + w], (max(1, round(w * k)), max(1, round(h * k))),
                       interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
    small = np.clip(small, 0.0, 1.0)
    if look is not None and look.width is not None:
        small = _thickened(small, look.width)
    return _finish(small, rng, style, None if look is None else look.scan)


def redraw(digit28: np.ndarray, rng: np.random.Generator, style: str) -> np.ndarray:
    """One MNIST digit (784 or 28x28 uint8) -> a 280x280 drawing of it (see the module doc)."""
    return restroke(np.asarray(digit28).reshape(28, 28), rng, style)
