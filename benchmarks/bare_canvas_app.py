"""The baseline for benchmarks/draw_latency.py and benchmarks/phone.py: a bare page with only
streamlit-drawable-canvas (the app's canvas until DigitLab drew its own, pages/shared/canvas.py;
the same size and brush) that counts ink pixels and shows the count as a "Prediction" metric.
The issue goals for the Draw page were set against this page."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

# The Draw page's own Clear (it empties the canvas in the browser), so both pages start each
# trial the same way. A Clear that remounted the canvas (a new key) sometimes took the trial's
# stroke on the old canvas, which was then replaced: the metric never came (30 s timeout).
from pages.shared.browser import clear_button  # PYTHONPATH is the checkout (AppServer)


def remount() -> None:
    st.session_state["clears"] = st.session_state.get("clears", 0) + 1


st.title("Draw")
result = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000",
                   width=280, height=280, drawing_mode="freedraw", return_image_data=True,
                   update_streamlit=True, key=f"canvas-{st.session_state.get('clears', 0)}")
image = result.image_data
ink = 0 if image is None else int((np.asarray(image)[..., :3].max(axis=2) > 127).sum())
clear_button(remount=remount)
if ink == 0:
    st.info("Draw a digit on the black square")
else:
    st.metric("Prediction", str(ink % 10))
