"""The Train page's settings in its link (st.query_params), and lesson links.

- `open_link` (before the widgets are drawn): the first time this session shows Train, the
  link's settings go into the widgets; its refusals and its lesson are kept for the session.
- `pin` (every run, before the widgets): a lesson's fixed settings back into their widgets,
  so presets, restores and uploads change only what the lesson leaves free.
- `keep_in_step` (after the widgets): the URL shows the settings now on screen, so a copied
  link opens with them (only when they changed: each write is a message to the browser).
- `banner`: the link's refusals, and which settings the lesson fixed.
- `builder`: "Share as a lesson link": choose what to lock and hide (by the sidebar's names),
  then the link, its short form (`?l=<code>`, digitlab.lab.shortlinks: the server keeps the
  long one), its QR code and a Copy button.
- `preset_clash`: why a preset cannot be used under the lesson (it contradicts a fixed value).

Parsing and checking are digitlab.lab.links's; this module only reads and writes the session.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import streamlit as st

from digitlab.classroom import publish as classroom
from digitlab.lab import links, shortlinks
from digitlab.lab.links import Lesson
from digitlab.lab.shortlinks import ShortLinks
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from pages.panels import classroom_panel
from pages.shared import clipboard, i18n, projector, state
from pages.shared.i18n import N_, _

READ = "link_read"  # session state: this session has read its link (once, on its first Train)
LESSON = "link_lesson"  # session state: the Lesson the link opened (empty: none)
PROBLEMS = "link_problems"  # session state: sentences about values the link could not apply
PAGE = "train"
BUILDER = "share_link_open"  # the "Share as a lesson link" popover: open or shut
UNKNOWN_CODE = "link_unknown_code"  # session state: a short link this server does not know
# Each setting as the Train page's sidebar names it (the same sentences as its widgets' labels:
# tests/app/test_links_page.py checks that they are on the page), for the Lock and Hide lists
# and the lesson's banner.
LABELS = {"C": N_("C (inverse regularisation, log scale)"),
          "l1_ratio": N_("Penalty mix l1_ratio (0 = L2, 1 = L1)"),
          "solver": N_("Solver"),
          "max_iter": N_("max_iter (epochs for {per_epoch})"),
          "tol": N_("tol (stopping tolerance)"),
          "test_size": N_("Test split"),
          "seed": N_("Seed"),
          "scaling": N_("Pixel scaling"),
          "train_size": N_("Training images"),
          "deskew": N_("Deskew (straighten slanted digits)"),
          "augment": N_("Augment (stretched, re-inked copies every epoch)"),
          "features": N_("Features"),
          "printed": N_("Printed digits added to training"),
          "fat_pen": N_("Fat-pen digits added to training")}
assert set(LABELS) == set(links.FIELDS)


def label(field: str) -> str:
    """A setting's name as the sidebar shows it, in the session's language."""
    if field != "max_iter":
        return _(LABELS[field])
    per_epoch = ", ".join(s.name for s in solvers.SOLVERS.values() if s.per_epoch)
    return _(N_(LABELS[field].msgid, per_epoch=per_epoch))


def short_label(field: str) -> str:
    """The sidebar's name without its explanation in brackets: "tol", "Pixel scaling"."""
    return label(field).split(" (")[0]


@st.cache_resource
def short_links() -> ShortLinks:
    """The server's short lesson links (kept in the cache folder, so they outlive a restart).
    Shared on purpose: a code made by the teacher is opened by every student; it holds only
    query strings, under its own lock."""
    return ShortLinks(state.server_file(shortlinks.FILE_NAME))


def lesson() -> Lesson:
    return st.session_state.get(LESSON) or Lesson({})


