"""Prepay an element type's code while the page waits, not when the element is wanted: the
Draw page's first answer (answer_elements), the teacher's first histogram (chart_type).

Streamlit's browser code draws each element type through React.lazy: the first element of a
type on the page suspends React's render until that type's code has loaded, and the render
starts again. The Draw page shows no metric or button until a digit is drawn, so the first
answer brought two such types at once (the Prediction's metric, with its number formatting,
and Save's button). On a phone with its CPU throttled 4x (benchmarks/phone.py, a Chrome
trace) React rendered the page four times, ~1.4 s, before the first Prediction showed,
against once (~0.3 s) for the later drawings.

So the empty page holds one element of each of those types in a container nobody sees
(display:none: it takes no space, a screen reader does not read it, the keyboard does not
reach it). Their code loads with the types the page needs anyway (the segmented control, the
canvas, the sidebar's widgets), in the same round of fetches, and the first answer renders
like every later one. (The warm-up this replaces imported the same files when the browser
was idle; React.lazy still suspended on them at the first answer.)
"""

from __future__ import annotations

import streamlit as st

HIDDEN = "draw_answer_types"
# Put on the page before the container (draw_page.py's first st.html), so it never shows.
CSS = f"<style>.st-key-{HIDDEN} {{display: none !important}}</style>"


def answer_elements() -> None:
    """A metric and a button, hidden: the answer's element types, drawn once with the page."""
    with st.container(key=HIDDEN):
        st.metric("·", "0", label_visibility="collapsed")
        st.button("·", key=f"{HIDDEN}_button", disabled=True)


CHART = "questions_chart_type"
CHART_CSS = f"<style>.st-key-{CHART} {{display: none !important}}</style>"


def chart_type() -> None:
    """A vega-lite chart, hidden: the teacher's Questions page holds it while a question is open,
    so that Reveal does not wait for the chart's code. That code is the largest of Streamlit's
    lazy parts (embed.js, 0.77 MB, besides its own chunk): the teacher's first Reveal took their
    Chromium 0.56 CPU s against 0.41 for a later one, 0.28 with this chart held (and the
    Questions page's live panel a fragment), and on 2 cores shared with a class's browsers the
    first round's Reveal -> histogram was the slowest (benchmarks/load.py: 9-15 s). It comes
    after where the histogram is drawn: a page looking for the first chart finds the
    histogram, not this one."""
    st.html(CHART_CSS)
    with st.container(key=CHART):
        st.vega_lite_chart({"data": {"values": [{"n": 0}]}, "mark": "bar",
                            "encoding": {"y": {"field": "n", "type": "quantitative"}},
                            "description": "·"}, width=1, height=1)
