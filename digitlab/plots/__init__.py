"""Figures, in matplotlib only (no Streamlit): labelled, colour-blind safe, large enough for
the back of a room, closed after rendering.

    charts   digit grids, class balance, the confusion heatmap, probabilities, training
             curves; the palette and PNG output the others share
    explain  what is inside a model: weight images, evidence (digitlab.lab.explain)
    compare  two runs side by side (digitlab.lab.history)
    sweep    a sweep's train and test accuracy along its grid (digitlab.sweeps)
    render   one lock around all of matplotlib (sessions are threads), and to_png
"""

from digitlab.plots.charts import (
    ACCENT,
    NEUTRAL,
    RIGHT,
    STYLE,
    WRONG,
    as_image,
    class_balance,
    confusion_heatmap,
    digit_grid,
    enlarge,
    percent,
    probability_bars,
    square,
    to_png,
    to_png_with_box,
    training_curve,
)
from digitlab.plots.compare import confusion_difference, recall_bars
from digitlab.plots.explain import colour_key, diverging_rgb, symmetric_limit, weight_grid
from digitlab.plots.render import if_free
from digitlab.plots.sweep import curve_label, sweep_figure
from digitlab.plots.words import ENGLISH, Words

__all__ = ["ENGLISH", "Words", "ACCENT", "NEUTRAL", "RIGHT", "STYLE", "WRONG", "as_image",
           "class_balance",
           "colour_key", "confusion_difference", "confusion_heatmap", "curve_label",
           "digit_grid", "diverging_rgb", "enlarge", "if_free", "percent", "probability_bars",
           "recall_bars", "square", "sweep_figure", "symmetric_limit", "to_png",
           "to_png_with_box", "training_curve", "weight_grid"]
