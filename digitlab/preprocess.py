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
             already within STROKE_TOLERANCE of it. A 25 px brush on a 100 px digit is 2.5 times
             MNIST's pen: left alone it fills the 20x20 box with a blob (measured: evening is worth
             about 1-2 points of accuracy on re-drawn digits, see bench_canvas).
6. 20x20   : area interpolation (anti-aliasing), longer side exactly 20 px.
7. 28x28   : integer shift so the centre of mass lands on pixel (14, 14), where MNIST's is
             (mean 14.00, spread +-0.29 = integer rounding, measured on 20k MNIST images).
8. deskew  : optional (display): moment-based shear so the digit's main axis is vertical.

`deskew_rows` is the same shear for training rows; the model's PixelTransform(deskew=True)
applies it inside the pipeline, so a deskew model gets step 7's image, not step 8's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

SIDE = 28  # MNIST image side
BOX = 20  # the digit's longer side inside the 28x28 field
CENTRE = 14.0  # where MNIST's centre of mass sits (pixel index, 0-based)
WORK_SIDE = 512  # larger inputs are area-downscaled to this longer side first
STROKE_SIDE = 100  # the crop's longer side while its stroke width is measured and adjusted
STROKE_PAD = 16  # margin around that crop so dilation does not hit the edge
MIN_RESAMPLED_STROKE = 3.0  # px at STROKE_SIDE scale; thinner pens are widened before resampling

# MNIST's pen width as a fraction of the digit's longer side, measured with `stroke_fraction`
# on the first 5000 MNIST images: median 0.116 (quartiles 0.099 / 0.135, 5-95 %: 0.078-0.176).
# tests/test_preprocess.py re-measures it on real MNIST.
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

MSG_BLANK = "No ink found: draw a digit (or upload a picture of one)."
MSG_TOO_LITTLE = "Too little ink to read a digit: draw it bigger or with a thicker pen."
MSG_DOT = "That looks like a dot, not a digit: draw the whole digit, large."


class PreprocessError(ValueError):
    """An input that is not an image at all; the message says what to give instead."""