def open_link(apply: Callable[[TrainConfig], None]) -> None:
    """Once per session: put the link's settings into the widgets (`apply(config)`)."""
    if st.session_state.get(READ):
        return
    params = st.query_params.to_dict()
    code = params.get(shortlinks.PARAM)
    if code is not None and len(params) == 1:
        query = short_links().resolve(str(code))
        if query is not None:
            # the long form into the address, then again: the language and projector mode it
            # carries are read before the page (app.py), and the link is read as any other
            st.query_params.from_dict(dict(parse_qsl(query, keep_blank_values=True)))
            st.rerun()
        st.session_state[UNKNOWN_CODE] = str(code)[:40]
        params = {}
    st.session_state[READ] = True
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
    if code := st.session_state.get(UNKNOWN_CODE):
        st.warning(_("This server does not know the short link **{code}** (it may have been "
                     "made on another server, or long ago). Ask for the link again.", code=code),
                   icon=":material/link_off:")
    problems = st.session_state.get(PROBLEMS) or ()
    if problems:
        st.warning(_("This link had settings that could not be used; the others were applied.\n\n")
                   + "\n".join(f"- {p}" for p in problems), icon=":material/link_off:")
    les = lesson()
    if les and config is not None:
        st.info(_("**Lesson link.** Fixed by the link: {describe}. Explore the other settings in "
                  "the sidebar.", describe=links.describe(les, config, short_label)),
                icon=":material/lock:")


def preset_clash(config: TrainConfig) -> str | None:
    """Why a preset cannot be used under this session's lesson (None: it can): it would change
    a setting the lesson fixes, and what trained would be neither the preset nor the lesson."""
    clash = links.clashes(lesson(), config)
    if not clash:
        return None
    return _("The lesson link fixes {settings}, which this preset would change.",
             settings=", ".join(label(f) for f in clash))


def page_url() -> str:
    """The Train page's address as students reach it: the class address when the app serves
    a class, else the address this browser used."""
    base = classroom.class_url()
    if base is None:
        here = st.context.url
        parts = urlsplit(here) if here else None
        base = f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc else ""
    return f"{base.rstrip('/')}/{PAGE}"


def short_url(long_url: str) -> str:
    """The short form of a lesson link: the same page with ?l=<code> (kept by the server)."""
    base, _sep, query = long_url.partition("?")
    return f"{base}?{shortlinks.PARAM}={short_links().shorten(query)}" if query else base


def builder(config: TrainConfig | None) -> None:
    """"Share as a lesson link": the current settings, with the ones chosen locked or hidden;
    the link, its short form, the short form's QR code and a Copy button."""
    if config is None:
        return
    box = st.popover(_("Share as a lesson link"), icon=":material/share:", width="stretch",
                     key=BUILDER, on_change="rerun")
    if not box.open:  # built only while open (opening reruns the page): a QR code and two
        return        # lists in every run of every student's page, for the one who shares
    with box:
        st.caption(_("The link opens Train with these settings. Lock the ones students may see "
                   "but not change; hide the ones they need not see."))
        # "session": the choices stay while the popover is shut (its content is not drawn)
        locked = st.multiselect(_("Lock"), links.FIELDS, key="share_lock", format_func=label,
                                placeholder=_("settings students cannot change"),
                                persist_state="session")
        hidden = st.multiselect(_("Hide"), [f for f in links.FIELDS if f not in locked],
                                key="share_hide", format_func=label,
                                placeholder=_("settings students do not see"),
                                persist_state="session")
        # the link opens in the language it was made in (English, the default, goes unsaid:
        # then each student's own browser language applies)
        lang = None if i18n.lang() == i18n.DEFAULT else i18n.lang()
        link = links.url(page_url(), config, locked, hidden, lang=lang,
                         projector=projector.on())
        short = short_url(link)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.image(classroom_panel.qr_png(short), width=150,
                     alt=_("QR code of the short lesson link, {url}", url=short))
            with st.container(width=400):  # beside the code; under it on a phone
                st.markdown(_("**Short link** (students scan the code or type it):"))
                st.markdown(f"#### `{short}`")
                clipboard.copy_button(short, _("Copy the short link"), key="copy_short")
        st.markdown(_("**The full link** (what the short one opens):"))
        st.code(link, language=None, wrap_lines=True)
        clipboard.copy_button(link, _("Copy the full link"), key="copy_long")
