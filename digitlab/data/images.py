"""Pictures in: decode an uploaded file, and turn any grey / RGB / RGBA array into float grey.

Step 1 of the MNIST recipe (digitlab.data.preprocess), on its own because it is about pixels, not
digits: any size and dtype, transparency composited away, large photos shrunk first (a 12 MP
photo takes ~40 ms this way, not ~1 s).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitlab.text import N_


class PreprocessError(ValueError):
    """An input that is not an image at all; the message says what to give instead."""



def round_u8(a: np.ndarray) -> np.ndarray:
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
        raise PreprocessError(N_("Pixels must be numbers; got an array of {dtype}.",
                                 dtype=a.dtype))
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise PreprocessError(N_("The image has NaN or infinite pixels; give a real picture."))
        # Float images are 0..1 by convention (matplotlib, skimage); anything larger is 0..255.
        scale = 255.0 if a.size and float(a.max()) <= 1.0 else 1.0
        return round_u8(a * scale)
    if a.dtype == np.uint16:
        return (a // 257).astype(np.uint8)  # 16-bit PNGs
    return np.clip(a, 0, 255).astype(np.uint8)


def _check_shape(a: np.ndarray) -> np.ndarray:
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise PreprocessError(
            N_("Expected a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image; got shape {shape}.",
               shape=a.shape)
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise PreprocessError(N_("The image has no pixels (shape {shape}).", shape=a.shape))
    return a


def resize_longest(a: np.ndarray, longest: int) -> np.ndarray:
    """Resize so the longer side is `longest`: area interpolation (anti-aliased) to shrink,
    linear to enlarge."""
    h, w = a.shape[:2]
    f = longest / max(h, w)
    interp = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
    return cv2.resize(a, (max(1, round(w * f)), max(1, round(h * f))), interpolation=interp)


def _shrink(a: np.ndarray, longest: int) -> np.ndarray:
    """Area-downscale so the longer side is at most `longest` (never upscales)."""
    return a if max(a.shape[:2]) <= longest else resize_longest(a, longest)


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


# --- reading uploads -----------------------------------------------------------------------


def read_image(data: bytes | str | Path) -> np.ndarray:
    """Decode a PNG/JPEG/BMP/WebP (bytes, or a file path) -> RGB(A) or grey uint8 array.

    JPEG photos are turned upright by their EXIF orientation; PNG transparency is kept.
    """
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise PreprocessError(N_("No image file at {path}.", path=path))
        data = path.read_bytes()
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise PreprocessError(N_("The file is empty: upload a PNG or JPEG picture of a digit."))
    buf = np.frombuffer(data, np.uint8)
    try:  # a header that claims an impossible size raises rather than returning None
        raw = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        raw = None
    if raw is None or raw.size == 0:
        raise PreprocessError(N_("Could not read this file as a picture: upload a PNG or JPEG."))
    if raw.ndim == 3 and raw.shape[2] == 4:
        return cv2.cvtColor(_as_uint8(raw), cv2.COLOR_BGRA2RGBA)
    # No alpha: decode again the default way, which turns photos upright by their EXIF
    # orientation (IMREAD_UNCHANGED ignores it) and gives 8 bits per channel.
    flag = cv2.IMREAD_GRAYSCALE if raw.ndim == 2 else cv2.IMREAD_COLOR_RGB
    decoded = cv2.imdecode(buf, flag)
    return decoded if decoded is not None else _as_uint8(raw)


def picture_png(image: np.ndarray, longest: int = 280) -> bytes:
    """The drawing as the student made it (the canvas's RGBA, or an uploaded picture shrunk to
    `longest` px), as PNG bytes to keep beside its 28x28 image (the class set)."""
    a = np.asarray(image)
    if max(a.shape[:2]) > longest:
        a = resize_longest(a, longest)
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 3:  # OpenCV writes BGR(A)
        a = cv2.cvtColor(a, cv2.COLOR_RGBA2BGRA if a.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    ok, png = cv2.imencode(".png", a)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 grey/BGR/BGRA array
        raise ValueError(N_("could not encode the picture"))
    return png.tobytes()