@dataclass(frozen=True)
class Prepared:
    """The 28x28 image a model sees, or the reason there is none, and every step on the way.

    Attributes
    ----------
    image28 : 28x28 uint8, white ink on black, MNIST-like; None if there is no ink.
    message : a sentence for the user ("ink detected: dark on light", "Draw a digit", ...).
    steps : ordered {name: uint8 image, white ink on black}: "input grey", "cropped ink",
        "20x20 fit", "centred 28x28" and "deskewed" if asked. Fewer when the ink ran out.
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


# --- 1. any array -> float grey ------------------------------------------------------------


def _round_u8(a: np.ndarray) -> np.ndarray:
    """Float grey levels 0..255 -> uint8, rounded and clipped."""
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    """Any numeric dtype -> uint8 0..255 (floats in 0..1 are taken as fractions)."""
    a = np.asarray(image)
    if a.dtype == np.uint8:
        return a
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise PreprocessError(f"Pixels must be numbers; got an array of {a.dtype}.")
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise PreprocessError("The image has NaN or infinite pixels; give a real picture.")
        # Float images are 0..1 by convention (matplotlib, skimage); anything larger is 0..255.
        scale = 255.0 if a.size and float(a.max()) <= 1.0 else 1.0
        return _round_u8(a * scale)
    if a.dtype == np.uint16:
        return (a // 257).astype(np.uint8)  # 16-bit PNGs
    return np.clip(a, 0, 255).astype(np.uint8)


def _check_shape(a: np.ndarray) -> np.ndarray:
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise PreprocessError(
            f"Expected a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image; got shape {a.shape}."
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise PreprocessError(f"The image has no pixels (shape {a.shape}).")
    return a


def _resize_longest(a: np.ndarray, longest: int) -> np.ndarray:
    """Resize so the longer side is `longest`: area interpolation (anti-aliased) to shrink,
    linear to enlarge."""
    h, w = a.shape[:2]
    f = longest / max(h, w)
    interp = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
    return cv2.resize(a, (max(1, round(w * f)), max(1, round(h * f))), interpolation=interp)


def _shrink(a: np.ndarray, longest: int) -> np.ndarray:
    """Area-downscale so the longer side is at most `longest` (never upscales)."""
    return a if max(a.shape[:2]) <= longest else _resize_longest(a, longest)


def to_grey(image: np.ndarray, longest: int | None = None) -> np.ndarray:
    """Any grey/RGB/RGBA array -> float32 grey 0..255, transparency composited away.

    Colour arrays are taken as RGB(A) (what the canvas and `read_image` give). Where pixels are
    transparent, the background becomes the opposite of the ink's brightness: a canvas with a
    transparent background returns its stroke colour only where there is ink, so black strokes
    on "nothing" must land on white, and white strokes on black. With `longest`, larger images
    are area-downscaled to that longer side, as cheaply as the input allows.
    """
    a = _check_shape(_as_uint8(image))
    size = longest or max(a.shape[:2])
    if a.ndim == 2:
        return _shrink(a, size).astype(np.float32)
    a = np.ascontiguousarray(a)
    # ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), in OpenCV's fast uint8 path; RGBA2GRAY
    # reads the colour planes in place (slicing them out would copy the whole image).
    to_luma = cv2.COLOR_RGB2GRAY if a.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
    if a.shape[2] == 3 or a[:, :, 3].min() >= 254:
        # opaque everywhere: the background is in the pixels
        return cv2.cvtColor(_shrink(a, size), to_luma).astype(np.float32)
    grey = cv2.cvtColor(a, to_luma)
    alpha = a[:, :, 3].astype(np.float32) * np.float32(1 / 255)
    # Compositing is linear in (grey * alpha, alpha), so shrinking those two first is exact.
    inked = _shrink(grey.astype(np.float32) * alpha, size)
    alpha = _shrink(alpha, size)
    weight = float(alpha.sum())
    ink_luma = float(inked.sum()) / weight if weight > 0 else 0.0
    backdrop = 0.0 if ink_luma > 127.5 else 255.0
    return inked + backdrop * (1.0 - alpha)


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
    small = _resize_longest(grey, PAPER_SIDE)
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
    style = "dark on light" if dark_on_light else "white on black"
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
    big = _resize_longest(crop, STROKE_SIDE)
    return cv2.copyMakeBorder(big, STROKE_PAD, STROKE_PAD, STROKE_PAD, STROKE_PAD,
                              cv2.BORDER_CONSTANT, value=0)


def stroke_fraction(ink: np.ndarray) -> float:
    """Pen width / the digit's longer side, measured at STROKE_SIDE scale (MNIST: MNIST_STROKE)."""
    x, y, w, h = _box(np.asarray(ink) > 0)
    if w == 0:
        return 0.0
    crop = np.asarray(ink, np.float32)[y:y + h, x:x + w]
    return stroke_width(_to_stroke_side(crop / max(float(crop.max()), 1e-6))) / STROKE_SIDE


def _offset(ink: np.ndarray, by: float) -> np.ndarray:
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
    evened = _offset(big, (width - target) / 2)
    # Never erode a drawing away: if its thinnest parts would vanish, keep it as drawn.
    return evened if evened.max() >= 0.5 else big


# --- 6.-7. the 20x20 box and the 28x28 field -----------------------------------------------


