"""Any image a user can give -> a 28x28 digit built like MNIST (white ink on black, uint8).

A logistic regression is a template matcher: it only recognises a digit that is placed, sized and
inked like the training images. MNIST's recipe (LeCun et al., "Gradient-based learning applied to
document recognition", 1998): crop to the ink, scale into a 20x20 box keeping the aspect ratio
with anti-aliasing, then put it in 28x28 so that its centre of mass is the centre. `to_mnist` does
that, in these steps:

1. pixels  : any grey / RGB / RGBA array of any size and dtype -> float grey. Transparent pixels
             are composited onto the colour that contrasts with the ink, so a canvas with a
             transparent background works whatever the stroke colour. Images larger than
             WORK_SIDE are area-downscaled (speed: a 12 MP photo takes ~40 ms, not ~1 s).
2. ink     : the background is the median grey; the ink is on the side (darker or lighter) with
             the stronger excursion from it, so white-on-black and dark-on-light both work. If
             the paper is lit unevenly, its brightness is estimated per pixel first (`_paper`).
             Ink strength is rescaled so stroke cores are 1.0 and paper texture / noise is 0.
3. no ink? : too little contrast, too few ink pixels, or only a dot -> `Prepared` with no image
             (`empty` is True) and a sentence, never a guess (a model always answers *something*).
4. crop    : bounding box of the ink after dropping specks (blobs < SPECK_FRACTION of the
             largest one: dust and JPEG noise on photos; a real stroke is never that small).
5. strokes : the pen width is estimated (2 x area / perimeter), the crop is resampled so its
             longer side is STROKE_SIDE px, and the ink's edges are moved (signed distance) so
             the width becomes MNIST's, MNIST_STROKE of the digit's longer side, unless it is
             already within STROKE_TOLERANCE of it ("strokes evened", a step shown when it
             changes them). A 25 px brush on a 100 px digit is 2.5 times MNIST's pen: left alone
             it fills the 20x20 box with a blob (measured: evening is worth about 1-2 points of
             accuracy on re-drawn digits, see benchmarks/canvas.py). `restroke=True` instead
             thins the ink to its skeleton and draws it again at MNIST's pen
             (digitlab.data.strokes; measured on the grid's tuning parts it reads 1-4 points
             worse: a small digit drawn with a fat pen has its loops filled, and a skeleton
             cannot open them again).
6. 20x20   : area interpolation (anti-aliasing), longer side exactly 20 px.
7. 28x28   : integer shift so the centre of mass lands on pixel (14, 14), where MNIST's is
             (mean 14.00, spread +-0.29 = integer rounding, measured on 20k MNIST images).
8. deskew  : optional (display): moment-based shear so the digit's main axis is vertical.

Step 1 lives in digitlab.data.images (pixels, not digits), step 8 in digitlab.data.deskew:
`deskew_rows` is the same shear for training rows; the model's PixelTransform(deskew=True)
applies it inside the pipeline, so a deskew model gets step 7's image, not step 8's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from digitlab.data import strokes
from digitlab.data.deskew import deskew_image
from digitlab.data.images import PreprocessError, read_image, resize_longest, round_u8, to_grey
from digitlab.text import N_

__all__ = ["PreprocessError", "Prepared", "read_image", "stroke_fraction", "stroke_width",
           "to_mnist"]  # PreprocessError, read_image: digitlab.data.images; pages use both

SIDE = 28  # MNIST image side
BOX = 20  # the digit's longer side inside the 28x28 field
CENTRE = 14.0  # where MNIST's centre of mass sits (pixel index, 0-based)
WORK_SIDE = 512  # larger inputs are area-downscaled to this longer side first
STROKE_SIDE = 100  # the crop's longer side while its stroke width is measured and adjusted
STROKE_PAD = 16  # margin around that crop so dilation does not hit the edge
MIN_RESAMPLED_STROKE = 3.0  # px at STROKE_SIDE scale; thinner pens are widened before resampling

# MNIST's pen width as a fraction of the digit's longer side, measured with `stroke_fraction`
# on the first 5000 MNIST images: median 0.116 (quartiles 0.099 / 0.135, 5-95 %: 0.078-0.176).
# tests/model/test_preprocess_on_mnist.py re-measures it on real MNIST.
MNIST_STROKE = 0.116
# Widths within this factor of MNIST's are left alone (0.093-0.145: MNIST's middle half).
STROKE_TOLERANCE = 1.25

MIN_CONTRAST = 24.0  # grey levels (of 255) between background and ink, below = blank
NOISE_CONTRAST = 6.0  # ... and the ink must stand this many noise sigmas above the paper
MIN_INK_PIXELS = 6  # fewer ink pixels than this (or MIN_INK_FRACTION of the image) = no ink
MIN_INK_FRACTION = 5e-4
MIN_ELONGATION = 2.5  # ink whose longer side is < this many pen widths is a dot
# (a disc has 2A/P = its radius, so its diameter is 2 widths; a short '1' is 4 or more)
SPECK_FRACTION = 0.02  # blobs smaller than this fraction of the largest blob are specks
PAPER_SIDE = 64  # the lighting of the paper is estimated on a copy this small
UNEVEN_LIGHT = 24.0  # grey levels the paper may vary (2-98 %) before it is flattened

MSG_BLANK = N_("No ink found: draw a digit (or upload a picture of one).")
MSG_TOO_LITTLE = N_("Too little ink to read a digit: draw it bigger or with a thicker pen.")
MSG_DOT = N_("That looks like a dot, not a digit: draw the whole digit, large.")


@dataclass(frozen=True)
class Prepared:
    """The 28x28 image a model sees, or the reason there is none, and every step on the way.

    Attributes
    ----------
    image28 : 28x28 uint8, white ink on black, MNIST-like; None if there is no ink.
    message : a sentence for the user ("ink detected: dark on light", "Draw a digit", ...).
    steps : ordered {name: uint8 image, white ink on black}: "input grey", "cropped ink",
        "strokes evened" (when the pen was moved toward MNIST's; "strokes redrawn" with
        restroke), "20x20 fit", "centred 28x28" and "deskewed" if asked. Fewer when the ink
        ran out.
    info : measured facts for display: "ink" style, "stroke before" / "stroke after" (pen width
        in pixels at the 20x20 scale), "box" (x, y, w, h of the ink in the input's pixels).
    """

    image28: np.ndarray | None
    message: str
    steps: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when there is no (or too little) ink: show `message`, not a prediction."""
        return self.image28 is None


# --- 2.-4. ink, "no ink", crop -------------------------------------------------------------


@dataclass(frozen=True)
class _Ink:
    soft: np.ndarray  # float32 0..1 ink strength, white ink on black, whole (working) image
    mask: np.ndarray  # uint8 0/1: the ink that counts (specks dropped)
    style: str  # "white on black" / "dark on light"


def _paper(grey: np.ndarray, dark_on_light: bool) -> np.ndarray | None:
    """The paper's own brightness under uneven light (a shadow, a lamp to one side), or None
    when it is even enough that one number (the median) describes it.

    On a 64 px copy, a morphological closing (opening for light ink) with a disc a quarter of
    the image wide wipes out the strokes, which are narrower, and keeps the slow lighting.
    Only used when that lighting varies: a fat blob on a plain canvas would fool it.
    """
    h, w = grey.shape
    if max(h, w) < PAPER_SIDE:
        return None  # a thumbnail (an MNIST-size digit): its strokes are as wide as any disc
    small = resize_longest(grey, PAPER_SIDE)
    k = max(3, (max(small.shape) // 4) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    op = cv2.MORPH_CLOSE if dark_on_light else cv2.MORPH_OPEN
    paper = cv2.morphologyEx(small, op, disc, borderType=cv2.BORDER_REPLICATE)
    paper = cv2.GaussianBlur(paper, (0, 0), k / 4)  # the closing leaves flat steps; smooth them
    lo, hi = np.percentile(paper, [2, 98])
    if hi - lo < UNEVEN_LIGHT:
        return None
    return cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)


def _find_ink(grey: np.ndarray) -> _Ink | str:
    """The ink map, or a sentence saying why there is none."""
    # Robust statistics from every other pixel of every other row: as good, 4x cheaper.
    sample = grey[::2, ::2]
    bg = float(np.median(sample))
    # A light blur before measuring the extremes keeps one hot pixel from counting as ink.
    blur = cv2.GaussianBlur(grey, (3, 3), 0)
    dark_on_light = bg - float(blur.min()) > float(blur.max()) - bg
    sign = -1.0 if dark_on_light else 1.0
    paper = _paper(grey, dark_on_light)
    if paper is not None:
        bg = paper  # per pixel
    d = sign * (grey - bg)  # ink strength: > 0 on ink, ~0 on paper
    contrast = float((sign * (blur - bg)).max())
    # Paper noise: robust sigma of the residual (the paper is most of the picture).
    resid = d[::2, ::2]
    sigma = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
    if contrast < max(MIN_CONTRAST, NOISE_CONTRAST * sigma):
        return MSG_BLANK
    np.maximum(d, 0, out=d)
    floor = max(3.0 * sigma, 0.15 * contrast)  # below this: paper texture, smudges, JPEG noise
    strong = d[d > 0.5 * contrast]
    core = float(np.median(strong)) if strong.size else contrast
    soft = np.clip((d - floor) / max(core - floor, 1.0), 0.0, 1.0)

    mask = (soft >= 0.5).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return MSG_TOO_LITTLE
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= SPECK_FRACTION * areas.max()) + 1
    if len(keep) < n - 1:
        mask = np.isin(labels, keep).astype(np.uint8)
        # Keep the anti-aliased fringe of the kept blobs, drop everything else.
        soft = soft * cv2.dilate(mask, np.ones((3, 3), np.uint8)).astype(np.float32)
    if mask.sum() < max(MIN_INK_PIXELS, MIN_INK_FRACTION * mask.size):
        return MSG_TOO_LITTLE
    style = N_("dark on light") if dark_on_light else N_("white on black")
    return _Ink(soft.astype(np.float32), mask, style)


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """x, y, w, h of the nonzero pixels."""
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    return int(x), int(y), int(w), int(h)


# --- 5. stroke width -----------------------------------------------------------------------


def stroke_width(ink: np.ndarray) -> float:
    """Pen width in pixels of an ink map (white ink on black, any scale): 2 x area / perimeter.

    A stroke of length L and width w has area L*w and a perimeter of about 2L, so 2A/P is w,
    averaged over the whole drawing. It varies smoothly with the width (a distance-transform
    ridge moves in whole pixels) and is within half a pixel on anti-aliased brush strokes.
    """
    ink = np.asarray(ink, np.float32)
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return 0.0
    mask = (ink >= 0.5 * peak).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * float(mask.sum()) / max(perimeter, 1.0)


def _to_stroke_side(crop: np.ndarray) -> np.ndarray:
    """Resample a crop so its longer side is STROKE_SIDE, then pad it (float32 0..1)."""
    big = resize_longest(crop, STROKE_SIDE)
    return cv2.copyMakeBorder(big, STROKE_PAD, STROKE_PAD, STROKE_PAD, STROKE_PAD,
                              cv2.BORDER_CONSTANT, value=0)


def stroke_fraction(ink: np.ndarray) -> float:
    """Pen width / the digit's longer side, measured at STROKE_SIDE scale (MNIST: MNIST_STROKE)."""
    x, y, w, h = _box(np.asarray(ink) > 0)
    if w == 0:
        return 0.0
    crop = np.asarray(ink, np.float32)[y:y + h, x:x + w]
    return stroke_width(_to_stroke_side(crop / max(float(crop.max()), 1e-6))) / STROKE_SIDE


def offset_edges(ink: np.ndarray, by: float) -> np.ndarray:
    """Move every edge of the ink inward by `by` px (outward if negative), anti-aliased.

    Erosion and dilation with a pixel kernel change a width in steps of two pixels; the signed
    distance to the ink's edge can move it by any fraction, so the result varies smoothly.
    """
    mask = (ink >= 0.5).astype(np.uint8)
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    outside = cv2.distanceTransform(1 - mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    signed = np.where(mask > 0, inside - 0.5, 0.5 - outside)  # > 0 inside, edge at 0
    return np.clip(signed - by + 0.5, 0.0, 1.0).astype(np.float32)


def _even_strokes(big: np.ndarray, width: float) -> np.ndarray:
    """Thin or thicken the strokes of `big` (at STROKE_SIDE scale) toward MNIST's pen width."""
    target = MNIST_STROKE * STROKE_SIDE
    if target / STROKE_TOLERANCE <= width <= target * STROKE_TOLERANCE:
        return big
    evened = offset_edges(big, (width - target) / 2)
    # Never erode a drawing away: if its thinnest parts would vanish, keep it as drawn.
    return evened if evened.max() >= 0.5 else big


# --- 6.-7. the 20x20 box and the 28x28 field -----------------------------------------------


def _fit_box(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink and scale (area interpolation) so the longer side is BOX; float 0..1."""
    x, y, w, h = _box(ink >= 0.5 * float(ink.max()))
    return np.clip(resize_longest(ink[y:y + h, x:x + w], BOX), 0.0, 1.0)


def _centre(fit: np.ndarray) -> np.ndarray:
    """Paste into 28x28 so the centre of mass lands on (CENTRE, CENTRE), shifted by whole pixels
    like MNIST (a sub-pixel shift would blur the strokes)."""
    h, w = fit.shape
    mass = float(fit.sum())
    cy = float((fit.sum(axis=1) * np.arange(h)).sum() / mass)
    cx = float((fit.sum(axis=0) * np.arange(w)).sum() / mass)
    # A very top-heavy shape (a '7' with a bold bar) would be pushed off the bottom edge: keep
    # the whole box inside the field instead, the one place we leave the centroid rule.
    top = min(max(round(CENTRE - cy), 0), SIDE - h)
    left = min(max(round(CENTRE - cx), 0), SIDE - w)
    out = np.zeros((SIDE, SIDE), np.float32)
    out[top:top + h, left:left + w] = fit
    return out


def _u8(a: np.ndarray) -> np.ndarray:
    """Ink strength 0..1 -> uint8 0..255."""
    return round_u8(a * 255.0)


def _boxed(fit: np.ndarray) -> np.ndarray:
    """The fitted digit inside its 20x20 box, for display."""
    out = np.zeros((BOX, BOX), np.float32)
    h, w = fit.shape
    y, x = (BOX - h) // 2, (BOX - w) // 2
    out[y:y + h, x:x + w] = fit
    return out


# --- the public entry ----------------------------------------------------------------------


def to_mnist(image: np.ndarray, deskew: bool = False, even_strokes: bool = True,
             restroke: bool = False) -> Prepared:
    """Any image a user can give -> a 28x28 MNIST-like digit, with every step for display.

    Parameters
    ----------
    image : (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA; uint8, uint16, bool or float (0..1);
        white ink on black or dark ink on light, any size (a canvas's `image_data`, an upload).
    deskew : also add the "deskewed" step (for display; give a deskew model `image28`).
    even_strokes : move the pen width toward MNIST's (step 5); False to keep the drawn width.

    Returns
    -------
    Prepared; `empty=True` with a sentence when there is no digit to read.

    Raises
    ------
    PreprocessError : the array is not an image (wrong shape, no pixels, NaN, text...).
    """
    grey = to_grey(image, WORK_SIDE)
    ink = _find_ink(grey)
    steps: dict[str, np.ndarray] = {}
    if isinstance(ink, str):
        if np.median(grey) > 127.5:
            grey = 255.0 - grey  # still shown white-on-black, like every other step
        steps[N_("input grey")] = round_u8(grey)
        return Prepared(None, ink, steps)
    steps[N_("input grey")] = _u8(ink.soft)

    x, y, w, h = _box(ink.mask)
    crop = ink.soft[y:y + h, x:x + w]
    steps[N_("cropped ink")] = _u8(crop)
    f = STROKE_SIDE / max(w, h)  # working pixels -> STROKE_SIDE pixels
    before = stroke_width(crop) * f
    if before * MIN_ELONGATION > STROKE_SIDE:  # as wide as it is long: a dot
        return Prepared(None, MSG_DOT, steps)
    if before < MIN_RESAMPLED_STROKE:
        # A fine pen on a large photo: shrinking would average the line away. Widen it first
        # to what survives; its real width was measured above.
        crop = offset_edges(crop, (before - MIN_RESAMPLED_STROKE) / 2 / f)
    big = _to_stroke_side(crop)
    if restroke:
        big = strokes.restroke(big, MNIST_STROKE * STROKE_SIDE)
        steps[N_("strokes redrawn")] = _u8(big)
    elif even_strokes:
        evened = _even_strokes(big, stroke_width(big))
        if evened is not big:  # shown only when the pen was too thin or too thick
            steps[N_("strokes evened")] = _u8(evened)
        big = evened
    after = stroke_width(big) if even_strokes or restroke else before

    fit = _fit_box(big)
    steps[N_("20x20 fit")] = _u8(_boxed(fit))
    image28 = _u8(_centre(fit))
    steps[N_("centred 28x28")] = image28
    if deskew:
        steps[N_("deskewed")] = deskew_image(image28)

    scale = BOX / STROKE_SIDE  # stroke widths reported at the 20x20 scale, like MNIST's 2.3 px
    back = max(np.asarray(image).shape[:2]) / max(grey.shape)  # working -> input pixels
    info = {
        "ink": ink.style,
        "stroke before": round(before * scale, 2),
        "stroke after": round(after * scale, 2),
        "box": tuple(round(v * back) for v in (x, y, w, h)),
    }
    message = N_("ink detected: {style}", style=ink.style)
    if even_strokes and abs(after - before) > 0.5:
        widths = {"before": before * scale, "after": after * scale, "mnist": MNIST_STROKE * BOX}
        message = (N_("ink detected: {style}; strokes thinned from {before:.1f} to {after:.1f} "
                      "px (MNIST's pen: {mnist:.1f} px)", style=ink.style, **widths)
                   if after < before else
                   N_("ink detected: {style}; strokes thickened from {before:.1f} to "
                      "{after:.1f} px (MNIST's pen: {mnist:.1f} px)", style=ink.style, **widths))
    return Prepared(image28, message, steps, info)
