"""Figures for the pages: digitlab.plots.charts rendered once and cached as PNG bytes (pure
functions of small inputs, so safe to share between sessions), and the charts the browser draws
itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from digitlab.plots import alt, if_free
from digitlab.plots import charts as plots
from pages.shared import bars, i18n, projector
from pages.shared.i18n import _


def vega(spec: dict) -> dict:
    """A Vega-Lite spec as this session shows it: numbers written its language's way
    (i18n.vega) and, in projector mode, text and lines sized for a wall (projector.vega).
    Every chart of the app goes through here."""
    return projector.vega(i18n.vega(spec))


def live_image(slot, make_png: Callable[[], bytes | None], **image_args) -> bool:
    """Draw one frame of a live figure (a fit's curve, a sweep's points) into `slot`; False if
    the frame was skipped: drawing failed, or another session was drawing (matplotlib's one
    lock, digitlab.plots.render). A page's follow loop must go on whatever a frame does, and
    never wait: ending it early leaves the page with its Run button off and nothing to turn
    it on, and waiting behind a class's figures holds back the result it follows."""
    try:
        with if_free() as free:
            if not free:
                return False
            png = make_png()
    except Exception:  # noqa: BLE001 - the next frame draws again
        return False
    if png is not None:
        slot.image(png, **image_args)
    return True


# The matplotlib figures as the session shows them: in projector mode with text and lines
# projector.FIGURE times larger (digitlab.plots.render.to_png's scale). The cached renderers
# take the scale as an argument, so each mode has its own pictures.


def confusion_png(confusion: np.ndarray, title: str, lang: str) -> bytes:
    return _confusion_png(confusion, title, lang, projector.figure_scale())


def grid_png(images: np.ndarray, titles: tuple[str, ...], side: int, ncols: int,
             colors: tuple[str, ...] | None = None) -> bytes:
    return _grid_png(images, titles, side, ncols, colors, projector.figure_scale())


def balance_png(y: np.ndarray, lang: str) -> bytes:
    return _balance_png(y, lang, projector.figure_scale())


def bars_png(proba: np.ndarray, predicted: int | None, true: int | None, lang: str) -> bytes:
    return _bars_png(proba, predicted, true, lang, projector.figure_scale())


@st.cache_data(max_entries=32, show_spinner=False)
def _confusion_png(confusion: np.ndarray, title: str, lang: str, scale: float) -> bytes:
    # keyed by the language too: the figure's labels and numbers are in it
    return plots.to_png(plots.confusion_heatmap(confusion, title=title,
                                                words=i18n.words(lang)), scale=scale)


@st.cache_data(max_entries=32, show_spinner=False)
def _grid_png(images: np.ndarray, titles: tuple[str, ...], side: int, ncols: int,
              colors: tuple[str, ...] | None, scale: float) -> bytes:
    return plots.to_png(plots.digit_grid(images, titles, side, ncols, colors), scale=scale)


@st.cache_data(max_entries=8, show_spinner=False)
def _balance_png(y: np.ndarray, lang: str, scale: float) -> bytes:
    return plots.to_png(plots.class_balance(y, words=i18n.words(lang)), scale=scale)


@st.cache_data(max_entries=256, show_spinner=False)
def _bars_png(proba: np.ndarray, predicted: int | None, true: int | None, lang: str,
              scale: float) -> bytes:
    return plots.to_png(plots.probability_bars(proba, predicted, true, words=i18n.words(lang)),
                        scale=scale)


def curve_points(events) -> list:
    """The events a training curve shows: epochs 1 onwards (epoch 0, the untrained start, would
    squash the scale) that report a loss or an accuracy."""
    return [e for e in events if e.iteration >= 1
            and (e.loss is not None or e.val_accuracy is not None)]


