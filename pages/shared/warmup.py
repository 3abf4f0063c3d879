"""Prepay the Draw page's first answer while the page opens, not after the first drawing.

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
