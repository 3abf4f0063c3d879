"""Figures for the pages: digitlab.plots.charts rendered once and cached as PNG bytes (pure
functions of small inputs, so safe to share between sessions), and the charts the browser draws
itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from digitlab.plots import charts as plots
from pages.shared import i18n
from pages.shared.i18n import _


def live_image(slot, make_png: Callable[[], bytes | None], **image_args) -> bool:
    """Draw one frame of a live figure (a fit's curve, a sweep's points) into `slot`; False if
    the frame was skipped: drawing failed, or another session was drawing (matplotlib's one
    lock, digitlab.plots.render). A page's follow loop must go on whatever a frame does, and
    never wait: ending it early leaves the page with its Run button off and nothing to turn
    it on, and waiting behind a class's figures holds back the result it follows."""
    try:
        with plots.if_free() as free:
            if not free:
                return False
            png = make_png()
    except Exception:  # noqa: BLE001 - the next frame draws again
        return False
    if png is not None:
        slot.image(png, **image_args)
    return True


@st.cache_data(max_entries=32, show_spinner=False)
def confusion_png(confusion: np.ndarray, title: str, lang: str) -> bytes:
    # keyed by the language too: the figure's labels and numbers are in it
    return plots.to_png(plots.confusion_heatmap(confusion, title=title,
                                                words=i18n.words(lang)))


@st.cache_data(max_entries=32, show_spinner=False)
def grid_png(images: np.ndarray, titles: tuple[str, ...], side: int, ncols: int,
             colors: tuple[str, ...] | None = None) -> bytes:
    return plots.to_png(plots.digit_grid(images, titles, side, ncols, colors))


@st.cache_data(max_entries=8, show_spinner=False)
def balance_png(y: np.ndarray, lang: str) -> bytes:
    return plots.to_png(plots.class_balance(y, words=i18n.words(lang)))


@st.cache_data(max_entries=256, show_spinner=False)
def bars_png(proba: np.ndarray, predicted: int | None, true: int | None, lang: str) -> bytes:
    return plots.to_png(plots.probability_bars(proba, predicted, true, words=i18n.words(lang)))


@st.cache_data(max_entries=64, show_spinner=False)
def curve_png(iterations: tuple[int, ...], loss: tuple[float | None, ...],
              val_accuracy: tuple[float | None, ...], size: tuple[float, float],
              class_accuracy: tuple[tuple[float, ...] | None, ...] | None = None,
              lang: str = i18n.DEFAULT) -> bytes:
    return plots.to_png(plots.training_curve(iterations, loss, val_accuracy, size,
                                             class_accuracy, words=i18n.words(lang)))


def history_png(events, size: tuple[float, float] = (7, 3.4)) -> bytes | None:
    """The training curve from ProgressEvents, epochs 1 onwards (epoch 0, the untrained start,
    would squash the scale), or None when fewer than two epochs report a loss or an accuracy
    (scikit-learn's solvers report neither). Per-class held-out accuracy, when the solver
    reports it, adds a line per class and the worst class."""
    points = [e for e in events if e.iteration >= 1
              and (e.loss is not None or e.val_accuracy is not None)]
    if len(points) < 2:
        return None
    by_class = tuple(e.val_class_accuracy for e in points)
    return curve_png(tuple(e.iteration for e in points), tuple(e.loss for e in points),
                     tuple(e.val_accuracy for e in points), size,
                     by_class if any(r is not None for r in by_class) else None, i18n.lang())


def probability_chart(proba: np.ndarray, predicted: int) -> None:
    """The ten probabilities as a bar chart the browser draws (a plain Vega-Lite spec: nothing
    to render or validate on the server). This keeps the Draw page's answer to a stroke quick:
    a matplotlib PNG here cost ~70 ms and delayed the Prediction metric by ~40 ms in Chromium."""
    proba = np.asarray(proba, dtype=float)
    say = i18n.words()
    rows = [{"digit": str(d), "probability": float(p), "label": plots.percent(p, say),
             "answer": d == predicted} for d, p in enumerate(proba)]
    axis = {"labelFontSize": 14, "titleFontSize": 14, "labelAngle": 0, "grid": False}
    spec = {
        "data": {"values": rows},
        "height": 230,
        "encoding": {
            "x": {"field": "digit", "type": "nominal", "sort": None,
                  "axis": {**axis, "title": _("digit")}},
            "y": {"field": "probability", "type": "quantitative", "scale": {"domain": [0, 1.1]},
                  "axis": {**axis, "title": _("probability"), "values": [0, 0.5, 1],
                           # the axis's own numbers, as this language writes them
                           "labelExpr": f"datum.value == 0 ? '0' : datum.value == 1 ? "
                                        f"'{say.pct(1.0)}' : '{say.pct(0.5)}'"}},
        },
        "layer": [
            {"mark": "bar", "encoding": {"color": {
                "condition": {"test": "datum.answer", "value": plots.ACCENT},
                "value": plots.NEUTRAL}}},
            {"mark": {"type": "text", "dy": -9, "fontSize": 13},
             "encoding": {"text": {"field": "label"}}},
        ],
    }
    st.vega_lite_chart(spec, width="stretch")


def big_digit(row: np.ndarray, side: int, size: int = 280) -> np.ndarray:
    return plots.enlarge(plots.as_image(row, side), size)


def step_strip(steps: dict[str, np.ndarray], size: int = 140) -> tuple[list, list[str]]:
    """The preprocessing steps as same-size crisp squares, and numbered captions; the last
    step is what the model is given."""
    names = list(steps)
    images = [plots.enlarge(plots.square(steps[name]), size) for name in names]
    captions = [f"{i}. {_(name)}" for i, name in enumerate(names, 1)]
    if captions:
        captions[-1] += _(" → the model")
    return images, captions
