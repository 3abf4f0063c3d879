"""Projector mode: the app as the back of a classroom reads it on a wall.

On with the sidebar's toggle or `?projector=1` in the address (a lesson link carries it:
digitlab.lab.links), and kept for the session (`?projector=0` turns it off). What it changes,
all from here:
- the page (one <style> block a run, `style()`): base text 20 px, bigger headings and figures'
  pictures, every caption at the full text colour (a caption at Streamlit's 60 % opacity reaches
  5.2:1 at best, below the 7:1 of WCAG AAA that axe's `color-contrast-enhanced` checks, and the
  captions are where key facts sit: which model answers, who fooled it), the accent colour
  darkened where it is text on white or white text on it;
- the browser's charts (`vega(spec)`, applied by pages.shared.figures.vega to every Vega-Lite
  spec): text about 1.35x, lines about 1.7x, points 2x;
- matplotlib's pictures (`figure_scale()`, passed to digitlab.plots.render.to_png by the pages'
  renderers): text and lines 1.35x at the same pixel size;
- tables: the per-class report's three scores only, at the page's text size
  (pages/panels/report_panel.py; it is a table of text, which the style reaches).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from pages.shared.i18n import _

KEY = "projector"  # session state: projector mode is on; also the query parameter's name
TOGGLE = "projector_toggle"  # the sidebar's widget
_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

# Text and lines on the wall (Vega-Lite config; a spec's own config wins where it says more).
FONT = 1.35  # explicit font sizes in a spec's marks and titles are multiplied by this
STROKE = 1.7  # line widths
AREA = 2.0  # point and circle sizes (an area)
FIGURE = 1.35  # matplotlib's pictures: text and lines this much larger at the same pixel size
CONFIG: dict[str, Any] = {
    "axis": {"labelFontSize": 17, "titleFontSize": 19, "domainWidth": 2, "tickWidth": 2,
             "labelColor": "#0a0a0a", "titleColor": "#0a0a0a"},
    "legend": {"labelFontSize": 17, "titleFontSize": 19, "symbolSize": 200, "symbolStrokeWidth": 3,
               "labelColor": "#0a0a0a", "titleColor": "#0a0a0a", "labelLimit": 400},
    "header": {"labelFontSize": 18, "titleFontSize": 20},
    "title": {"fontSize": 22, "subtitleFontSize": 18, "color": "#0a0a0a"},
    "text": {"fontSize": 18},
    "line": {"strokeWidth": 4},
    "rule": {"strokeWidth": 3},
    "point": {"size": 160, "strokeWidth": 3},
    "circle": {"size": 160},
    "mark": {"strokeWidth": 3},
}

REPORT = "projector_report"  # the per-class report's table (report_panel.py, sweep_page.py)
PREDICTION = "draw_prediction"  # the Draw page's Prediction metric (draw_page.py)

# A darker red than Streamlit's #ff4b4b: 7.4:1 on white, and white on it 7.4:1.
ACCENT = "#a3001b"
CSS = f"""<style>
html {{ font-size: 20px !important; }}
[data-testid='stAppViewContainer'], [data-testid='stSidebar'] {{ font-size: 20px; }}
[data-testid='stMarkdownContainer'], [data-testid='stMarkdownContainer'] p,
[data-testid='stMarkdownContainer'] li, [data-testid='stWidgetLabel'] p, label,
[data-testid='stSidebarNav'] span {{ font-size: 20px !important; line-height: 1.45; }}
h1 {{ font-size: 2.6rem !important; }}
h2 {{ font-size: 2.0rem !important; }}
h3 {{ font-size: 1.6rem !important; }}
[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p,
[data-testid='stImageCaption'], [data-testid='stTooltipContent'],
[data-testid='stMetricLabel'] p, [data-testid='stWidgetLabel'] p, small {{
  color: #0a0a0a !important; opacity: 1 !important; font-size: 20px !important; }}
[data-testid='stMetric'] [data-testid='stMetricValue'],
[data-testid='stMetric'] [data-testid='stMetricValue'] * {{
  font-size: 2.6rem !important; line-height: 1.2 !important; }}
/* the Draw page's answer stays the largest thing on it, as on the plain page */
.st-key-{PREDICTION} [data-testid='stMetricValue'],
.st-key-{PREDICTION} [data-testid='stMetricValue'] * {{
  font-size: 5rem !important; line-height: 1.1 !important; }}
.stMarkdownEllipsis p, [data-variant='segmented_control'] p,
[data-testid='stAlertContainer'] p, [data-testid='stAlertContainer'] strong,
[data-testid='stAlertContainer'] li {{ color: #0a0a0a !important; }}
[data-testid='stSliderThumbValue'] p {{ color: {ACCENT} !important; }}
[data-testid='stMetricDelta'] {{ font-size: 1.2rem !important; filter: brightness(.55); }}
input, textarea, [data-baseweb='select'] * {{ font-size: 20px !important; }}
[data-testid='stImage'] img {{ image-rendering: pixelated; }}
[data-testid='stImage'] img[style^='width: 1'] {{ zoom: 1.4; }}  /* thumbnails, 100-199 px */
a, a:visited {{ color: {ACCENT} !important; }}
button[kind='primary'], [data-testid='stBaseButton-primary'] {{
  background-color: {ACCENT} !important; border-color: {ACCENT} !important;
  color: #ffffff !important; }}
button[role='tab'][aria-selected='true'] p {{ color: {ACCENT} !important; }}
button[role='tab'] p {{ font-size: 20px !important; }}
/* the taller Draw/Upload switch would slide under the canvas's toolbar; the bigger
   "Wrong? It was a ..." digits wrap instead of running off the column */
.st-key-draw_input {{ margin-bottom: 1.4rem; }}
.st-key-classset_wrong [data-testid='stButtonGroup'] div {{ flex-wrap: wrap !important; }}
/* the per-class report: four columns of large text in a column of 2/5 of the page */
.st-key-{REPORT} table {{ width: 100%; font-size: 20px !important; }}
.st-key-{REPORT} th, .st-key-{REPORT} td {{ padding: .2rem .45rem !important; }}
*:focus-visible {{ outline: 4px solid #1a4fd6 !important; outline-offset: 2px; }}
</style>"""


def _flag(text: Any) -> bool | None:
    text = str(text).strip().lower()
    return True if text in _ON else False if text in _OFF else None


def choose() -> bool:
    """Settle this session's mode for this run (app.py calls it beside i18n.choose): the
    address's `?projector=` when it says 1 or 0, else what the session had (off at first)."""
    asked = _flag(st.query_params.get(KEY, ""))
    if asked is not None:
        st.session_state[KEY] = asked
    return on()


def on() -> bool:
    """Projector mode is on for this session (off outside a session)."""
    try:
        return bool(st.session_state.get(KEY, False))
    except Exception:  # no session (a test's import)
        return False


def figure_scale() -> float:
    """How much larger a matplotlib figure's text and lines are drawn for this session
    (digitlab.plots.render.to_png's `scale`)."""
    return FIGURE if on() else 1.0


def toggle() -> None:
    """The sidebar's switch; a change goes into the address too, so a copied link keeps it."""
    def flipped() -> None:
        st.session_state[KEY] = bool(st.session_state[TOGGLE])
        if st.session_state[KEY]:
            st.query_params[KEY] = "1"
        elif KEY in st.query_params:
            del st.query_params[KEY]

    st.session_state[TOGGLE] = on()
    with st.sidebar:
        st.toggle(_("Projector mode"), key=TOGGLE, on_change=flipped,
                  help=_("Larger text and figures, and stronger contrast, for a room reading "
                         "the screen on a wall."))


def style() -> None:
    """The projector's styles for this run's page (nothing when the mode is off)."""
    if on():
        st.html(CSS)  # style only: Streamlit puts it where it takes no space


def _scaled(node: Any) -> Any:
    """A copy of a spec with the sizes its marks, titles, axes and legends state themselves
    made larger."""
    if isinstance(node, list):
        return [_scaled(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("mark", "title", "axis", "legend", "header") and isinstance(value, dict):
            value = {k: _times(k, v) for k, v in value.items()}
            if key == "title" and "fontSize" in value:  # a chart's title is big already
                value["fontSize"] = min(value["fontSize"], CONFIG["title"]["fontSize"])
        out[key] = _scaled(value) if key not in ("data", "config") else value
    return out


def _times(key: str, value: Any) -> Any:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        if key == "point" and isinstance(value, dict):  # a line's points
            return {k: _times(k, v) for k, v in value.items()}
        return value
    factor = {"fontSize": FONT, "labelFontSize": FONT, "titleFontSize": FONT, "dy": FONT,
              "strokeWidth": STROKE, "size": AREA}.get(key)
    return value * factor if factor else value


def vega(spec: dict, projecting: bool | None = None) -> dict:
    """`spec` as the wall needs it when projector mode is on (else `spec` itself): the
    projector's config under the spec's own, and the sizes its marks state scaled up."""
    if not (on() if projecting is None else projecting):
        return spec
    scaled = _scaled(spec)
    config = {k: {**v, **spec.get("config", {}).get(k, {})} if isinstance(v, dict) else v
              for k, v in CONFIG.items()}
    return {**scaled, "config": {**spec.get("config", {}), **config}}
