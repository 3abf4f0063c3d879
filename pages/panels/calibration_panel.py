"""The Train page's "how sure, when wrong": a reliability diagram and the expected calibration
error (digitlab.training.evaluate.calibration), drawn by the browser (a Vega-Lite spec: no
matplotlib on the server after a fit).

Top-label calibration: each test image counts once, with the probability the model gave its own
answer, right or wrong; the page says so.
"""

from __future__ import annotations

import streamlit as st

from digitlab.plots import charts as plots
from digitlab.training import evaluate
from digitlab.training.session import Split, Trained
from pages.shared import figures, nav
from pages.shared.i18n import _, fmt

BINS = 10
SURE = 0.9  # "confidently wrong": a mistake made at least this sure
AXIS = {"labelFontSize": 14, "titleFontSize": 14}


def spec(cal: evaluate.Calibration) -> tuple[dict, dict]:
    """The reliability diagram: per bin of confidence, the share right (bars) against the
    diagonal a perfectly calibrated model would follow; and under it, how many test images fall
    in each bin. Two charts, not one concatenated: a concatenation keeps its width on a phone."""
    rows = [{"lower": float(cal.edges[b]), "upper": float(cal.edges[b + 1]),
             "accuracy": float(a), "confidence": float(c), "count": int(n)}
            for b, a, c, n in zip(cal.bins, cal.accuracy, cal.confidence, cal.count)]
    x_title, right, sure = _("confidence (the probability of its answer)"), _("share right"), \
        _("test images")
    # every layer names the same axes (one without would merge its field's name into the title)
    x_axis = {**AXIS, "title": x_title, "format": "~%", "tickCount": 5}
    y_axis = {**AXIS, "title": right, "format": "~%", "tickCount": 5}
    unit = {"type": "quantitative", "scale": {"domain": [0, 1]}}
    tooltip = [{"field": "lower", "title": _("from"), "format": ".0%"},
               {"field": "upper", "title": _("to"), "format": ".0%"},
               {"field": "confidence", "title": _("mean confidence"), "format": ".1%"},
               {"field": "accuracy", "title": right, "format": ".1%"},
               {"field": "count", "title": sure, "format": ","}]
    diagonal = {"data": {"values": [{"lower": 0.0, "accuracy": 0.0},
                                    {"lower": 1.0, "accuracy": 1.0}]},
                "mark": {"type": "line", "strokeDash": [6, 4], "strokeWidth": 2.5,
                         "color": plots.NEUTRAL},
                "encoding": {"x": {"field": "lower", **unit, "axis": x_axis},
                             "y": {"field": "accuracy", **unit, "axis": y_axis}}}
    bars = {"mark": {"type": "bar", "color": plots.ACCENT, "opacity": 0.85, "stroke": "white",
                     "strokeWidth": 1},
            "encoding": {"x": {"field": "lower", **unit, "axis": x_axis},
                         "x2": {"field": "upper"}, "y2": {"datum": 0},
                         "y": {"field": "accuracy", **unit, "axis": y_axis},
                         "tooltip": tooltip}}
    means = {"mark": {"type": "point", "filled": True, "size": 90, "color": plots.WRONG},
             "encoding": {"x": {"field": "confidence", **unit, "axis": x_axis},
                          "y": {"field": "accuracy", **unit, "axis": y_axis},
                          "tooltip": tooltip}}
    diagram = {"description": describe(cal), "data": {"values": rows}, "height": 280,
               "layer": [bars, diagonal, means]}
    counts = {"description": _("How many test images fall in each band of confidence."),
              "data": {"values": rows}, "height": 110,
              "mark": {"type": "bar", "color": plots.NEUTRAL},
              "encoding": {"x": {"field": "lower", **unit, "axis": x_axis},
                           "x2": {"field": "upper"}, "y2": {"datum": 0},
                           "y": {"field": "count", "type": "quantitative",
                                 "axis": {**AXIS, "title": sure, "tickCount": 3}},
                           "tooltip": tooltip}}
    return diagram, counts


def describe(cal: evaluate.Calibration) -> str:
    """The diagram's point, for a screen reader (and the chart's description)."""
    top = int(cal.count.argmax())
    return _("Reliability diagram: for each band of confidence, the share of test images the "
             "model got right, against the diagonal of a model exactly as sure as it is right. "
             "Most images ({share}) fall in the band from {lower} to {upper}, where it was "
             "{confidence} sure on average and right {accuracy} of the time. Expected "
             "calibration error: {ece}.",
             share=fmt(cal.count[top] / cal.count.sum(), ".0%"),
             lower=fmt(cal.edges[cal.bins[top]], ".0%"),
             upper=fmt(cal.edges[cal.bins[top] + 1], ".0%"),
             confidence=fmt(cal.confidence[top], ".1%"), accuracy=fmt(cal.accuracy[top], ".1%"),
             ece=fmt(cal.ece, ".2%"))


def panel(tr: Trained, split: Split) -> None:
    """The diagram, the error in one number, and how many mistakes were made very sure."""
    st.markdown(_("#### How sure, when wrong?"))
    ev = tr.evaluation
    cal = evaluate.calibration_of(ev, split.y_test, BINS)
    wrong = ev.yhat != split.y_test
    sure_wrong = int((wrong & (ev.confidence >= SURE)).sum())
    left, right = st.columns([3, 2], gap="large")
    with left:
        diagram, counts = spec(cal)
        # their alternative text is each spec's description (vega-embed makes it the label)
        st.vega_lite_chart(figures.vega(diagram), theme=None, width="stretch")
        st.vega_lite_chart(figures.vega(counts), theme=None, width="stretch")
    with right:
        m = st.columns(2)
        m[0].metric(_("Calibration error"), fmt(cal.ece, ".2%"),
                    help=_("Expected calibration error: the gap between how sure the model is "
                           "and how often it is right, averaged over the test images (0 is "
                           "perfect)."))
        m[1].metric(_("Sure and wrong"), fmt(sure_wrong, ","),
                    help=_("Mistakes made with at least {sure} confidence.",
                           sure=fmt(SURE, ".0%")))
        st.caption(_("Each test image counts once, with the probability the model gave its "
                     "own answer (its confidence), right or wrong: the images are put in {n} "
                     "bands of confidence, and a bar shows how often the model was right in "
                     "its band. A model that is right 9 times in 10 when it gives 9 chances in "
                     "10 has its bars on the dashed diagonal; bars below it mean the model is "
                     "surer than it should be. The red dots are each band's mean confidence.",
                     n=BINS))
        nav.link("gallery", _("Mistakes in the Gallery"))
