"""Figures for the app and the notebook: digit grids, class balance, the confusion heatmap,
probability bars and the training curve. Pure matplotlib/seaborn, no Streamlit.

Every figure is sized and lettered for a projector (large fonts, labelled axes, a sequential
colour map that survives a washed-out beamer). Callers render a figure once and close it:
`to_png(fig)` does both, so a long-running app never piles up open figures. Every function
here that draws is `@drawing`: made under the one lock of digitlab.plots.render.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# render selects the Agg backend (before any figure is made) and holds to_png, re-exported here
from digitlab.plots.render import drawing, to_png, to_png_with_box

__all__ = ["ACCENT", "COUNTS_CMAP", "NEUTRAL", "RIGHT", "STYLE", "WRONG", "as_image",
           "class_balance", "confusion_heatmap", "counts_colours", "digit_grid", "enlarge",
           "percent", "probability_bars", "square", "to_png", "to_png_with_box", "training_curve"]

from digitlab.plots.words import ENGLISH, Words  # noqa: E402
from digitlab.text import N_  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# One place for the projector look: 14 pt text is readable from the back of a classroom.
STYLE: dict[RcKeyType, Any] = {
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
RIGHT = "#1a7f37"  # green: a correct answer
WRONG = "#cf222e"  # red: a mistake
NEUTRAL = "#8c959f"
ACCENT = "#0969da"
# The confusion matrix's colours: one hue, light to dark, so its order survives a greyscale
# printout or a washed-out projector (its lightness falls all the way: tests/unit/test_colour.py).
COUNTS_CMAP = "Blues"


def counts_colours(n: int = 9) -> list[str]:
    """COUNTS_CMAP as `n` evenly spaced hex colours, light to dark (the browser's heatmap
    interpolates between them, so both confusion matrices share one scale)."""
    cmap = colormaps[COUNTS_CMAP]
    return [to_hex(cmap(i / (n - 1))) for i in range(n)]


def as_image(row: np.ndarray, side: int) -> np.ndarray:
    """A flat row of side*side pixels (or an image already) -> a side x side array."""
    return np.asarray(row).reshape(side, side)


def enlarge(image: np.ndarray, size: int = 280) -> np.ndarray:
    """Blow a small uint8 image up to about `size` pixels by repeating pixels.

    Nearest-neighbour on purpose: a browser smooths a 28x28 image shown at 280 px into a blur,
    while repeated pixels stay crisp and show the grid the model really sees."""
    image = np.asarray(image)
    k = max(1, size // max(image.shape[:2]))
    return np.kron(image, np.ones((k, k), dtype=image.dtype))


def square(image: np.ndarray, fill: int = 48) -> np.ndarray:
    """Pad a grey image to a square with a dark grey, so images of different shapes line up in
    a row and a crop still shows its own edges."""
    image = np.asarray(image)
    h, w = image.shape[:2]
    n = max(h, w)
    out = np.full((n, n), fill, dtype=image.dtype)
    top, left = (n - h) // 2, (n - w) // 2
    out[top:top + h, left:left + w] = image
    return out


@drawing
def digit_grid(images: np.ndarray, titles: Sequence[str], side: int, ncols: int = 10,
               colors: Sequence[str] | None = None, cell: float = 1.0) -> Figure:
    """A grid of digits (white ink on black, as MNIST stores them) with a title each.

    images: (n, side*side) or (n, side, side) uint8; titles: one per image, e.g. "Label 4"
    (the tutorial's figure); colors: optional title colour per image (green/red for
    right/wrong)."""
    images = np.asarray(images)
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, (cell + 0.35) * nrows),
                                 squeeze=False)
        for i, ax in enumerate(axes.flat):
            ax.axis("off")
            if i >= n:
                continue
            ax.imshow(as_image(images[i], side), cmap="gray", vmin=0, vmax=255,
                      interpolation="nearest")
            ax.set_title(titles[i], fontsize=14, color=colors[i] if colors else "black", pad=3)
        fig.tight_layout(pad=0.4)
    return fig


@drawing
def class_balance(y: np.ndarray, labels: Sequence[int] = tuple(range(10)),
                  words: Words = ENGLISH) -> Figure:
    """How many images of each digit: a bar per class with its count on top."""
    counts = np.array([(np.asarray(y) == label).sum() for label in labels])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.8, 3.6))
        bars = ax.bar([str(label) for label in labels], counts, color=ACCENT)
        # Counts written up the inside of each bar: horizontal labels would collide.
        ax.bar_label(bars, labels=[words(N_("{n:,}", n=int(c))) for c in counts],
                     label_type="center",
                     rotation=90, color="white", fontsize=12)
        ax.set_xlabel(words(N_("digit")))
        ax.set_ylabel(words(N_("images")))
        ax.set_title(words(N_("Class balance")))
        fig.tight_layout()
    return words.ticks(fig)


@drawing
def confusion_heatmap(confusion: np.ndarray, labels: Sequence[str] | None = None,
                      title: str = N_("Confusion matrix"), words: Words = ENGLISH) -> Figure:
    """The confusion matrix as an annotated seaborn heatmap: counts in every cell, true label on
    the rows, predicted on the columns (scikit-learn's convention, and the tutorial's).

    The colour scale is logarithmic-ish (PowerNorm) so the off-diagonal mistakes, which are
    what a class discusses, are visible next to a diagonal that is 100x larger."""
    import seaborn as sns
    from matplotlib.colors import PowerNorm

    cm = np.asarray(confusion)
    labels = [str(label) for label in (labels if labels is not None else range(len(cm)))]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.2, 7))
        sns.heatmap(cm, annot=True, fmt="d", cmap=COUNTS_CMAP, square=True, cbar=True,
                    norm=PowerNorm(gamma=0.35, vmin=0, vmax=max(int(cm.max()), 1)),
                    linewidths=0.5, linecolor="white", annot_kws={"fontsize": 12},
                    xticklabels=labels, yticklabels=labels, cbar_kws={"shrink": 0.8}, ax=ax)
        ax.set_xlabel(words(N_("Predicted label")))
        ax.set_ylabel(words(N_("True label")))
        ax.tick_params(axis="y", rotation=0)
        ax.set_title(words(title))
        fig.tight_layout()
    return fig


@drawing
def probability_bars(proba: np.ndarray, predicted: int | None = None,
                     true: int | None = None, labels: Sequence[int] = tuple(range(10)),
                     size: tuple[float, float] = (6, 3), words: Words = ENGLISH) -> Figure:
    """The ten class probabilities as bars; the prediction is blue (green if right, red if
    wrong when the true label is known), the true label is outlined."""
    proba = np.asarray(proba, dtype=float)
    colors = []
    for label in labels:
        if label == predicted:
            colors.append(ACCENT if true is None else (RIGHT if predicted == true else WRONG))
        else:
            colors.append(NEUTRAL)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=size)
        bars = ax.bar([str(label) for label in labels], proba, color=colors)
        if true is not None and true in labels:
            bars[list(labels).index(true)].set_edgecolor("black")
            bars[list(labels).index(true)].set_linewidth(2.5)
        ax.bar_label(bars, labels=[percent(p, words) for p in proba],
                     fontsize=11, padding=2)
        ax.set_ylim(0, 1.12)
        ax.set_yticks([0, 0.5, 1], ["0", words.pct(0.5), words.pct(1.0)])
        ax.set_xlabel(words(N_("digit")))
        ax.set_ylabel(words(N_("probability")))
        fig.tight_layout()
    return words.ticks(fig)


def percent(p: float, words: Words = ENGLISH) -> str:
    """A probability for people: nothing under 1%, and never a rounded "100%" for a model that
    is not completely sure."""
    if p < 0.01:
        return ""
    return ">" + words.pct(0.99) if 0.995 <= p < 1.0 else words.pct(p)


@drawing
def training_curve(iterations: Sequence[int], loss: Sequence[float | None],
                   val_accuracy: Sequence[float | None],
                   size: tuple[float, float] = (7, 3.4),
                   class_accuracy: Sequence[Sequence[float] | None] | None = None,
                   labels: Sequence[str] | None = None, words: Words = ENGLISH) -> Figure:
    """Loss (left axis) and held-out accuracy (right axis) per iteration; either may be missing
    (None) for solvers that report neither. The x axis grows with the fit.

    class_accuracy (one row of per-class held-out accuracies per iteration, or None) adds a
    thin line per class and the worst class in red, labelled with its digit: the total can
    rise while one digit stays poor."""
    it = np.asarray(iterations, dtype=float)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=size)
        ax.spines["right"].set_visible(True)
        lo = [(i, v) for i, v in zip(it, loss) if v is not None]
        if lo:
            ax.plot(*zip(*lo), color=ACCENT, marker="o", ms=4, lw=2,
                    label=words(N_("training loss")))
        ax.set_xlabel(words(N_("iteration (epoch)")))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(words(N_("loss")), color=ACCENT)
        ax.set_xlim(0, max(float(it.max()) if len(it) else 1.0, 4.0) + 0.5)
        acc = [(i, v) for i, v in zip(it, val_accuracy) if v is not None]
        ax2 = ax.twinx()
        low = _class_lines(ax2, it, class_accuracy, labels, words) if class_accuracy else None
        if acc:
            ax2.plot(*zip(*acc), color=RIGHT, marker="s", ms=4, lw=2,
                     label=words(N_("held-out accuracy")))
            top = max(v for _, v in acc)
            ax2.annotate(words(N_("{a:.3f}", a=acc[-1][1])), acc[-1], textcoords="offset points",
                         xytext=(-6, 8), ha="right", color=RIGHT, fontsize=12)
            bottom = min(v for _, v in acc) if low is None else min(low, *(v for _, v in acc))
            ax2.set_ylim(bottom - 0.01, min(1.0, top + 0.01) if low is None else 1.0)
        ax2.set_ylabel(words(N_("held-out accuracy")), color=RIGHT)
        ax.set_title(words(N_("Training progress")))
        fig.tight_layout()
    return words.ticks(fig)


def _class_lines(ax, it: np.ndarray, class_accuracy, labels,
                 words: Words = ENGLISH) -> float | None:
    """Per-class accuracy lines on `ax` (faint), the worst class at the end in red with its
    label; returns the lowest value drawn (for the axis range), None when nothing was."""
    pts = [(i, np.asarray(row, float)) for i, row in zip(it, class_accuracy) if row is not None]
    if len(pts) < 1:
        return None
    xs = np.array([i for i, _ in pts])
    A = np.vstack([row for _, row in pts])  # (iterations, classes)
    names = list(labels) if labels is not None else [str(c) for c in range(A.shape[1])]
    worst = int(np.nanargmin(A[-1]))
    others = [c for c in range(A.shape[1]) if c != worst]
    for c in others:
        ax.plot(xs, A[:, c], color=NEUTRAL, lw=1, alpha=0.55,
                label=words(N_("each digit")) if c == others[0] else None)  # one legend entry
    ax.plot(xs, A[:, worst], color=WRONG, lw=2, ls="--",
            label=words(N_("worst digit ({name})", name=names[worst])))
    ax.annotate(words(N_("{a:.3f}", a=float(A[-1, worst]))), (xs[-1], A[-1, worst]),
                textcoords="offset points",
                xytext=(-6, 6), ha="right", color=WRONG, fontsize=12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=12,
              frameon=False, handlelength=1.6)
    return float(np.nanmin(A))
