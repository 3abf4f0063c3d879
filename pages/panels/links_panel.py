"""The Train page's settings in its link (st.query_params), and lesson links.

- `open_link` (before the widgets are drawn): the first time this session shows Train, the
  link's settings go into the widgets; its refusals and its lesson are kept for the session.
- `pin` (every run, before the widgets): a lesson's fixed settings back into their widgets,
  so presets, restores and uploads change only what the lesson leaves free.
- `keep_in_step` (after the widgets): the URL shows the settings now on screen, so a copied
  link opens with them (only when they changed: each write is a message to the browser).
- `banner`: the link's refusals, and which settings the lesson fixed.
- `builder`: "Share as a lesson link": choose what to lock and hide, copy the link.

Parsing and checking are digitlab.lab.links's; this module only reads and writes the session.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import streamlit as st

from digitlab.classroom import publish as classroom
from digitlab.lab import links
from digitlab.lab.links import Lesson
from digitlab.model.config import TrainConfig
from pages.shared import i18n, projector
from pages.shared.i18n import _

READ = "link_read"  # session state: this session has read its link (once, on its first Train)
LESSON = "link_lesson"  # session state: the Lesson the link opened (empty: none)
PROBLEMS = "link_problems"  # session state: sentences about values the link could not apply
PAGE = "train"


def lesson() -> Lesson:
    return st.session_state.get(LESSON) or Lesson({})


def open_link(apply: Callable[[TrainConfig], None]) -> None:
    """Once per session: put the link's settings into the widgets (`apply(config)`)."""
    if st.session_state.get(READ):
        return
    st.session_state[READ] = True
    params = st.query_params.to_dict()
    if not params:
        return
    link = links.read(params)
    apply(link.config())
    st.session_state[LESSON] = link.lesson
    st.session_state[PROBLEMS] = link.problems


def pin(keys: dict[str, str]) -> None:
    """The lesson's fixed values back into their widgets (before they are drawn)."""
    for field, value in lesson().fixed.items():
        st.session_state[keys[field]] = value


def disabled(field: str, also: bool = False) -> dict:
    """Widget arguments: a setting the lesson fixed cannot be moved."""
    return {"disabled": also or lesson().is_fixed(field)}


def on_grid(steps: list, value) -> list:
    """A select_slider's steps with `value` among them when it is off the grid (C=0.05 from a
    link stays 0.05 instead of snapping to 0.03 or 0.1)."""
    if value in steps:
        return steps
    last = float("inf")  # None (all the training images) sorts last
    return sorted([*steps, value], key=lambda v: last if v is None else v)


def hide_widgets(keys: dict[str, str]) -> None:
    """Hidden settings leave the sidebar (Streamlit marks a keyed widget's box with
    st-key-<key>); their values stay fixed by `pin` whatever the page shows."""
    hidden = [keys[f] for f in lesson().hidden]
    if hidden:
        st.html("<style>" + ",".join(f".st-key-{k}" for k in hidden)
                + "{display:none}</style>")


def keep_in_step(config: TrainConfig | None) -> None:
    """Write the settings on screen (and the lesson's lock/hide) into the URL."""
    if config is None:
        return
    les = lesson()
    query = links.to_query(config, les.locked, les.hidden)
    for kept in (links.LANG, links.PROJECTOR):  # the language and mode the address asked for
        if kept in st.query_params:
            query[kept] = st.query_params[kept]
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def banner(config: TrainConfig | None) -> None:
    """What the link could not apply, and what the lesson fixed."""
    problems = st.session_state.get(PROBLEMS) or ()
    if problems:
        st.warning(_("This link had settings that could not be used; the others were applied.\n\n")
                   + "\n".join(f"- {p}" for p in problems), icon=":material/link_off:")
    les = lesson()
    if les and config is not None:
        st.info(_("**Lesson link.** Fixed by the link: {describe}. Explore the other settings in "
                  "the sidebar.", describe=links.describe(les, config)), icon=":material/lock:")


def page_url() -> str:
    """The Train page's address as students reach it: the class address when the app serves
    a class, else the address this browser used."""
    base = classroom.class_url()
    if base is None:
        here = st.context.url
        parts = urlsplit(here) if here else None
        base = f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc else ""
    return f"{base.rstrip('/')}/{PAGE}"


def builder(config: TrainConfig | None) -> None:
    """"Share as a lesson link": the current settings, with the ones chosen locked or hidden."""
    if config is None:
        return
    with st.popover(_("Share as a lesson link"), icon=":material/share:", width="stretch"):
        st.caption(_("The link opens Train with these settings. Lock the ones students may see "
                   "but not change; hide the ones they need not see."))
        locked = st.multiselect(_("Lock"), links.FIELDS, key="share_lock",
                                placeholder=_("settings students cannot change"))
        hidden = st.multiselect(_("Hide"), [f for f in links.FIELDS if f not in locked],
                                key="share_hide", placeholder=_("settings students do not see"))
        # the link opens in the language it was made in (English, the default, goes unsaid:
        # then each student's own browser language applies)
        lang = None if i18n.lang() == i18n.DEFAULT else i18n.lang()
        link = links.url(page_url(), config, locked, hidden, lang=lang,
                         projector=projector.on())
        st.code(link, language=None, wrap_lines=True)
        st.caption(_("Copy it with the button at the code's corner."))
