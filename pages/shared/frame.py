"""The frame every page shares: the sidebar's status lines, the stops for "no data" and "no
model" (a sentence and a link, not an empty page), and the guard that turns an unexpected error
into a sentence.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import NoReturn

import streamlit as st

from digitlab.data.mnist import Dataset
from digitlab.training import session as training
from digitlab.training.session import Trained
from pages.shared import i18n, nav
from pages.shared.i18n import N_, _
from pages.shared.state import current_job, fallback, model_matches

# What this run's thread keeps between the frame's calls: the sidebar's model line (model_line)
# and what to draw after the page (after_page).
_RUN = threading.local()


def sidebar_status(ds: Dataset | None, tr: Trained | None) -> None:
    """Two lines under the navigation: which data, which model."""
    _RUN.model_line = None
    with st.sidebar:
        if ds is None:
            st.caption(_("**Data:** none yet — fetch MNIST on Home."))
        else:
            st.caption(_("**Data:** {name}, {y:,} images of {side}x{side}", name=ds.name,
                         y=len(ds.y), side=ds.side))
        _RUN.model_line = st.empty()
    model_line(tr)


def model_line(tr: Trained | None) -> None:
    """The sidebar's model line, in its place: drawn by sidebar_status, and again by a page
    whose fit starts later in the same run (its turn in the queue came: the line said it
    waited)."""
    line = getattr(_RUN, "model_line", None)
    if line is None:
        return
    job = current_job()
    if job is not None and job.running and job.waiting() is not None:
        line.caption(_("**Model:** your fit ({solver}) waits in the queue…",
                       solver=job.config.solver))
    elif job is not None and job.running:
        line.caption(_("**Model:** training ({solver})…", solver=job.config.solver))
    elif tr is None:
        line.caption(_("**Model:** none of your own yet — train one on Train; until then the "
                       "class's model answers."))
    else:
        c = tr.config
        line.caption(_("**Model:** {solver}, accuracy {accuracy:.3f}", solver=c.solver,
                       accuracy=tr.evaluation.accuracy)
                     + (_(" (stopped early)") if tr.stopped else ""))


def after_page(draw: Callable[[], None]) -> None:
    """app.py, before the page: what to draw once the page is drawn (finish(), or stop()):
    class mode's name field and push, kept for this run's thread, since a page that ends early
    with stop() must draw it first (after st.stop nothing more can be drawn)."""
    _RUN.after = draw


def finish() -> None:
    """Draw what comes after the page, once per run."""
    draw, _RUN.after = getattr(_RUN, "after", None), None
    if draw is not None:
        draw()


def stop() -> NoReturn:
    """End the page here, as st.stop does, after what comes after every page (finish())."""
    finish()
    st.stop()


def need_data(ds: Dataset | None) -> Dataset:
    """Stop the page with a sentence and a link when there is no data."""
    if ds is None:
        st.info(_("There is no data yet. Fetch MNIST on the Home page first (about 20 MB, once)."))
        nav.link("home", _("Go to Home to fetch the data"))
        stop()
    return ds


def need_model(ds: Dataset, tr: Trained | None) -> Trained:
    """This session's model for this data; without one, the model the teacher published or
    the server's default (the Fast preset), with a line saying which and the way to Train."""
    if model_matches(tr, ds):
        return tr  # type: ignore[return-value]
    other, which = fallback(ds)
    mine = "" if tr is None else _(" (yours was fitted on {data_name})",
                                   data_name=training.data_name(tr.data_key))
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.caption(_("Answering: **{which}**, {accuracy:.1%} right on the test images{mine}.",
                     which=_(which), accuracy=other.evaluation.accuracy, mine=mine),
                   width="content")
        nav.link("train", _("Train your own"))
    return other


@contextlib.contextmanager
def guard(what: str = N_("This page")) -> Iterator[None]:
    """Turn an unexpected error into a sentence with a next step, never a traceback.

    Streamlit's own control flow (st.stop, reruns) derives from BaseException and passes
    through. Set DIGITLAB_RAISE=1 to let errors through (debugging)."""
    try:
        yield
    except Exception as exc:
        if os.environ.get("DIGITLAB_RAISE"):
            raise
        st.error(_("{what} hit a problem it did not expect ({name}: {exc}). Reload the page; if "
                   "it happens again, train a new model or re-fetch the data on Home.", what=what,
                   name=type(exc).__name__, exc=i18n.error_text(exc)))
