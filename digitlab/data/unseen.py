"""Digits that no training image comes from, drawn as the Draw page receives them.

MNIST's 250 writers are one population; a user is another. Two families of digits from
elsewhere, each drawn on the 280x280 canvas in both ink styles of digitlab.data.redraw (white on
black canvas, dark on photographed paper), so that benchmarks/canvas.py can ask how a model
trained on MNIST reads them through the Draw page's own preprocessing:

- "printed": the digits 0-9 set in 29 typefaces from three sources, none downloaded at run
  time: the Hershey vector fonts (the Hershey-Fonts package, MIT; stroke fonts drawn at a random
  pen width), OpenCV 5's own fonts (sans, italic, uni; at a random weight) and the TrueType
  faces matplotlib ships (DejaVu, STIX, Computer Modern; their own weights). Each glyph is
  scaled and placed on the canvas at random (digitlab.data.redraw.place).
- "writers": handwriting by other people: the UCI "Optical Recognition of Handwritten Digits"
  test set (E. Alpaydin and C. Kaynak, 1998; 1,797 digits by 13 writers, none of them
  MNIST's; licence CC BY 4.0), which scikit-learn ships as `load_digits`. Those are 8x8
  block counts (0..16) of 32x32 bitmaps; each is upscaled, its shape taken at `WRITER_LEVEL`
  and re-stroked with a random brush (digitlab.data.redraw.restroke), as a person would trace it.

Each family is split in two parts: "tuning" (what augmentation and feature settings may be
chosen on) and "report" (what the benchmark prints), so the figures are not tuned on the
renderings they report: different typefaces, and the other half of the writers' digits.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import cv2
import numpy as np

from digitlab.data.redraw import CANVAS, Look, place, restroke

FAMILIES = {
    "printed": "digits 0-9 in typefaces: Hershey vector fonts (Hershey-Fonts, MIT), OpenCV 5's "
               "fonts, matplotlib's TrueType faces (DejaVu, STIX, Computer Modern)",
    "writers": "other writers' handwriting: UCI optical digits (Alpaydin & Kaynak 1998, "
               "CC BY 4.0; scikit-learn's load_digits), 8x8 upscaled and re-stroked",
}
PARTS = ("report", "tuning")
GLYPH_PX = 200  # a glyph is rendered this tall, then scaled onto the canvas like a drawing
HERSHEY_PEN = (0.05, 0.15)  # pen width of a Hershey glyph, as a fraction of its height
OPENCV_WEIGHT = (300, 800)  # OpenCV's variable fonts: from light to extra bold
# The 8x8 counts are upscaled (cubic) and the shape is where they exceed this level (of 255):
# below half, so that a 2-pixel stroke of the 32x32 bitmap (a count of 8 of 16) stays whole.
WRITER_LEVEL = 96.0


@dataclass(frozen=True)
class Face:
    """A typeface: `kind` "hershey" (a Hershey-Fonts font name), "opencv" (a cv2.FontFace
    name) or "ttf" (a TrueType file matplotlib ships); `part` "report" or "tuning"."""

    kind: str
    name: str
    part: str


# Report and tuning faces alternate within each source, so both parts hold sans, serif,
# monospace, bold, slanted, script and gothic digits, but never the same typeface. (Hershey
# fonts whose digits are copies of another's, such as the other gothics, are left out.)
_HERSHEY = ("futural", "futuram", "rowmand", "rowmant", "timesr", "timesrb", "timesi", "timesib",
            "scripts", "scriptc", "cursive", "gothiceng")
_OPENCV = ("sans", "italic", "uni")
_TTF = ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono",
        "DejaVuSansMono-Bold", "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic",
        "STIXGeneral", "STIXGeneralBol", "STIXGeneralItalic", "cmr10", "cmss10", "cmtt10")
FACES: tuple[Face, ...] = tuple(
    Face(kind, name, PARTS[i % 2])
    for kind, names in (("hershey", _HERSHEY), ("opencv", _OPENCV), ("ttf", _TTF))
    for i, name in enumerate(names))


def faces(part: str = "report") -> tuple[Face, ...]:
    _check_part(part)
    return tuple(f for f in FACES if f.part == part)


def _check_part(part: str) -> None:
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}; got {part!r}.")


# --- printed -----------------------------------------------------------------------------------


@functools.cache
def _hershey_font(font: str):
    """A Hershey font, loaded once (each load unpacks the package's whole font table)."""
    from HersheyFonts import HersheyFonts

    h = HersheyFonts()
    h.load_default_font(font)
    h.normalize_rendering(GLYPH_PX)
    return h


@functools.cache
def _hershey_lines(font: str, digit: int) -> np.ndarray:
    """The digit's strokes in a Hershey font as line segments (k, 2, 2), GLYPH_PX tall, y down."""
    lines = np.array(list(_hershey_font(font).lines_for_text(str(digit))),
                     np.float64).reshape(-1, 2, 2)
    lines[:, :, 1] *= -1
    return lines - lines.reshape(-1, 2).min(axis=0)


def _stroke_glyph(lines: np.ndarray, pen: float) -> np.ndarray:
    """Line segments drawn with a round pen `pen` x GLYPH_PX wide (float 0..1)."""
    width = max(1, round(pen * GLYPH_PX))
    margin = width + 2
    w, h = (lines.reshape(-1, 2).max(axis=0) + 2 * margin).astype(int) + 1
    img = np.zeros((h, w), np.uint8)
    for (x1, y1), (x2, y2) in lines + margin:
        cv2.line(img, (round(x1), round(y1)), (round(x2), round(y2)), 255, width, cv2.LINE_AA)
    return img.astype(np.float32) / 255


def _opencv_glyph(font: str, digit: int, weight: int) -> np.ndarray:
    """The digit in one of OpenCV 5's own fonts at `weight` (float 0..1)."""
    side = int(GLYPH_PX * 1.6)
    img = np.zeros((side, side), np.uint8)
    cv2.putText(img, str(digit), (side // 5, side * 4 // 5), 255, cv2.FontFace(font),
                int(GLYPH_PX * 1.3), weight)
    return img.astype(np.float32) / 255


@functools.cache
def _ttf_glyph(name: str, digit: int) -> np.ndarray:
    """The digit in a TrueType face matplotlib ships, about GLYPH_PX tall (float 0..1)."""
    import matplotlib
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{name}.ttf"))
    font.set_size(GLYPH_PX * 1.4, 72)  # a digit is ~0.7 of the em
    font.set_text(str(digit), 0.0)
    font.draw_glyphs_to_bitmap(antialiased=True)
    img = np.asarray(font.get_image(), np.float32) / 255
    img.setflags(write=False)
    return img


def glyph(face: Face, digit: int, rng: np.random.Generator,
          pen: float | None = None) -> np.ndarray:
    """One rendering of `digit` in `face` (float 0..1, white on black, about GLYPH_PX tall); a
    Hershey font takes a random pen width from rng (or `pen`, a fraction of its height), an
    OpenCV font a random weight."""
    if face.kind == "hershey":
        pen = rng.uniform(*HERSHEY_PEN) if pen is None else pen
        return _stroke_glyph(_hershey_lines(face.name, digit), pen)
    if face.kind == "opencv":
        return _opencv_glyph(face.name, digit, int(rng.integers(*OPENCV_WEIGHT)))
    return _ttf_glyph(face.name, digit)


def printed(style: str, seed: int = 0, part: str = "report", repeats: int = 4,
            look: Look | None = None) -> Iterator[tuple[np.ndarray, int]]:
    """(drawing, digit) for each face of `part`, each digit 0-9, `repeats` times: a random
    size and place on the canvas (and pen or weight, where the face has one), or `look`'s size,
    pen (a Hershey font's, or a thicker outline) and scan, in this ink style. Seeded."""
    rng = np.random.default_rng([seed, 1])
    pen = None if look is None or look.width is None else look.width / (look.size * CANVAS)
    for _ in range(repeats):  # every face and digit once before any twice: `limit` stays fair
        for face in faces(part):
            for digit in range(10):
                yield place(glyph(face, digit, rng, pen), rng, style, look), digit


# --- other writers -----------------------------------------------------------------------------


@functools.cache
def writer_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical digits test set as scikit-learn ships it: (1797, 8, 8) counts 0..16 and
    their labels; read-only."""
    from sklearn.datasets import load_digits
    from sklearn.utils import Bunch

    d = cast(Bunch, load_digits())  # a Bunch unless return_X_y=True
    images, labels = d.images.astype(np.float32), d.target.astype(np.int64)
    for a in (images, labels):
        a.setflags(write=False)
    return images, labels


def writer_indices(part: str = "report") -> np.ndarray:
    """Which of the 1,797 digits a part holds: the first half tunes, the second reports."""
    _check_part(part)
    n = len(writer_digits()[1])
    return np.arange(n // 2) if part == "tuning" else np.arange(n // 2, n)


def writers(style: str, seed: int = 0, part: str = "report", limit: int | None = None,
            look: Look | None = None, start: int = 0) -> Iterator[tuple[np.ndarray, int]]:
    """(drawing, digit) for each digit of `part` (`limit` of them from the `start`-th):
    upscaled, re-stroked with a random brush, size and place (or `look`'s), in this ink
    style. Seeded."""
    images, labels = writer_digits()
    rng = np.random.default_rng([seed, 2])
    stop = None if limit is None else start + limit
    for i in writer_indices(part)[start:stop]:
        shape = images[i] * np.float32(255 / 16)
        yield restroke(shape, rng, style, level=WRITER_LEVEL, look=look), int(labels[i])


def drawings(family: str, style: str, seed: int = 0, part: str = "report",
             limit: int | None = None, look: Look | None = None,
             start: int = 0) -> Iterator[tuple[np.ndarray, int]]:
    """The family's drawings in this ink style (see `printed` and `writers`), or in `look`;
    `limit` caps how many, from the `start`-th (for quick runs, tests, the benchmark's grid)."""
    if family == "printed":
        # enough rounds of every face and digit (~150 a round) to reach `start` and beyond
        it = printed(style, seed, part, repeats=4 + start // 100, look=look)
        return itertools.islice(it, start, None if limit is None else start + limit)
    if family == "writers":
        return writers(style, seed, part, limit, look, start)
    raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}.")
