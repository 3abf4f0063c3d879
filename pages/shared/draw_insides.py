"""The Draw page's look inside, under the answer: why this answer (and the maths), the training
images it looks like, and can you fool it. Tabs that run only when open, so a stroke costs
only what the open tab shows, and all of it after the Prediction metric has gone out.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitlab.fitting import FitResult
from digitlab.preprocess import Prepared
from pages.shared import fooling, inside, lookalikes, state

TABS = ("Why this answer", "Looks like…", "Can you fool it?")
KEY = "draw_tab"


def panels(fit: FitResult, image: np.ndarray, prepared: Prepared) -> None:
    deskew = fit.config.deskew
    why, like, trick = st.tabs(list(TABS), key=KEY, on_change="rerun")
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
