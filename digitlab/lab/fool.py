"""Can you fool it? Shift, rotate, scale and thicken a drawing before it reaches the model, and
see what the preprocessing undoes and what gets through.

The MNIST recipe (digitlab.data.preprocess) crops to the ink, fits it into 20x20 and centres it,
so a shift or a change of size mostly never reaches the model; it also moves the pen width toward
MNIST's, so a thicker pen is largely undone. A rotation is not undone (a deskewing model
straightens a slant, which is a shear, not a turn): that is where a template matcher is easy
to fool. `reached` measures how much of each change survives into the 28x28 input, and
`verdict` says what that share means.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from digitlab.data import preprocess
from digitlab.data.images import round_u8, to_grey
from digitlab.model.predict import predict_digit

# What a `reached` share (the ink that moved in the model's input) means: below UNDONE the
# preprocessing undid the change (on a drawn "1": a shift moves none, 70 % of the size 1 %);
# below PARTLY_UNDONE it undid most of it (a pen 4 px thinner, 8 %); above, the change reaches
# the model (a turn of 5 degrees moves 23 % of the ink, 40 degrees 83 %).
UNDONE = 0.05
PARTLY_UNDONE = 0.15


@dataclass(frozen=True)
class Change:
    """What to do to a picture before the preprocessing sees it.

    shift_x, shift_y : a move by this fraction of the picture's longer side (+ = right, down).
    angle : degrees, counter-clockwise, about the picture's centre.
    scale : size factor about the centre (0.5 = half as big).
    thicken : pen width added, as a fraction of the picture's longer side (< 0 thins it).
    """

    shift_x: float = 0.0
    shift_y: float = 0.0
    angle: float = 0.0
    scale: float = 1.0
    thicken: float = 0.0

    @property
    def is_none(self) -> bool:
        return self == Change()

    def parts(self) -> dict[str, Change]:
        """Each kind of change on its own, for the ones that are set: shift, rotate, scale,
        thicken."""
        alone = {"shift": Change(shift_x=self.shift_x, shift_y=self.shift_y),
                 "rotate": Change(angle=self.angle), "scale": Change(scale=self.scale),
                 "thicken": Change(thicken=self.thicken)}
        return {name: c for name, c in alone.items() if not c.is_none}


def ink_on_black(image: np.ndarray) -> np.ndarray:
    """Any picture -> float32 grey with light ink on a dark background (a photo of dark ink on
    paper is inverted), so moved-in borders and a thicker pen mean the same for every input."""
    grey = to_grey(image, preprocess.WORK_SIDE)
    return 255.0 - grey if float(np.median(grey)) > 127.5 else grey


def apply(image: np.ndarray, change: Change) -> np.ndarray:
    """The picture with `change` done to it: uint8 grey, light ink on dark, the same size.
    Ink moved past the edge is lost, as it would be on paper."""
    grey = ink_on_black(image)
    if change.is_none:
        return round_u8(grey)
    h, w = grey.shape
    background = float(np.median(grey))
    side = max(h, w)
    if change.thicken:
        r = abs(change.thicken) * side / 2  # the pen grows by `thicken` * side: r on each edge
        k = max(1, int(round(2 * r)) | 1)
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        grey = (cv2.dilate if change.thicken > 0 else cv2.erode)(grey, disc)
    if (change.angle, change.scale, change.shift_x, change.shift_y) != (0.0, 1.0, 0.0, 0.0):
        M = cv2.getRotationMatrix2D((w / 2, h / 2), change.angle, change.scale)
        M[:, 2] += (change.shift_x * side, change.shift_y * side)
        grey = cv2.warpAffine(grey, M, (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=background)
    return round_u8(grey)


@dataclass(frozen=True)
class Attempt:
    """A changed picture as the model reads it: the picture, its preprocessing, the answer."""

    picture: np.ndarray
    prepared: preprocess.Prepared
    digit: int | None  # None: the preprocessing found no digit (pushed off the edge, ...)
    probabilities: np.ndarray | None


def attempt(model, image: np.ndarray, change: Change, deskew: bool = False) -> Attempt:
    """Change the picture, run the Draw page's preprocessing, ask the model."""
    picture = apply(image, change)
    prepared = preprocess.to_mnist(picture, deskew=deskew)
    if prepared.image28 is None:  # prepared.empty, spelt so that image28 is known below
        return Attempt(picture, prepared, None, None)
    digit, proba = predict_digit(model, prepared.image28)
    return Attempt(picture, prepared, digit, proba)


def difference(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """How different two 28x28 inputs are: the ink that moved, sum |a - b| / (sum a + sum b),
    0 for the same image and 1 when no ink overlaps."""
    if a is None or b is None:
        return 1.0
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    total = a.sum() + b.sum()
    return float(np.abs(a - b).sum() / total) if total else 0.0


def reached(image: np.ndarray, change: Change, original28: np.ndarray,
            deskew: bool = False) -> dict[str, float]:
    """For each kind of change that is set, on its own: how different the model's 28x28 input
    becomes from the unchanged drawing's (`difference`). Near 0: the preprocessing undid it."""
    out = {}
    for name, part in change.parts().items():
        prepared = preprocess.to_mnist(apply(image, part), deskew=deskew)
        out[name] = difference(prepared.image28, original28)
    return out


def verdict(share: float) -> str:
    """What a share from `reached` means, in a few words: "undone by the preprocessing",
    "partly undone" or "reaches the model"."""
    if share < UNDONE:
        return "undone by the preprocessing"
    return "partly undone" if share < PARTLY_UNDONE else "reaches the model"


def rotation_sweep(model, image: np.ndarray, change: Change, angles,
                   deskew: bool = False) -> list[tuple[float, int | None, float]]:
    """(angle, digit or None, its probability) for the drawing turned by each angle, with the
    rest of `change` kept: where does the answer flip?"""
    out = []
    for angle in angles:
        a = attempt(model, image, replace(change, angle=float(angle)), deskew)
        p = 0.0 if a.probabilities is None else float(a.probabilities.max())
        out.append((float(angle), a.digit, p))
    return out
