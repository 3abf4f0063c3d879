"""The Draw page's look inside, under the answer: why this answer (and the maths), the training
images it looks like, and can you fool it. Tabs that run only when open, so a stroke costs
only what the open tab shows, and all of it after the Prediction metric has gone out.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from digitlab.data.preprocess import Prepared
from digitlab.training.fitting import FitResult
from pages.shared import fooling, inside, lookalikes, state

TABS = ("Why this answer", "Looks like…", "Can you fool it?")
KEY = "draw_tab"
# The tab last chosen, outside the widget: Streamlit drops a widget's state in a run that does
# not draw it (an empty canvas after Clear shows no tabs), and the learner on "Can you fool
# it?" would land on "Why this answer" again with every new drawing.
KEPT = "draw_tab_kept"
# Seconds the script pauses before the panels, so that the server's event loop (which needs
# the GIL this script thread would hold) sends the Prediction metric first. On the shared
# 2-core machine the panels' ~20 ms of work otherwise delayed the metric by up to ~50 ms
# (median mouse-up -> metric 0.35 s instead of 0.29 s under load); with the pause the page
# was level with the page without panels (benchmarks/draw_latency.py; see the issue-9 report).
SEND_FIRST = 0.05


def keep_tab() -> None:
    st.session_state[KEPT] = st.session_state[KEY]


def panels(fit: FitResult, image: np.ndarray, prepared: Prepared) -> None:
    time.sleep(SEND_FIRST)
    deskew = fit.config.deskew
    why, like, trick = st.tabs(list(TABS), default=st.session_state.get(KEPT, TABS[0]),
                               key=KEY, on_change=keep_tab)
    if why.open:
        with why:
            reading = inside.why(fit.model, prepared.image28, deskew)
            inside.maths(fit.model, fit, reading, key="draw_maths")
    if like.open:
        with like:
            split = state.split_for(state.dataset(), fit.config)
            idx = lookalikes.index_for(split, fit.config.test_size, fit.config.seed, deskew)
            answer = int(fit.model.predict(prepared.image28.reshape(1, -1))[0])
            lookalikes.lookalikes(idx, split, prepared.image28, answer)
    if trick.open:
        with trick:
            answer = int(fit.model.predict(prepared.image28.reshape(1, -1))[0])
            fooling.fool_panel(fit.model, image, deskew, prepared.image28, answer, id(fit))
