"""The Draw page's "looks like": the training images nearest to the drawing, with their labels.

The index (digitlab.lab.neighbours) is built once per training split and deskew setting for the
whole server (~0.5 s; ~1 s with deskew) and answers a drawing in a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitlab.lab import neighbours
from digitlab.plots import charts as plots
from digitlab.training.session import Split
from pages.shared import state
from pages.shared.i18n import N_, _, fmt

SHOW = 8  # neighbours shown: one row
PX = 90


@st.cache_resource(max_entries=4, show_spinner=False)
def index(key: tuple, deskew: bool, _split: Split) -> neighbours.NeighbourIndex:
    """Keyed by the split (data, test size, seed) and deskew, which are all it depends on.
    Shared between sessions: it is never mutated."""
    return neighbours.build(_split.X_train, _split.y_train, deskew=deskew, side=_split.side)


def split_key(split: Split, test_size: float, seed: int) -> tuple:
    """What the index (and the map built on it) is cached by: the data, the split, the rows."""
    return (split.data_key, test_size, seed, len(split.y_train))


def index_for(split: Split, test_size: float, seed: int, deskew: bool):
    with st.spinner(_("Indexing the training images…")):
        return index(split_key(split, test_size, seed), deskew, split)


def panel(idx: neighbours.NeighbourIndex, split: Split, image28: np.ndarray,
               answer: int) -> None:
    """"Your 7 looks most like these": the nearest training images, nearest first."""
    found, dist = neighbours.nearest(idx, image28, SHOW)
    label, votes = neighbours.vote(idx, found)
    st.markdown(_("**Your {answer} looks most like these training images** ({votes} of the "
                  "{value} nearest are {label}s)", answer=answer, votes=votes, value=len(found),
                  label=label))
    pictures = [plots.enlarge(plots.as_image(split.X_train[i], split.side), PX) for i in found]
    captions = [f"{int(split.y_train[i])} · {fmt(float(d), ',.0f')}" for i, d in zip(found, dist)]
    st.image(pictures, caption=captions, width=PX, output_format="PNG",
             alt=[_("Training image {n}: a {label}.", n=n, label=int(split.y_train[i]))
                  for n, i in enumerate(found, 1)])
    deskewed = N_(", both deskewed as this model sees them") if idx.deskew else ""
    st.caption(_("Under each: its label · its distance. Nearest by pixel distance between 28x28 "
                 "images (grey levels 0–255): your drawing after the steps above{deskewed}, "
                 "against all {y:,} training images. The model does not look these up, it only "
                 "keeps its weights; yet a drawing far from every training image is one it is "
                 "likely to get wrong.", deskewed=deskewed, y=len(idx.y)))


def drawing_tab(fit, image: np.ndarray, prepared) -> None:
    """"Looks like…" for a drawing (an entry of the Draw page's TABS)."""
    split = state.split_for(state.dataset(), fit.config)
    idx = index_for(split, fit.config.test_size, fit.config.seed, fit.config.deskew)
    answer = int(fit.model.predict(prepared.image28.reshape(1, -1))[0])
    panel(idx, split, prepared.image28, answer)