def curve_chart(events, slot=None, height: int = 240) -> bool:
    """The training curve drawn by the browser (a Vega-Lite spec: no matplotlib on the server,
    so no wait for its one lock while a class's fits end at once): the loss on the left axis,
    the held-out accuracy on the right, and, when the solver reports them, a faint line per
    digit with the worst one at the end in red. False (nothing drawn) when fewer than two
    epochs report a loss or an accuracy (scikit-learn's solvers report neither)."""
    points = curve_points(events)
    if len(points) < 2:
        return False
    epoch, loss, acc = _("iteration (epoch)"), _("loss"), _("held-out accuracy")
    rows = [{"epoch": e.iteration, "loss": e.loss, "accuracy": e.val_accuracy} for e in points]
    last = points[-1].val_class_accuracy
    worst = None if last is None else int(np.nanargmin(last))
    by_class = [{"epoch": e.iteration, "digit": str(d), "accuracy": float(a), "worst": d == worst}
                for e in points if e.val_class_accuracy is not None
                for d, a in enumerate(e.val_class_accuracy)]
    axis = {"labelFontSize": 14, "titleFontSize": 14}
    x = {"field": "epoch", "type": "quantitative",
         "axis": {**axis, "title": epoch, "tickMinStep": 1, "format": "d"}}
    right = {**axis, "orient": "right", "title": acc, "titleColor": plots.RIGHT}
    scale = {"zero": False}
    accuracy = [{"data": {"values": by_class},
                 "mark": {"type": "line", "strokeWidth": 1},
                 "encoding": {"x": x, "detail": {"field": "digit"},
                              "y": {"field": "accuracy", "type": "quantitative",
                                    "scale": scale, "axis": right},
                              "color": {"condition": {"test": "datum.worst",
                                                      "value": plots.WRONG},
                                        "value": "#d0d7de"}}}] if by_class else []
    accuracy.append({"mark": {"type": "line", "point": True, "strokeWidth": 2.5,
                              "color": plots.RIGHT},
                     "encoding": {"x": x, "y": {"field": "accuracy", "type": "quantitative",
                                                "scale": scale, "axis": right}}})
    end = points[-1]
    spec = {
        "description": _(alt.training(end.iteration, end.loss, end.val_accuracy)),
        "data": {"values": rows}, "height": height,
        "layer": [
            {"mark": {"type": "line", "point": True, "strokeWidth": 2.5, "color": plots.ACCENT},
             "encoding": {"x": x, "y": {"field": "loss", "type": "quantitative", "scale": scale,
                                        "axis": {**axis, "title": loss,
                                                 "titleColor": plots.ACCENT}}}},
            {"layer": accuracy},
        ],
        "resolve": {"scale": {"y": "independent"}},
    }
    box = (slot or st).container()  # the title above the chart: Vega's own was cut at its top
    box.markdown(_("**Training progress**"))
    box.vega_lite_chart(vega(spec), theme=None, width="stretch")
    return True


def probability_chart(proba: np.ndarray, predicted: int) -> None:
    """The ten probabilities as bars in plain HTML (pages/shared/bars.py says why not a chart:
    this answers every stroke), each with its percentage, the answer in the accent colour."""
    proba = np.asarray(proba, dtype=float)
    say = i18n.words()
    bars.bars([float(p) for p in proba], [str(d) for d in range(len(proba))],
              [plots.percent(p, say) for p in proba], predicted,
              _(alt.probabilities(proba)), _("digit"), _("probability"), top=1.0)


def big_digit(row: np.ndarray, side: int, size: int = 280) -> np.ndarray:
    return plots.enlarge(plots.as_image(row, side), size)


def step_strip(steps: dict[str, np.ndarray]) -> tuple[list[np.ndarray], list[str]]:
    """The preprocessing steps as squares at their own size (the browser scales them to one
    size: pages/shared/pictures.py), and numbered captions; the last step is what the model is
    given."""
    names = list(steps)
    images = [plots.square(steps[name]) for name in names]
    captions = [f"{i}. {_(name)}" for i, name in enumerate(names, 1)]
    if captions:
        captions[-1] += _(" → the model")
    return images, captions