def _fit_box(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink and scale (area interpolation) so the longer side is BOX; float 0..1."""
    x, y, w, h = _box(ink >= 0.5 * float(ink.max()))
    return np.clip(_resize_longest(ink[y:y + h, x:x + w], BOX), 0.0, 1.0)


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
    return _round_u8(a * 255.0)


def _boxed(fit: np.ndarray) -> np.ndarray:
    """The fitted digit inside its 20x20 box, for display."""
    out = np.zeros((BOX, BOX), np.float32)
    h, w = fit.shape
    y, x = (BOX - h) // 2, (BOX - w) // 2
    out[y:y + h, x:x + w] = fit
    return out


# --- the public entry ----------------------------------------------------------------------


def to_mnist(image: np.ndarray, deskew: bool = False, even_strokes: bool = True) -> Prepared:
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
        steps["input grey"] = _round_u8(grey)
        return Prepared(None, ink, steps)
    steps["input grey"] = _u8(ink.soft)

    x, y, w, h = _box(ink.mask)
    crop = ink.soft[y:y + h, x:x + w]
    steps["cropped ink"] = _u8(crop)
    f = STROKE_SIDE / max(w, h)  # working pixels -> STROKE_SIDE pixels
    before = stroke_width(crop) * f
    if before * MIN_ELONGATION > STROKE_SIDE:  # as wide as it is long: a dot
        return Prepared(None, MSG_DOT, steps)
    if before < MIN_RESAMPLED_STROKE:
        # A fine pen on a large photo: shrinking would average the line away. Widen it first
        # to what survives; its real width was measured above.
        crop = _offset(crop, (before - MIN_RESAMPLED_STROKE) / 2 / f)
    big = _to_stroke_side(crop)
    if even_strokes:
        big = _even_strokes(big, stroke_width(big))
    after = stroke_width(big) if even_strokes else before

    fit = _fit_box(big)
    steps["20x20 fit"] = _u8(_boxed(fit))
    image28 = _u8(_centre(fit))
    steps["centred 28x28"] = image28
    if deskew:
        steps["deskewed"] = deskew_image(image28)

    scale = BOX / STROKE_SIDE  # stroke widths reported at the 20x20 scale, like MNIST's 2.3 px
    back = max(np.asarray(image).shape[:2]) / max(grey.shape)  # working -> input pixels
    info = {
        "ink": ink.style,
        "stroke before": round(before * scale, 2),
        "stroke after": round(after * scale, 2),
        "box": tuple(round(v * back) for v in (x, y, w, h)),
    }
    message = f"ink detected: {ink.style}"
    if even_strokes and abs(after - before) > 0.5:
        verb = "thinned" if after < before else "thickened"
        message += (f"; strokes {verb} from {before * scale:.1f} to {after * scale:.1f} px "
                    f"(MNIST's pen: {MNIST_STROKE * BOX:.1f} px)")
    return Prepared(image28, message, steps, info)


def plain_resize(image: np.ndarray) -> np.ndarray:
    """The naive baseline: grey, then cv2.resize of the whole picture to 28x28.

    What the usual Streamlit digit demo does, made a little kinder so that the benchmark measures
    placement and size alone: area interpolation (a linear resize would skip whole strokes) and
    ink polarity fixed (dark-on-light is inverted), but no crop, no 20x20 fit, no centring.
    """
    grey = to_grey(image)
    small = cv2.resize(grey, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    if np.median(grey) > 127.5:
        small = 255.0 - small
    return _round_u8(small)


# --- reading uploads -----------------------------------------------------------------------


def read_image(data: bytes | str | Path) -> np.ndarray:
    """Decode a PNG/JPEG/BMP/WebP (bytes, or a file path) -> RGB(A) or grey uint8 array.

    JPEG photos are turned upright by their EXIF orientation; PNG transparency is kept.
    """
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise PreprocessError(f"No image file at {path}.")
        data = path.read_bytes()
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise PreprocessError("The file is empty: upload a PNG or JPEG picture of a digit.")
    buf = np.frombuffer(data, np.uint8)
    raw = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    if raw is None or raw.size == 0:
        raise PreprocessError("Could not read this file as a picture: upload a PNG or JPEG.")
    if raw.ndim == 3 and raw.shape[2] == 4:
        return cv2.cvtColor(_as_uint8(raw), cv2.COLOR_BGRA2RGBA)
    # No alpha: decode again the default way, which turns photos upright by their EXIF
    # orientation (IMREAD_UNCHANGED ignores it) and gives 8 bits per channel.
    flag = cv2.IMREAD_GRAYSCALE if raw.ndim == 2 else cv2.IMREAD_COLOR_RGB
    decoded = cv2.imdecode(buf, flag)
    return decoded if decoded is not None else _as_uint8(raw)


# --- deskew --------------------------------------------------------------------------------

_DESKEW_CHUNK = 4096  # rows per vectorised batch: a few MB of temporaries, cache-friendly


def _deskew_batch(imgs: np.ndarray) -> np.ndarray:
    """(n, s, s) float32 -> the same, each sheared so its ink's main axis is vertical.

    Moments of each image: centre of mass (cx, cy), var(y) and cov(x, y). The shear
    x' = x - skew * (y - cy) with skew = cov / var(y) makes cov(x', y) zero and keeps the centre
    of mass in place. Output pixel (x, y) reads the source at x + skew * (y - cy) on the same row
    with linear interpolation (what cv2.warpAffine(INTER_LINEAR) does for this matrix), for all
    images at once: every row moves by one constant shift, so it is a window of a zero-padded
    row plus a fraction of the next window.
    """
    n, s, _ = imgs.shape
    idx = np.arange(s, dtype=np.float32)
    rows = imgs.sum(axis=2)  # (n, s) mass per row
    m00 = rows.sum(axis=1)
    ok = m00 > 0
    safe = np.where(ok, m00, 1.0)
    cy = rows @ idx / safe
    cx = imgs.sum(axis=1) @ idx / safe
    var_y = rows @ (idx * idx) / safe - cy * cy
    cov = (imgs @ idx) @ idx / safe - cx * cy
    ok &= var_y > 1e-2  # a blank image or a single row: nothing to straighten
    skew = np.where(ok, cov / np.where(ok, var_y, 1.0), 0.0)
    shift = skew[:, None] * (idx[None, :] - cy[:, None])  # (n, s): one shift per row
    whole = np.floor(shift)
    frac = (shift - whole).astype(np.float32).reshape(-1, 1)
    # Shifts beyond +-s read only padding; clipping them changes nothing.
    start = (np.clip(whole, -s, s).astype(np.int64) + s).reshape(-1)
    padded = np.zeros((n * s, 3 * s + 1), np.float32)  # s zeros, the row, s + 1 zeros
    padded[:, s:2 * s] = imgs.reshape(n * s, s)
    windows = np.lib.stride_tricks.sliding_window_view(padded, s, axis=1)  # a view, no copy
    r = np.arange(n * s)
    out = windows[r, start] * (1 - frac) + windows[r, start + 1] * frac
    return out.reshape(n, s, s)


def deskew_rows(X: np.ndarray, side: int = SIDE) -> np.ndarray:
    """(n, side*side) uint8 rows -> the same, each digit's slant removed (moment-based shear).

    Vectorised over the rows (all 70k MNIST images in ~1-2 s); the same function serves training
    (inside the model's PixelTransform) and single drawings (`deskew_image`).
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != side * side:
        raise ValueError(f"deskew_rows wants (n, {side * side}) rows; got shape {X.shape}.")
    out = np.empty(X.shape, np.uint8)
    for start in range(0, len(X), _DESKEW_CHUNK):
        chunk = X[start:start + _DESKEW_CHUNK].reshape(-1, side, side).astype(np.float32)
        sheared = _deskew_batch(chunk).reshape(len(chunk), -1)
        out[start:start + len(chunk)] = _round_u8(sheared)
    return out


def deskew_image(image28: np.ndarray) -> np.ndarray:
    """One square uint8 image -> deskewed, exactly as `deskew_rows` does it for training."""
    a = np.asarray(image28, np.uint8)
    return deskew_rows(a.reshape(1, -1), a.shape[0]).reshape(a.shape)
