"""The comparison's pictures: labelled axes, a colour scale centred at zero, figures closed."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from digitlab.plots import charts as plots
from digitlab.plots import compare as compare_plots


def test_the_difference_map_is_centred_at_zero_and_labelled():
    diff = np.zeros((10, 10), int)
    diff[3, 5], diff[5, 5] = 4, -4
    fig = compare_plots.confusion_difference(diff, range(10), "images", ("run 1", "run 2"))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    norm = ax.collections[0].norm
    assert (norm.vmin, norm.vcenter, norm.vmax) == (-4, 0, 4)
    assert {t.get_text() for t in ax.texts} >= {"+4", "-4", "0"}
    assert plots.to_png(fig)[:4] == b"\x89PNG"
    assert not plt.get_fignums()  # to_png closed it


def test_recall_bars_show_both_runs():
    fig = compare_plots.recall_bars(np.array([[0.9] * 10, [0.95] * 10]), range(10),
                                    ("run 1", "run 2"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["run 1", "run 2"]
    assert len(ax.patches) == 20 and ax.get_ylabel().startswith("recall")
    plt.close(fig)
