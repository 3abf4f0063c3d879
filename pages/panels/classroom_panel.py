"""The class in the app: the teacher's unlock and "Publish to class", and the class's address
with a QR code for the Home page. Which model answers a session without one of its own is
digitlab.classroom.publish.fallback_model's to say (pages/shared/state.py asks it).
"""

from __future__ import annotations

import io
import time

import streamlit as st

from digitlab.classroom import publish as classroom
from digitlab.training.session import Trained
from pages.shared import i18n, state
from pages.shared.i18n import _

TEACHER = "teacher"  # session state: this session gave the class password
TRIES = "teacher_tries"  # session state: wrong passwords given so far
MAX_TRIES = 5  # then this session stops asking (a guessing script has to start new sessions)


# --- the teacher -------------------------------------------------------------------------------


def is_teacher() -> bool:
    return bool(st.session_state.get(TEACHER)) and classroom.publishing_enabled()


def teacher_unlock(button: str | None = None) -> bool:
    """True when this session may publish; else the password field (or why there is none),
    its button labelled `button` (a translated sentence; "Unlock publishing" by default)."""
    if is_teacher():
        return True
    if not classroom.publishing_enabled():
        st.caption(_("Publishing is off on this server: start it with **{password_env}** set "
                     "(see the README, *A class*).", password_env=classroom.PASSWORD_ENV))
        return False
    tries = st.session_state.get(TRIES, 0)
    if tries >= MAX_TRIES:
        st.warning(_("Too many wrong passwords in this session. Open the app again to retry."))
        return False
    with st.form("teacher_unlock", border=False, enter_to_submit=True):
        given = st.text_input(_("Class password (teacher)"), type="password", max_chars=200)
        if st.form_submit_button(button or _("Unlock publishing"), icon=":material/lock_open:"):
            if classroom.password_ok(given):
                st.session_state[TEACHER] = True
                st.rerun()
            st.session_state[TRIES] = tries + 1
            time.sleep(1.0)  # slows guessing in this session; the others do not wait for it
            st.error(_("That is not the class password."))
    return False


def publish(tr: Trained) -> None:
    if is_teacher():  # checked again here: a callback must not trust what was on screen
        state.class_model().publish(tr)


def _withdraw() -> None:
    if is_teacher():
        state.class_model().withdraw()


def publish_panel(tr: Trained) -> None:
    """"Publish to class": this model becomes the one every session without its own uses."""
    published = state.published(state.dataset())
    with st.expander(_("Publish to the class"), icon=":material/campaign:",
                     expanded=is_teacher()):
        if published is None:
            st.caption(_("Nothing is published: students without a model of their own get the "
                       "default model (the Fast preset)."))
        else:
            st.caption(_("Published at {when}: {describe}. Every student without a model of "
                         "their own uses it.", when=published.when,
                         describe=_(classroom.describe(published.model))))
        if not teacher_unlock():
            return
        if published is not None and published.model is tr:
            st.success(_("This model is the class model."), icon=":material/check_circle:")
        else:
            st.button(_("Publish this model to the class"), type="primary", on_click=publish,
                      args=(tr,), icon=":material/campaign:",
                      help=_("Every session without a model of its own starts using it at its "
                           "next drawing."))
        if published is not None:
            st.button(_("Withdraw it (back to the default model)"), on_click=_withdraw)


# --- the class's address -----------------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def qr_png(url: str) -> bytes:
    """A QR code of `url` (pure function of the text: safe to share)."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=2)
    return buf.getvalue()


def class_address() -> None:
    """When the app serves a class: the address to open and its QR code, big."""
    # The class's language (run.py app --class --lang es), else the teacher's page language.
    url = classroom.students_url(i18n.class_default()
                                 or (None if i18n.lang() == i18n.DEFAULT else i18n.lang()))
    if url is None:
        return
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        st.image(qr_png(url), width=170, alt=_("QR code of the class address, {url}", url=url))
        with st.container():
            st.markdown(_("##### Students: scan the code, or open"))
            st.markdown(f"## `{url}`")
            st.caption(_("on a phone, tablet or laptop in this room's network. Everyone draws "
                       "at once; each browser has its own model and drawing."))
