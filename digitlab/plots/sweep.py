"""The sweep's figure: train and test accuracy along the grid, the best point marked, and where
the model under- and over-fits named on the plot itself (a projector audience reads the plot,
not a legend). Pure matplotlib; callers render it once with plots.to_png, which closes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from digitlab.plots import charts as plots
from digitlab.plots.render import drawing
from digitlab.plots.words import ENGLISH, Words
from digitlab.sweeps.fit import PointResult
from digitlab.sweeps.spec import SweepResult
from digitlab.text import N_


class LineStyle(TypedDict, total=False):
    """Line2D properties for Axes.plot's keywords: a TypedDict, so that the type checker sees
    none of them is plot's `scalex`, `scaley` or `data`."""

    ls: str
    marker: str
    mfc: str


TRAIN_STYLE: LineStyle = {"ls": "--", "marker": "o", "mfc": "white"}
TEST_STYLE: LineStyle = {"ls": "-", "marker": "s"}
# One colour per curve (the first is the house accent); train and test differ by line style.
COLOURS = (plots.ACCENT, "#bc4c00", "#8250df", "#1a7f37", "#cf222e")
UNDER, OVER = "#fff8c5", "#ffebe9"  # pale yellow / pale red bands: readable when washed out


def curve_label(series: str | None, value, words: Words = ENGLISH) -> str:
    if series is None:
        return ""
    if series == "deskew":
        return words(N_("deskewed")) if value else words(N_("no deskew"))
    return f"{series}={value:g}" if isinstance(value, float) else f"{value}"


@drawing
def sweep_figure(result: SweepResult, size: tuple[float, float] = (10, 5.2),
                 words: Words = ENGLISH) -> Figure:
    """Train (dashed) and test (solid) accuracy against C (log axis) or training images, one
    colour per compared setting; the best test point starred and labelled; for a C sweep the
    under-fitting side (left of the best C) and the over-fitting side (right) shaded and named,
    for a learning curve the train-test gap shaded and named."""
    spec = result.spec
    curves: dict = {}
    for p in sorted(result.points, key=lambda p: p.index):
        curves.setdefault(p.series, []).append(p)
    best = result.best()
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=size)
        ax.set_xscale("log")
        for k, (series, pts) in enumerate(curves.items()):
            colour = COLOURS[k % len(COLOURS)]
            name = curve_label(spec.series, series, words)
            x = [p.x for p in pts]
            ax.plot(x, [p.train_accuracy for p in pts], color=colour, lw=2, ms=6,
                    label=words(N_("train {name}", name=name)).strip(), **TRAIN_STYLE)
            ax.plot(x, [p.test_accuracy for p in pts], color=colour, lw=2.5, ms=6,
                    label=words(N_("test {name}", name=name)).strip(), **TEST_STYLE)
        kind = N_("Validation curve") if spec.x == "C" else N_("Learning curve")
        title = words(N_("{kind}: {done} of {planned} fits", kind=kind,
                         done=len(result.points), planned=result.planned))
        if result.stopped:
            title += words(N_(" (stopped)"))
        if best is not None:
            best_curve = curves[best.series]
            ax.plot([best.x], [best.test_accuracy], marker="*", ms=22, color="#d4a72c",
                    markeredgecolor="black", zorder=5, ls="none")
            if spec.x == "C":
                _label_best(ax, best, [p.x for p in best_curve], words)
                _name_sides(ax, best_curve, best, words)
            else:  # the best is (nearly) always the most images: said in the title
                title += words(N_("; best test {accuracy:.3f} at {n:,} images",
                                  accuracy=best.test_accuracy, n=int(best.x)))
                _name_gap(ax, best_curve, words)
        ax.set_xlabel(words(N_("C (inverse regularisation: small = strong penalty)"))
                      if spec.x == "C" else words(N_("training images")))
        ax.set_ylabel(words(N_("accuracy")))
        if spec.x == "train_size":
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _: words(N_("{n:,}", n=int(round(v))))))
        lo = min((min(p.train_accuracy, p.test_accuracy) for p in result.points), default=0.0)
        ax.set_ylim(max(0.0, lo - 0.03), 1.005)
        ax.grid(True, which="major", alpha=0.3)
        ax.set_title(title)
        # where the curves seldom are: one row at the top middle of a validation curve (below
        # its peak is the best C's label, bottom right the over-fitting side's name; the train
        # curve reaches the top only at large C), bottom right of a learning curve (many images
        # fit well)
        if spec.x == "C":
            ax.legend(loc="upper center", fontsize=12, ncol=2 * max(1, len(curves)),
                      framealpha=0.9)
        else:
            ax.legend(loc="lower right", fontsize=12, ncol=max(1, len(curves)),
                      framealpha=0.9)
        fig.tight_layout()
    return words.ticks(fig)


def _label_best(ax, best: PointResult, xs: Sequence, words: Words = ENGLISH) -> None:
    # at an end of the curve the label leans inwards, so it stays inside the axes
    ha = "left" if best.x == min(xs) else "right" if best.x == max(xs) else "center"
    ax.annotate(words(N_("best: C={c:g}\ntest {accuracy:.3f}", c=best.x,
                         accuracy=best.test_accuracy)), (best.x, best.test_accuracy),
                textcoords="offset points", xytext=(0, -42), ha=ha, fontsize=13,
                fontweight="bold", bbox={"boxstyle": "round", "fc": "white", "ec": "#d4a72c"})


def _name_sides(ax, pts: Sequence[PointResult], best: PointResult,
                words: Words = ENGLISH) -> None:
    """Shade left of the best C (too much penalty: both accuracies low) and right of it (too
    little: train keeps rising while test falls), and name each band inside it."""
    xs = [p.x for p in pts]
    left, right = min(xs), max(xs)
    pad = 1.6  # the bands reach a little past the outer points, as the axis does
    # each name sits in an outer corner of its band, reading inwards (a narrow band still
    # shows its whole name), where its curves are not: top left (small C fits badly), bottom
    # right (train is high, test below it)
    if best.x > left:
        ax.axvspan(left / pad, best.x, color=UNDER, zorder=0)
        ax.text(0.01, 0.97, words(N_("under-fitting\n(penalty too strong)")),
                transform=ax.transAxes,
                ha="left", va="top", fontsize=13, color="#7d4e00")
    if best.x < right:
        ax.axvspan(best.x, right * pad, color=OVER, zorder=0)
        ax.text(0.99, 0.03, words(N_("over-fitting\n(train >> test)")),
                transform=ax.transAxes,
                ha="right", va="bottom", fontsize=13, color="#a40e26")
    ax.set_xlim(left / pad, right * pad)


def _name_gap(ax, pts: Sequence[PointResult], words: Words = ENGLISH) -> None:
    """Shade between train and test accuracy and name it: the gap is the over-fitting, and
    it closes as the model sees more images."""
    x = [p.x for p in pts]
    ax.fill_between(x, [p.test_accuracy for p in pts], [p.train_accuracy for p in pts],
                    color=OVER, zorder=0)
    i = 0 if len(pts) < 3 else 1
    mid = (pts[i].train_accuracy + pts[i].test_accuracy) / 2
    ax.annotate(words(N_("gap = over-fitting:\nit closes with more images")), (x[i], mid),
                textcoords="offset points", xytext=(14, 0), va="center", fontsize=13,
                color="#a40e26")
