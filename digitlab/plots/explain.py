"""Pictures of what is inside a model (digitlab.lab.explain): the ten weight images, and evidence
maps as coloured pixels. Pure matplotlib/NumPy, no Streamlit.

One diverging colour map, centred at zero: red where a weight (or a pixel's evidence) pushes a
digit's score up, blue where it pushes it down, white where it does nothing. RdBu is
colour-blind safe and keeps its two hues apart on a washed-out projector.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from digitlab.plots import charts as plots
from digitlab.plots.render import drawing

CMAP = "RdBu_r"  # red = positive (for), blue = negative (against)
# The colour scale ends at this percentile of |values|: a handful of extreme weights (pixels
# almost never inked, under standardised scaling) would otherwise wash every other one out.
ROBUST_PERCENTILE = 99.5


def symmetric_limit(values: np.ndarray) -> float:
    """The colour scale's end, the same on both sides of zero so white means exactly 0."""
    a = np.abs(np.asarray(values, float))
    limit = float(np.percentile(a, ROBUST_PERCENTILE)) if a.size else 0.0
    return limit if limit > 0 else max(float(a.max()) if a.size else 0.0, 1e-12)


@functools.cache
def _cmap():
    """CMAP from the registry (not pyplot: no figure, no lock needed), once: the registry hands
    out a fresh copy that builds its lookup table on first use, which was ~1.6% of a class's
    burst of Train presses (eleven pictures a page)."""
    cmap = matplotlib.colormaps[CMAP]
    cmap(0.0)  # its table built here, once, before any two threads share it
    return cmap


def diverging_rgb(image: np.ndarray, limit: float, size: int = 196) -> np.ndarray:
    """A signed 2-D array -> a crisp uint8 RGB picture of about `size` px (nearest neighbour),
    on CMAP from -limit (blue) through 0 (white) to +limit (red). Quick (~1 ms): no figure."""
    cmap = _cmap()
    rgb = cmap(Normalize(-limit, limit, clip=True)(np.asarray(image, float)), bytes=True)[..., :3]
    k = max(1, size // max(rgb.shape[:2]))
    return np.repeat(np.repeat(rgb, k, axis=0), k, axis=1)


def weight_mosaic(images: np.ndarray, labels: Sequence[str], limit: float, cell: int = 84,
                  ncols: int = 5, gap: int = 6, label_px: int = 26) -> np.ndarray:
    """The weight images (k, side, side) as one uint8 RGB picture: `ncols` per row, each
    `cell` px on CMAP (`diverging_rgb`, one scale from -limit to +limit) with its label above it
    in black. One picture, not k: it keeps its rows on a phone and is one PNG to send. No
    figure (~2 ms)."""
    import cv2

    k = len(images)
    nrows = -(-k // ncols)
    h, w = label_px + cell, cell
    out = np.full((nrows * (h + gap) - gap, ncols * (w + gap) - gap, 3), 255, np.uint8)
    for i, (image, label) in enumerate(zip(images, labels)):
        r, c = divmod(i, ncols)
        y, x = r * (h + gap), c * (w + gap)
        rgb = diverging_rgb(image, limit, cell)
        rgb = cv2.resize(rgb, (cell, cell), interpolation=cv2.INTER_NEAREST)
        out[y + label_px:y + h, x:x + w] = rgb
        scale = (label_px - 6) / 22  # Hershey simplex: ~22 px tall at scale 1
        (tw, _th), _base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        cv2.putText(out, label, (x + (w - tw) // 2, y + label_px - 5), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, (0, 0, 0), 2, cv2.LINE_AA)
    return out


@drawing
def colour_key(limit: float, label: str, size: tuple[float, float] = (5.6, 0.95)) -> Figure:
    """A horizontal colour bar from -limit to +limit with `label` under it: the legend for
    pictures made by `diverging_rgb`."""
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=size)
        fig.colorbar(plt.cm.ScalarMappable(Normalize(-limit, limit), CMAP), cax=ax,
                     orientation="horizontal")
        ax.set_xlabel(label, fontsize=13)
        ax.tick_params(labelsize=12)
        fig.tight_layout(pad=0.3)
    return fig


@drawing
def weight_grid(images: np.ndarray, titles: Sequence[str], ncols: int = 5,
                note: str = "weight", cell: float = 1.75) -> Figure:
    """The ten weight images (k, side, side) on one symmetric colour scale, a title each
    (e.g. "7 · 12% zero"), and one colour bar: red pixels are ink that counts for the digit,
    blue ink that counts against it."""
    images = np.asarray(images, float)
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    limit = symmetric_limit(images)
    norm = Normalize(-limit, limit)
    with plt.rc_context(plots.STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols + 1.2, (cell + 0.45) * nrows),
                                 squeeze=False)
        for i, ax in enumerate(axes.flat):
            ax.axis("off")
            if i < n:
                ax.imshow(images[i], cmap=CMAP, norm=norm, interpolation="nearest")
                ax.set_title(titles[i], fontsize=14, pad=4)
        bar = fig.colorbar(plt.cm.ScalarMappable(norm, CMAP), ax=axes, shrink=0.85,
                           fraction=0.04, pad=0.02)
        bar.set_label(note, fontsize=13)
        bar.ax.tick_params(labelsize=12)
    return fig
