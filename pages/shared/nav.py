"""The app's pages, in one table: app.py builds the navigation from it, pages link through it.
Adding a page is one file in pages/ and one entry here.

Why the file names differ from the URL paths (train_page.py is served at /train): when a
pages/ folder exists, a fresh server that is first asked for /train looks for a page file
whose stem is "train" and, if it finds one, runs that file bare (no navigation, no app setup,
and a sidebar listing "app, draw, gallery, home, train"). With different names it finds none,
runs app.py, and st.navigation serves /train inside the app (a browser test opens each link).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from digitlab.classroom import publish as classroom
from pages.shared.i18n import N_, _


@dataclass(frozen=True)
class Page:
    url: str  # the URL path, e.g. "train" for /train
    title: str
    file: str  # relative to app.py
    icon: str  # a Material icon: it ships with Streamlit's font (emoji need a colour-emoji
    #            font that projector PCs and headless browsers often lack)
    for_class: bool = False  # listed only on a class server (a class password set)


PAGES = {p.url: p for p in (
    Page("home", N_("Home"), "pages/home_page.py", ":material/home:"),
    Page("train", N_("Train"), "pages/train_page.py", ":material/model_training:"),
    Page("gallery", N_("Gallery"), "pages/gallery_page.py", ":material/photo_library:"),
    Page("draw", N_("Draw"), "pages/draw_page.py", ":material/draw:"),
    Page("sweep", N_("Sweep"), "pages/sweep_page.py", ":material/show_chart:"),
    Page("class-set", N_("Class set"), "pages/classset_page.py", ":material/groups:"),
    Page("class", N_("Class view"), "pages/classview_page.py", ":material/co_present:",
         for_class=True),
    Page("questions", N_("Questions"), "pages/questions_page.py", ":material/quiz:",
         for_class=True),
)}
HOME = "home"


def navigation():
    """st.navigation over PAGES (those for a class only on a class server); the first is the
    default (served at /)."""
    for_class = classroom.publishing_enabled()
    return st.navigation([st.Page(p.file, title=_(p.title), icon=p.icon, url_path=p.url,
                                  default=p.url == HOME) for p in PAGES.values()
                          if for_class or not p.for_class])


def link(url: str, label: str | None = None) -> None:
    """A link to one of the app's pages."""
    page = PAGES[url]
    st.page_link(page.file, label=label or _(page.title), icon=page.icon)
