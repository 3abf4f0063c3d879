"""The canvas benchmark's grid: every family drawn over a grid of sizes, pens and scans, so that
no one way of drawing can flatter a model (benchmarks/canvas.py prints it).

Three factors, each at three levels, all 27 combinations (`CELLS`), in the "canvas" ink style
(white on black), each drawing read through the Draw page's path (`to_mnist`):

- size: the digit's longer side, a third of the 280 px canvas to most of it (`SIZES`);
- pen: the brush 1 to 4 px thick at 28x28, i.e. 10 to 40 px on the canvas (`PENS`), but at
  most `MAX_PEN_SHARE` of the digit's size (a 40 px brush on a 93 px digit fills it: nobody
  draws that). Printed outline faces keep their own strokes when they are thicker (thinning a
  typeface would break its hairlines); Hershey stroke faces take the pen;
- scan: none, or the canvas scanned at 70 or 35 px and enlarged back (`SCANS`): the blurred
  strokes of a small scan enlarged.

Each family is split by source, never by image: "tuning" (what settings may be chosen on) and
"report" (what is printed): other typefaces, the other half of the other writers' digits
(digitlab.data.unseen), and for the re-drawn digits the other half of the test split.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from digitlab.data import preprocess, unseen
from digitlab.data.redraw import CANVAS, Look, restroke

SIZES = (0.33, 0.6, 0.9)  # of the canvas
PENS = (1.0, 2.5, 4.0)  # px at 28x28 (x CANVAS / 28 on the canvas)
SCANS = (None, 70, 35)  # px side of the small scan, None = no scan
MAX_PEN_SHARE = 0.3  # the brush at most this share of the digit's longer side
CELLS = tuple(itertools.product(SIZES, PENS, SCANS))
FACTORS = {"size": SIZES, "pen": PENS, "scan": SCANS}
FAMILIES = ("re-drawn", "printed", "writers")
STYLE = "canvas"


def look(size: float, pen: float, scan: int | None) -> Look:
    return Look(size, min(pen * CANVAS / 28, MAX_PEN_SHARE * size * CANVAS), scan)


def _redrawn(X_test, y_test, part: str, per_cell: int, seed: int
             ) -> Iterator[tuple[int, np.ndarray, int]]:
    """(cell, drawing, label): the test split's first half tunes, its second half reports."""
    half = len(y_test) // 2
    pool = np.arange(half) if part == "tuning" else np.arange(half, len(y_test))
    rng = np.random.default_rng([seed, 3])
    pick = rng.choice(pool, size=min(len(pool), per_cell * len(CELLS)), replace=False)
    for c, cell in enumerate(CELLS):
        for i in pick[c * per_cell:(c + 1) * per_cell]:
            yield c, restroke(np.asarray(X_test[i]).reshape(28, 28), rng, STYLE,
                              look=look(*cell)), int(y_test[i])


def drawings(family: str, part: str, per_cell: int, seed: int = 0, X_test=None, y_test=None
             ) -> Iterator[tuple[int, np.ndarray, int]]:
    """(cell index, drawing, label) for every cell of the grid, `per_cell` drawings each
    (writers: as many as its part holds, shared out between the cells)."""
    if family == "re-drawn":
        yield from _redrawn(X_test, y_test, part, per_cell, seed)
        return
    if family == "writers":
        per_cell = min(per_cell, len(unseen.writer_indices(part)) // len(CELLS))
    for c, cell in enumerate(CELLS):
        for drawing, label in unseen.drawings(family, STYLE, seed + c, part, per_cell,
                                              look(*cell), start=c * per_cell):
            yield c, drawing, label


@dataclass
class Read:
    """A family's grid read by one way of preprocessing: 784-pixel rows, labels, cell index of
    each, and which came out empty (counted wrong)."""

    rows: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    empty: np.ndarray


def read(items: Iterable[tuple[int, np.ndarray, int]],
         ways: dict[str, Callable[[np.ndarray], preprocess.Prepared]]) -> dict[str, Read]:
    """Each drawing through each way of preprocessing (one drawing at a time: memory)."""
    out: dict[str, list] = {w: [] for w in ways}
    for c, drawing, label in items:
        for w, fn in ways.items():
            p = fn(drawing)
            out[w].append((c, label, p.image28))
    res = {}
    for w, got in out.items():
        res[w] = Read(np.array([np.zeros(784, np.uint8) if im is None else im.reshape(-1)
                                for _, _, im in got], np.uint8).reshape(-1, 784),
                      np.array([lab for _, lab, _ in got]), np.array([c for c, _, _ in got]),
                      np.array([im is None for _, _, im in got], bool))
    return res


@dataclass
class Scores:
    """One model on one family's grid: accuracy in each cell, and overall."""

    cells: np.ndarray  # (len(CELLS),) accuracy, nan where a cell is empty

    @property
    def overall(self) -> float:
        return float(np.nanmean(self.cells))

    def by(self, factor: str) -> dict:
        """Mean accuracy over the cells at each level of one factor."""
        k = list(FACTORS).index(factor)
        return {level: float(np.nanmean([a for a, cell in zip(self.cells, CELLS)
                                         if cell[k] == level])) for level in FACTORS[factor]}

    @property
    def worst(self) -> tuple[tuple, float]:
        i = int(np.nanargmin(self.cells))
        return CELLS[i], float(self.cells[i])


def score(model, r: Read) -> Scores:
    ok = (model.predict(r.rows) == r.y) & ~r.empty
    cells = np.array([ok[r.cell == c].mean() if (r.cell == c).any() else np.nan
                      for c in range(len(CELLS))])
    return Scores(cells)


def level_name(factor: str, level) -> str:
    if factor == "size":
        return f"{level:.2f}"
    if factor == "pen":
        return f"{level:g}px"
    return "none" if level is None else f"{level}px"


def format_factors(scores: dict[str, dict[str, Scores]]) -> str:
    """{model: {family: Scores}} -> the factor table: each family's accuracy at each level of
    each factor (mean over the other two), its overall accuracy and its worst cell."""
    heads = [(f, lv) for f in FACTORS for lv in FACTORS[f]]
    w = max([10, *map(len, scores)])  # the model column: its longest name
    top = f"{'model':<{w}} {'family':<9} {'all':>5} | " + " | ".join(
        " ".join(f"{level_name(f, lv):>6}" for lv in FACTORS[f]) for f in FACTORS)
    sub = f"{'':<{w}} {'':<9} {'':>5} | " + " | ".join(
        f"{f:^{7 * len(FACTORS[f]) - 1}}" for f in FACTORS)
    lines = [sub, top, "-" * len(top)]
    for model, fams in scores.items():
        for fam, s in fams.items():
            cells = " | ".join(" ".join(f"{s.by(f)[lv]:>6.3f}" for lv in FACTORS[f])
                               for f in FACTORS)
            (size, pen, scan), acc = s.worst
            lines.append(f"{model:<{w}} {fam:<9} {s.overall:>5.3f} | {cells}   worst "
                         f"{acc:.3f} (size {size:.2f}, pen {pen:g}px, scan "
                         f"{level_name('scan', scan)})")
    del heads
    return "\n".join(lines)
