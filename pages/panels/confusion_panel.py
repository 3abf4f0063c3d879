"""The Train page's confusion matrix, clickable: click a cell (true i, predicted j) and see
exactly those test images below it.

What is shown is the seaborn heatmap itself (digitlab.plots.charts.confusion_heatmap: its counts,
its colour scale), as the background of a small Vega-Lite chart; over each cell lies an invisible
rectangle that Streamlit's chart selection (`on_select="rerun"`) reports when clicked. So the
figure keeps its look, and a click needs no second widget. The same PNG is the download.
"""

from __future__ import annotations

import base64

import numpy as np
import streamlit as st

from digitlab.plots import charts as plots
from digitlab.training import evaluate
from pages.shared import figures, i18n, nav, state
from pages.shared.i18n import N_, _

KEY = "cm_select"  # the chart's selection state
PARAM = "cell"  # the Vega-Lite selection parameter
TRUE, PRED = "true_digit", "predicted_digit"  # field names in the chart's data and selection
WIDTH = 470  # CSS pixels the heatmap is shown at: the left column of a 1280 px wide screen
DPI = 120  # the PNG is ~2x the shown size: crisp on high-density screens
SHOW = 48  # images shown for one cell: 6 rows of 8 beside the heatmap
COLS = 8


@st.cache_data(max_entries=16, show_spinner=False)
def heatmap(confusion: np.ndarray, title: str, lang: str) -> tuple[bytes, tuple[float, ...],
                                                                  tuple[int, int]]:
    """The seaborn heatmap as PNG, where its cells are, and its size (pure function of the
    counts: safe to share)."""
    fig = plots.confusion_heatmap(confusion, title=title, words=i18n.words(lang))
    return plots.to_png_with_box(fig, fig.axes[0], DPI)


def spec(confusion: np.ndarray, png: bytes, box: tuple[float, ...],
         size: tuple[int, int], labels: list[str]) -> dict:
    """A Vega-Lite chart: the PNG, and a transparent clickable rectangle over each cell (a
    band scale whose range is exactly the heatmap's axes, scaled to the shown size)."""
    f = WIDTH / size[0]
    w, h = WIDTH, round(size[1] * f)
    left, top, right, bottom = (v * f for v in box)
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    cells = [{TRUE: labels[i], PRED: labels[j], "count": int(confusion[i, j])}
             for i in range(len(labels)) for j in range(len(labels))]
    band = {"paddingInner": 0, "paddingOuter": 0}
    return {
        "width": w, "height": h, "padding": 0, "autosize": {"type": "none"},
        "config": {"view": {"stroke": None}},
        "layer": [
            {"data": {"values": [{"url": url}]},
             "mark": {"type": "image", "width": w, "height": h, "align": "left",
                      "baseline": "top", "aspect": False},
             "encoding": {"x": {"value": 0}, "y": {"value": 0},
                          "url": {"field": "url", "type": "nominal"}}},
            {"data": {"values": cells},
             "params": [{"name": PARAM, "select": {"type": "point", "fields": [TRUE, PRED]}}],
             "mark": {"type": "rect", "cursor": "pointer"},
             "encoding": {
                 "x": {"field": PRED, "type": "ordinal", "sort": labels, "axis": None,
                       "scale": {**band, "range": [left, right]}},
                 "y": {"field": TRUE, "type": "ordinal", "sort": labels, "axis": None,
                       "scale": {**band, "range": [top, bottom]}},
                 # Nearly transparent, not "none": an unfilled mark catches no clicks.
                 "fill": {"value": "#000000"}, "fillOpacity": {"value": 0.002},
                 "stroke": {"condition": {"param": PARAM, "empty": False,
                                          "value": "#ff8c00"}, "value": None},
                 "strokeWidth": {"value": 4},
                 "tooltip": [{"field": TRUE, "title": N_("true digit")},
                             {"field": PRED, "title": "predicted"},
                             {"field": "count", "title": N_("test images")}],
             }},
        ],
    }


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
    kind = "right" if true == pred else "mistakes"
    st.markdown(_("**True {true}, predicted {pred}: {value:,} test images** ({kind}", true=true,
                  pred=pred, value=len(idx), kind=kind)
                + (_("; the first {show} shown", show=SHOW) if len(idx) > SHOW else "") + ")")
    if len(idx) == 0:
        st.caption(_("No test image is in this cell."))
        return
    chunk = idx[:SHOW]
    st.image(figures.grid_png(split.X_test[chunk], ("",) * len(chunk), split.side, COLS))
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
    png, box, size = heatmap(ev.confusion, title, i18n.lang())
    selection = st.vega_lite_chart(spec(ev.confusion, png, box, size, labels), theme=None,
                                   width="content", on_select="rerun", key=KEY,
                                   selection_mode=PARAM)
    st.caption(_("Rows: the true digit; columns: what the model said. The diagonal is right; "
               "every other cell is a mistake. **Click a cell to see its test images** "
               "(double-click to clear)."))
    st.download_button(_("Download the heatmap (PNG)"), png, "confusion-matrix.png",
                       mime="image/png", icon=":material/download:")
    cell = chosen_cell(selection)
    if cell is not None:
        with beside:
            cell_images(tr, *cell)
