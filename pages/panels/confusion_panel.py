"""The Train page's confusion matrix, clickable: click a cell (true i, predicted j) and see
exactly those test images below it.

What is shown is a Vega-Lite heatmap that the browser draws, with the counts and the colour scale
of the seaborn figure (digitlab.plots.charts.confusion_heatmap); Streamlit's chart selection
(`on_select="rerun"`) reports the clicked cell, so a click needs no second widget. The seaborn
figure is the download, rendered only when asked for: when a class's fits end at once, each
page's heatmap would otherwise wait its turn for matplotlib's one lock (about half a second
each, measured the largest part of the server's work after a fit).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.training import evaluate
from pages.shared import figures, i18n, nav, state
from pages.shared.i18n import N_, _

KEY = "cm_select"  # the chart's selection state
PARAM = "cell"  # the Vega-Lite selection parameter
TRUE, PRED = "true_digit", "predicted_digit"  # field names in the chart's data and selection
SIDE = 440  # CSS pixels of the heatmap's square: the left column of a 1280 px wide screen
GAMMA = 0.35  # the colour scale's power, as charts.confusion_heatmap's PowerNorm
SHOW = 48  # images shown for one cell: 6 rows of 8 beside the heatmap
COLS = 8


def spec(confusion: np.ndarray, labels: list[str], title: str) -> dict:
    """A Vega-Lite heatmap the browser draws: a cell per (true, predicted) pair, coloured by its
    count on a power scale (as the PNG's PowerNorm: the mistakes off the diagonal stay visible
    beside a diagonal 100x larger), its count written in it, and each cell clickable (the
    chart's point selection). Nothing is rendered on the server: a class's finished fits do not
    queue for matplotlib's one lock to show it."""
    top = max(int(confusion.max()), 1)
    dark = top * 0.55 ** (1 / GAMMA)  # counts past this are on dark blue: white numbers
    # "about": what a screen reader says of a cell (and what the browser test finds it by)
    images = _("test images")
    cells = [{TRUE: labels[i], PRED: labels[j], "count": int(confusion[i, j]),
              "about": "; ".join([f"{TRUE}: {labels[i]}", f"{PRED}: {labels[j]}",
                                  f"{images}: {int(confusion[i, j])}"])}
             for i in range(len(labels)) for j in range(len(labels))]
    axis = {"labelFontSize": 16, "titleFontSize": 16, "labelAngle": 0, "ticks": False,
            "domain": False}
    square = {"field": PRED, "type": "ordinal", "sort": labels}
    return {
        # as wide as its column (a phone's screen, too), as tall as it is wide on a desktop
        "width": "container", "height": SIDE,
        "description": _(alt.confusion(confusion, labels)),  # its aria-label
        "title": {"text": title, "fontSize": 18},
        "config": {"view": {"stroke": None}},
        "data": {"values": cells},
        "encoding": {
            "x": {**square, "axis": {**axis, "orient": "bottom", "title": _("Predicted label")}},
            "y": {**square, "field": TRUE, "axis": {**axis, "title": _("True label")}},
        },
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 1, "aria": False},
             "encoding": {"color": {"field": "count", "type": "quantitative", "legend": None,
                                    "scale": {"type": "pow", "exponent": GAMMA,
                                              "domain": [0, top], "range": plots.counts_colours(),
                                              "interpolate": "lab"}}}},
            {"mark": {"type": "text", "fontSize": 14, "aria": False},
             "encoding": {
                 "text": {"field": "count", "type": "quantitative"},  # 1038: no separator
                 "color": {"condition": {"test": f"datum.count > {dark:.1f}",
                                         "value": "white"}, "value": "#1a1a1a"},
             }},
            # On top, the cells that are clicked: nearly transparent, not "none" (an unfilled
            # mark catches no clicks), so the colours and counts show through.
            {"params": [{"name": PARAM, "select": {"type": "point", "fields": [TRUE, PRED]}}],
             "mark": {"type": "rect", "cursor": "pointer"},
             "encoding": {
                 "fill": {"value": "#000000"}, "fillOpacity": {"value": 0.002},
                 "stroke": {"condition": {"param": PARAM, "empty": False,
                                          "value": "#ff8c00"}, "value": None},
                 "strokeWidth": {"value": 4},
                 "description": {"field": "about"},
                 "tooltip": [{"field": TRUE, "title": _("True label")},
                             {"field": PRED, "title": _("Predicted label")},
                             {"field": "count", "title": images, "format": ","}],
             }},
        ],
    }


def heatmap_png(confusion: np.ndarray, title: str, words) -> bytes:
    return plots.to_png(plots.confusion_heatmap(confusion, title=title, words=words))


def chosen_cell(selection) -> tuple[int, int] | None:
    """(true, predicted) of the clicked cell from the chart's selection state, or None."""
    points = (selection or {}).get("selection", {}).get(PARAM) or []
    if not points:
        return None
    point = points[0]
    return int(point[TRUE]), int(point[PRED])


def open_in_gallery(true: int, pred: int) -> None:
    """Point the Gallery's filters at this cell (before the Gallery draws its widgets)."""
    st.session_state.update({"g_show": N_("All"), "g_true": true, "g_pred": pred, "g_pos": 0,
                             "g_page": 1, "g_view": N_("Grid")})


def cell_images(tr, true: int, pred: int) -> None:
    """The test images of one cell, with what they are and a way to the Gallery."""
    split = state.split_for(state.dataset(), tr.config)
    idx = evaluate.select(tr.evaluation, split.y_test, true=true, predicted=pred)
    kind = _("right") if true == pred else _("mistakes")
    st.markdown(_("**True {true}, predicted {pred}: {value:,} test images** ({kind}", true=true,
                  pred=pred, value=len(idx), kind=kind)
                + (_("; the first {show} shown", show=SHOW) if len(idx) > SHOW else "") + ")")
    if len(idx) == 0:
        st.caption(_("No test image is in this cell."))
        return
    chunk = idx[:SHOW]
    st.image(figures.grid_png(split.X_test[chunk], ("",) * len(chunk), split.side, COLS),
             alt=_(alt.answered_digits(split.y_test[chunk], tr.evaluation.yhat[chunk])))
    if st.button(_("Open these in the Gallery"), icon=":material/photo_library:",
                 key="cm_gallery", help=_("The Gallery, filtered to this cell: each image "
                                        "large, with its probabilities and why.")):
        open_in_gallery(true, pred)
        st.switch_page(nav.PAGES["gallery"].file)


def confusion(tr, beside) -> None:
    """The clickable heatmap and its download here; the clicked cell's images in `beside`
    (a container next to it, so they appear where the eye is)."""
    ev = tr.evaluation
    labels = [str(label) for label in ev.labels]
    title = _("Confusion matrix (accuracy {accuracy:.3f})", accuracy=ev.accuracy)
    selection = st.vega_lite_chart(figures.vega(spec(ev.confusion, labels, title)), theme=None,
                                   width="stretch", on_select="rerun", key=KEY,
                                   selection_mode=PARAM)
    st.caption(_("Rows: the true digit; columns: what the model said. The diagonal is right; "
               "every other cell is a mistake. **Click a cell to see its test images** "
               "(double-click to clear)."))
    words = i18n.words()
    # the seaborn figure, rendered only when someone asks for the file
    st.download_button(_("Download the heatmap (PNG)"),
                       partial(heatmap_png, ev.confusion, title, words),
                       "confusion-matrix.png", mime="image/png", icon=":material/download:")
    cell = chosen_cell(selection)
    if cell is not None:
        with beside:
            cell_images(tr, *cell)
