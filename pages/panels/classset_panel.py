"""The class set in the app: the server's one store, and the Draw page's "save it with its
label" row (one click when the model is right, one click on the right digit when it is not).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import numpy as np
import streamlit as st

from digitlab.classroom import classset
from digitlab.classroom import publish as classroom
from digitlab.classroom.classset import ClassSet, ClassSetError
from digitlab.data.images import picture_png, resize_longest
from digitlab.data.preprocess import Prepared
from digitlab.training.fitting import FitResult
from pages.panels import privacy_panel
from pages.shared import i18n, identity
from pages.shared.i18n import N_, _

PENDING = "classset_pending"  # the drawing on screen now, what a Save click stores
MESSAGE = "classset_message"  # (which drawing, kind, sentence) of the last save
WRONG = "classset_wrong"  # the "it was a ..." digits
NAME, GROUP = "classset_name", "classset_group"
LATER = "classset_error"  # a store error from a callback, said by the next run


@st.cache_resource(max_entries=4)
def _store(path: str) -> ClassSet:
    """One per database file for the whole server. Safe to share: a ClassSet holds no
    connection (each call opens its own) and SQLite makes concurrent writers take turns."""
    return ClassSet(path)


@st.cache_resource(max_entries=4)
def _expired(path: str) -> int:
    """Retention, once per server start and file: records older than the days to keep are
    deleted for good. A failure (a busy file) is not cached, so the next run tries again."""
    return _store(path).expire(privacy_panel.keep_days())


def store() -> ClassSet:
    path = str(classset.default_path())
    try:
        _expired(path)
    except ClassSetError:
        pass  # the page's own reads say what is wrong with the file
    return _store(path)


def plain(text: str) -> str:
    """A student's name or group, shown as typed: markdown's characters escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$:" else c for c in text)


@contextlib.contextmanager
def said_later() -> Iterator[None]:
    """In a callback: keep a ClassSetError's sentence for the page to show (a callback runs
    before the page draws, and an error there would otherwise surface as a traceback)."""
    try:
        yield
    except ClassSetError as exc:
        st.session_state[LATER] = i18n.error_text(exc)


def show_later() -> None:
    if error := st.session_state.pop(LATER, None):
        st.error(error)


def author() -> str:
    """Whose saves these are: the student's lasting id (pages/shared/identity.py: their
    browser's, in class mode; else this session's). The class set keeps one record per drawing
    and author: a double click stays one record, two students' identical plain 1s are two, and
    the same drawing saved again after a reload is still one. Nothing else identifies a student
    (the name is optional and two can type the same)."""
    return identity.student_id()


def _save(label: int) -> None:
    """Store the drawing on screen with `label` (a callback: it runs before the next run)."""
    pending = st.session_state.get(PENDING)
    if pending is None or not privacy_panel.may_save():  # no consent: nothing is stored
        return
    try:
        saved = store().save(pending["image28"], label, pending["answer"],
                             pending["confidence"], picture_png(pending["picture"]),
                             st.session_state.get(NAME, ""), st.session_state.get(GROUP, ""),
                             pending["model"], author())
    except ClassSetError as exc:
        st.session_state[MESSAGE] = (pending["key"], "error", i18n.error_text(exc))
        return
    fooled = label != pending["answer"]
    text = {
        "saved": _("Saved as a **{label}** (#{id})", label=label, id=saved.id)
                 + _(N_(": it fooled the model!") if fooled else N_(". Thank you!")),
        "already": _("Already saved as a **{label}** (#{id}); nothing changed.", label=label,
                     id=saved.id),
        "relabelled": _("Saved #{id} again, now as a **{label}**.", id=saved.id, label=label),
    }[saved.how]
    st.session_state[MESSAGE] = (pending["key"], "fooled" if fooled else "ok", text)
    # Also where the eye is on any screen: on a phone the sentence under the buttons is below
    # the fold, and after a tap nothing visible changed. A toast shows over the page.
    st.toast(text, icon=":material/emoji_events:" if fooled else ":material/check_circle:")


def _save_wrong() -> None:
    label = st.session_state.get(WRONG)
    if label is not None:
        _save(int(label))
        st.session_state[WRONG] = None  # ready for the next drawing


def offer_save(picture: np.ndarray, prepared: Prepared, fitted: FitResult, digit: int,
               proba: np.ndarray) -> None:
    """Under the Prediction (`digit`, from the ten probabilities `proba`): save this drawing
    to the class set with its true label."""
    if max(picture.shape[:2]) > 280:  # an uploaded photo: keep a small copy, not megabytes
        picture = resize_longest(picture, 280)
    key = hashlib.sha256(prepared.image28.tobytes()).hexdigest()[:16]
    st.session_state[PENDING] = {"key": key, "image28": prepared.image28, "picture": picture,
                                 "answer": digit, "confidence": float(proba[digit]),
                                 "model": classroom.settings(fitted.config)}
    if not privacy_panel.consent_row():
        return
    off = not privacy_panel.may_save()
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        st.button(_("Right: save as {digit}", digit=digit), icon=":material/check:", on_click=_save,
                  args=(digit,), key="classset_right", disabled=off,
                  help=_("Save this drawing to the class set with its label."))
        with st.popover(_("Name"), icon=":material/person:",
                        help=_("Your name or group, saved with your drawings (optional).")):
            st.text_input(_("Name or nickname"), key=NAME, max_chars=classset.MAX_TEXT,
                          persist_state="session")
            st.text_input(_("Group or class"), key=GROUP, max_chars=classset.MAX_TEXT,
                          persist_state="session")
        st.pills(_("Wrong? It was a …"), [d for d in range(10) if d != digit], key=WRONG,
                 on_change=_save_wrong, disabled=off,
                 help=_("One click saves it to the class set with the right label."))
    said = st.session_state.get(MESSAGE)
    if said is not None and said[0] == key:  # only about the drawing on screen
        kind, text = said[1], said[2]
        if kind == "error":
            st.error(text)
        elif kind == "fooled":
            st.success(text, icon=":material/emoji_events:")
        else:
            st.success(text, icon=":material/check_circle:")
