"""Two runs side by side as pictures (digitlab.lab.history.compare): per-class recall as paired
bars,
and the difference of their confusion matrices as a diverging heatmap. Pure matplotlib.

The difference map is centred at zero (white: no change) on the same red/blue map as the
weight images. Its sign reads differently on and off the diagonal, so the title says it: on
the diagonal, more is better (more images right); off it, more is worse (more mistakes).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from digitlab.plots import charts as plots
from digitlab.plots.explain import CMAP
from digitlab.plots.render import drawing
from digitlab.plots.words import ENGLISH, Words
from digitlab.text import N_

PAIR = ("#9aa5b1", plots.ACCENT)  # run a in grey, run b in the accent colour


@drawing
def confusion_difference(diff: np.ndarray, labels: Sequence, unit: str,
                         names: tuple[str, str], words: Words = ENGLISH) -> Figure:
    """b's confusion minus a's, every cell annotated with its signed change."""
    import seaborn as sns

    d = np.asarray(diff, float)
    limit = max(float(np.abs(d).max()), 1.0)
    fmt = "+.0f" if unit == "images" else "+.1f"
    text = np.vectorize(lambda v: "0" if abs(v) < 0.05 else format(v, fmt))(d)
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8.2, 7))
        sns.heatmap(d, annot=text, fmt="", cmap=CMAP, square=True, cbar=True,
                    norm=TwoSlopeNorm(vcenter=0, vmin=-limit, vmax=limit), linewidths=0.5,
                    linecolor="white", annot_kws={"fontsize": 11},
                    xticklabels=[str(v) for v in labels], yticklabels=[str(v) for v in labels],
                    cbar_kws={"shrink": 0.8, "label": f"{names[1]} − {names[0]} ({words(unit)})"},
                    ax=ax)
        ax.set_xlabel(words(N_("Predicted label")))
        ax.set_ylabel(words(N_("True label")))
        ax.tick_params(axis="y", rotation=0)
        ax.set_title(words(N_("Confusion matrix of {b} minus {a}\ndiagonal: red = more right · "
                              "off it: red = more mistakes", b=names[1], a=names[0])),
                     fontsize=13)
        fig.tight_layout()
    return words.ticks(fig)


@drawing
def recall_bars(recall: np.ndarray, labels: Sequence, names: tuple[str, str],
                words: Words = ENGLISH) -> Figure:
    """Per-class recall of the two runs as paired bars (0.5 to 1: where they differ)."""
    r = np.asarray(recall, float)
    x = np.arange(r.shape[1])
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(5.4, 4.4))  # for a column of 2/5 of the page
        for i, (name, colour) in enumerate(zip(names, PAIR)):
            ax.bar(x + (i - 0.5) * 0.4, r[i], width=0.4, color=colour, label=name)
        ax.set_xticks(x, [str(v) for v in labels])
        ax.set_ylim(max(0.0, float(r.min()) - 0.05), 1.0)
        ax.set_xlabel(words(N_("True digit")))
        ax.set_ylabel(words(N_("recall (share right)")))
        # above the bars, where no bar can hide it
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=12,
                  frameon=False)
        fig.tight_layout()
    return words.ticks(fig)
