"""Children's data in the app: the class's collection setting (ask each student for consent, or
collect none), the consent box on Draw, and the Class set page's Privacy expander (what is
stored, where, for how long; the teacher's setting and "Delete everything from this class").

The setting and the days come from the server's environment (digitlab.classroom.privacy); they
apply in class mode only (a class password set): one person on their own machine saves as
before. Server paths are never shown here (students see this page); the README and
`python -m digitlab classset info` say where the file is.
"""

from __future__ import annotations

import streamlit as st

from digitlab.classroom import privacy
from digitlab.classroom import publish as classroom
from digitlab.classroom.classset import TEACHER, ClassSet, ClassSetError, Who
from pages.panels import classroom_panel
from pages.shared import i18n
from pages.shared.i18n import N_, _

CONSENT = "privacy_consent"  # this session's student ticked "save my drawings"
ASK_PURGE = "privacy_ask_purge"  # the teacher clicked "Delete everything": confirm first
PURGED = "privacy_purged"  # how many the last purge deleted (said once)
SETTING = "privacy_setting"
CHOICES = {privacy.CONSENT: N_("Ask each student for consent"),
           privacy.NONE: N_("Collect none")}


@st.cache_resource
def collection() -> privacy.Collection:
    """The server's one collection setting (from $DIGITLAB_CLASS_COLLECT; `run.py app --class`
    checks it before the server starts, so a bad value here falls back to asking)."""
    try:
        return privacy.Collection()
    except ClassSetError:
        return privacy.Collection(privacy.CONSENT)


def keep_days() -> int:
    try:
        return privacy.keep_days_from_env()
    except ClassSetError:
        return privacy.KEEP_DAYS


def class_mode() -> bool:
    return classroom.publishing_enabled()


def teacher() -> bool:
    """May delete anyone's drawings, purge and change the setting: the teacher's unlocked
    session, or anyone on a server without a class password (one person on their machine)."""
    return not class_mode() or classroom_panel.is_teacher()


def who(author: str) -> Who:
    return TEACHER if teacher() else Who(author)


def may_save() -> bool:
    """Draw's Save buttons work: not in class mode, or collection asks and this student ticked
    the box (the teacher's session too: it is the teacher's drawing)."""
    if not class_mode():
        return True
    return collection().asks_consent and bool(st.session_state.get(CONSENT))


def consent_row() -> bool:
    """Above Draw's Save buttons: the consent box, or why there is no Save. True when Save may
    show (enabled only once may_save())."""
    if not class_mode():
        return True
    if not collection().asks_consent:
        st.caption(_("This class does not collect drawings: nothing you draw here is saved, "
                     "so there is no Save button."), help=_("The teacher chose this setting."))
        return False
    st.checkbox(_("Save my drawings to the class set"), key=CONSENT,
                help=_("Each with its label and the name you type. The teacher and the class can "
                       "see saved drawings; they are deleted after {days} days, or sooner by the "
                       "teacher.", days=keep_days()))
    return True


def _purge(store: ClassSet) -> None:
    st.session_state.pop(ASK_PURGE, None)
    try:  # who() is asked again here: a callback must not trust what was on screen
        st.session_state[PURGED] = store.purge(who(""))
    except ClassSetError as exc:
        st.session_state[PURGED] = i18n.error_text(exc)


def _change_setting() -> None:
    value = st.session_state.get(SETTING)
    if value is None:
        return
    try:
        collection().change(value, who(""))
    except ClassSetError:
        st.session_state[SETTING] = collection().value


def privacy_expander(store: ClassSet, total: int) -> None:
    """What is stored, where and for how long; for the teacher, the setting and the purge."""
    with st.expander(_("Privacy"), icon=":material/shield_person:"):
        days = keep_days()
        st.markdown(_(
            "**What is stored**: each saved drawing's pixels (28×28 and the picture drawn), the "
            "label given to it, the model's answer, the name and group typed (optional; a "
            "nickname is enough), the random key of the browser that saved it, and the time. "
            "For the class's questions: each student's answers, with the name they typed. For "
            "the class view: the name each student typed for the class. The random key is kept "
            "in the student's browser too (a cookie), so that a reload finds their name and "
            "answers again; it says nothing about who they are.\n\n**Where**: in one file on "
            "the computer that runs DigitLab for the class; nothing is sent anywhere else.\n\n"
            "**For how long**: {days} days, then drawings, answers and names are deleted when "
            "DigitLab starts (the class view's names also go with *New lesson* there). Delete "
            "removes a drawing for good (Undo works until this tab is closed or reloaded).",
            days=days))
        if not class_mode():
            return
        setting = collection()
        said = st.session_state.pop(PURGED, None)
        if isinstance(said, int):
            st.success(_("Deleted all {n:,} digits from the class set.", n=said))
        elif said:
            st.error(said)
        if not classroom_panel.is_teacher():
            st.caption(_("This class: {choice}. Only the teacher can change it or delete other "
                         "students' drawings.", choice=_(CHOICES[setting.value])))
            return
        st.session_state.setdefault(SETTING, setting.value)
        st.radio(_("Drawings are collected"), list(CHOICES), key=SETTING,
                 format_func=lambda v: _(CHOICES[v]), on_change=_change_setting, horizontal=True,
                 captions=[_("Each student ticks a box before Save appears."),
                           _("Save is hidden on Draw.")])
        if not st.session_state.get(ASK_PURGE):
            st.button(_("Delete everything from this class"), icon=":material/delete_forever:",
                      disabled=total == 0, on_click=st.session_state.update,
                      args=({ASK_PURGE: True},))
            return
        st.warning(_("Delete all {n:,} digits for good? There is no undo.", n=total))
        with st.container(horizontal=True):
            st.button(_("Yes, delete everything"), type="primary", on_click=_purge,
                      args=(store,), icon=":material/delete_forever:")
            st.button(_("Cancel"), on_click=st.session_state.pop, args=(ASK_PURGE, None))
