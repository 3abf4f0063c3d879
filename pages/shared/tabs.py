"""Tabs that run only while open and open on the tab last chosen: the Draw page's look-inside
tabs after a drawing, the Train page's after a fit. A stroke or a fit then costs the server and
the student's browser one panel, not all of them.

The choice is kept outside the widget (under `key + "_kept"`): Streamlit drops a widget's state
in a run that does not draw it (an empty canvas after Clear, every run that follows a fit), and
the learner would land on the first tab again with every new drawing or fit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from pages.shared.i18n import _


def lazy_tabs(panels: dict[str, Callable[..., None]], key: str, *args) -> None:
    """One tab per title of `panels` (marked for translation); the open tab's function runs,
    with `args`. The kept choice is a label: in another language the first tab opens."""
    labels = [_(t) for t in panels]
    kept = st.session_state.get(f"{key}_kept")
    tabs = st.tabs(labels, default=kept if kept in labels else labels[0], key=key,
                   on_change=functools.partial(_keep, key))
    for tab, show in zip(tabs, panels.values()):
        if tab.open:
            with tab:
                show(*args)


def _keep(key: str) -> None:
    st.session_state[f"{key}_kept"] = st.session_state[key]
