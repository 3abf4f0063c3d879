"""A student's lasting id in class mode: one random pseudonym per browser, not an account.

The first time a browser opens the class, the server makes a random id (32 hex digits) for the
session, and a small script on the page stores it in a cookie (`digitlab_student`, this site
only, no expiry beyond MAX_AGE_S, SameSite=Strict). Every later session of that browser (a
reload, a second tab, the page reconnecting after a server restart) sends the cookie with its
first request, and Streamlit gives it to the session (`st.context.cookies`, the cookies of the
request that opened the session): the session takes that id again. So the roster keeps one card
per student (digitlab.classroom.live, by this id), the name they typed comes back from it, and
the answers they locked in stay theirs (digitlab.classroom.questions refuses a second).

It says nothing about who the student is: it is a random token that only this server and that
browser know, never shown on any page. A student who clears their cookies, or changes browser,
comes back as someone new (and types their name again). Outside class mode nothing is stored in
the browser: the id then lasts as long as the session, as before.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

import streamlit as st

COOKIE = "digitlab_student"
MAX_AGE_S = 180 * 24 * 3600  # a school year (a class set's retention is shorter)
ID = "student_id"  # session state: this session's id
_VALID = re.compile(r"[0-9a-f]{32}")
# The script draws nothing; its container leaves the column's flow, so it adds no gap either.
_KEY = "digitlab_student_id"
_STYLE = f"<style>.st-key-{_KEY}{{position:absolute}}</style>"


def cookies() -> Mapping[str, str]:
    """The cookies the browser sent when this session opened (none under AppTest)."""
    try:
        found = st.context.cookies
    except Exception:  # noqa: BLE001 - no browser behind this session (a bare script run)
        return {}
    # Under AppTest, or in a test that stands in for Streamlit, it may be no mapping at all.
    return found if isinstance(found, Mapping) else {}


def student_id() -> str:
    """This session's lasting id: the browser's cookie when it sent one, else a new random
    one (kept for the session, and by the browser once `remember()` has run)."""
    sid = st.session_state.get(ID)
    if sid:
        return sid
    given = cookies().get(COOKIE, "")
    sid = given if isinstance(given, str) and _VALID.fullmatch(given) else secrets.token_hex(16)
    st.session_state[ID] = sid
    return sid


def remember() -> None:
    """Ask the browser to keep this session's id (class mode, a student's page: every run
    until the browser sends it back, which is from its next session on)."""
    sid = student_id()
    if cookies().get(COOKIE) == sid:
        return
    st.html(_STYLE)
    with st.container(key=_KEY):
        st.html(f"<script>document.cookie = '{COOKIE}={sid}; path=/; max-age={MAX_AGE_S}; "
                "SameSite=Strict';</script>", unsafe_allow_javascript=True)
