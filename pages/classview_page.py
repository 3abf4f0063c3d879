"""Class view, the teacher's (class mode, unlocked with the class password): who is here, by
the names they typed, and what each is doing; "Eyes on the board" (pause every student's page)
and Resume; and the spotlight: one student's latest drawing on the projector, without the
name, with the model's answer and "Why this answer". Anyone else gets a polite refusal and the
password field, nothing of the class.

The roster is a fragment that refreshes itself every ROSTER_S seconds (a student who opens the
class address shows within ~3 s). While a drawing is in the spotlight the roster is not drawn at
all, so no name is on the wall beside it.
"""

import time

import numpy as np
import streamlit as st

from digitlab.classroom import live as live_module
from digitlab.classroom.classdb import ClassSetError
from digitlab.classroom.live import Spotlight, Student
from pages.panels import classroom_panel, classset_panel, explain_panel
from pages.shared import class_push, frame, i18n
from pages.shared.i18n import N_, _, ngettext

ROSTER_S = 2.0  # the roster's refresh: a new student shows within this plus a page run
ERROR = "classview_error"  # a refusal or a database sentence from a callback, said next run
STATE_WORDS = {live_module.JOINED: N_("joined"), live_module.DRAWING: N_("drawing"),
               live_module.ANSWERED: N_("answered")}
STATE_COLOURS = {live_module.JOINED: "gray", live_module.DRAWING: "blue",
                 live_module.ANSWERED: "green"}


def _act(action, *args) -> None:
    """A button's callback: the library checks who asks (a student is refused); a refusal or
    a busy database is said on the next run, never a traceback."""
    try:
        action(*args, class_push.who(classroom_panel.is_teacher()))
    except ClassSetError as exc:
        st.session_state[ERROR] = i18n.error_text(exc)


def controls(paused: bool, spot: Spotlight | None) -> None:
    live = class_push.live()
    with st.container(horizontal=True, vertical_alignment="center"):
        if paused:
            st.button(_("Resume the class"), type="primary", on_click=_act, args=(live.resume,),
                      icon=":material/play_arrow:", key="classview_resume")
        else:
            st.button(_("Eyes on the board"), type="primary", on_click=_act,
                      args=(live.pause,), icon=":material/pan_tool:", key="classview_pause",
                      help=_("Pause every student's page: it shows \"Eyes on the board\" and "
                             "the drawing pad stops until you resume."))
        if spot is not None:
            st.button(_("End the spotlight"), on_click=_act, args=(live.end_spotlight,),
                      icon=":material/close:", key="classview_unspot")
        with st.popover(_("New lesson"), icon=":material/restart_alt:"):
            st.caption(_("Empties the roster and forgets every drawing here (the class set "
                         "keeps what students saved)."))
            st.button(_("Clear the class view"), on_click=_act, args=(live.clear,),
                      key="classview_clear")
    if paused:
        st.warning(_("The class is paused: every student's page says \"Eyes on the board\"."),
                   icon=":material/pan_tool:")


def spotlight(spot: Spotlight) -> None:
    """The drawing, big, with the model's answer and why; no name anywhere."""
    d = spot.drawing
    st.subheader(_("In the spotlight"))
    left, right = st.columns([1, 1], gap="large")
    with left:
        big = np.kron(d.image28, np.ones((10, 10), np.uint8))  # crisp pixels on a wall
        st.image(big, width=280, alt=_("A student's drawing, as the model sees it (28x28): "
                                       "the model reads it as a {digit}.", digit=d.digit))
    with right:
        st.metric(_("The model's answer"), str(d.digit),
                  delta=_("{percent} sure", percent=i18n.percent(float(d.proba[d.digit]))),
                  delta_color="off", delta_arrow="off")
    st.subheader(_("Why this answer"))
    if d.prepared is not None:
        explain_panel.drawing_tab(d.fit, d.image28, d.prepared)


def roster_line(s: Student, now: float, i: int) -> None:
    live = class_push.live()
    with st.container(border=True, width=230, gap="small", key=f"classview_card_{i}"):
        name = s.name or _("(no name yet)")
        st.markdown("**" + classset_panel.plain(name) + "**")
        with st.container(horizontal=True, gap="small"):
            st.badge(_(STATE_WORDS[s.state]), color=STATE_COLOURS[s.state])  # type: ignore[arg-type]
            if s.away(now):
                st.badge(_("away"), color="orange")
        if live.has_drawing(s.sid) and st.button(
                _("Spotlight"), key=f"classview_spot_{s.sid}", icon=":material/highlight:",
                help=_("Show this student's latest drawing on the projector, without the "
                       "name.")):
            try:
                live.spotlight(s.sid, class_push.who(classroom_panel.is_teacher()))
            except ClassSetError as exc:
                st.session_state[ERROR] = i18n.error_text(exc)
            st.rerun()  # the whole page: the spotlight replaces the roster


@st.fragment(run_every=ROSTER_S)
def roster() -> None:
    with frame.guard(_("The roster")):
        try:
            students = class_push.live().roster(class_push.who(classroom_panel.is_teacher()))
        except ClassSetError as exc:
            st.error(i18n.error_text(exc))
            return
        now = time.time()
        here = [s for s in students if not s.away(now)]
        st.subheader(ngettext("{n} student here", "{n} students here", len(here)))
        if not students:
            st.info(_("Nobody yet. Students open the class address (the QR code on Home); "
                      "each shows here within a few seconds."))
            return
        counts = {s: sum(1 for x in here if x.state == s) for s in live_module.STATES}
        st.caption(_("{joined} joined, {drawing} drawing, {answered} answered",
                     joined=counts[live_module.JOINED], drawing=counts[live_module.DRAWING],
                     answered=counts[live_module.ANSWERED]))
        with st.container(horizontal=True, gap="small"):
            for i, s in enumerate(students):
                roster_line(s, now, i)


with frame.guard(_("The Class view page")):
    st.title(_("Class view"))
    if not class_push.on():
        st.info(_("The class view works when DigitLab serves a class: start it with "
                  "`run.py app --class` and a class password (see the README, *A class*)."))
        frame.stop()
    if not classroom_panel.is_teacher():
        st.info(_("This page is the teacher's: it shows who is in the class and what they do. "
                  "Teacher: give the class password."), icon=":material/lock:")
        classroom_panel.teacher_unlock(_("Open the class view"))
        frame.stop()
    if said := st.session_state.pop(ERROR, None):
        st.error(said)
    live = class_push.live()
    try:
        paused, spot = live.paused(), live.spotlit(class_push.who(True))
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
        frame.stop()
    controls(paused, spot)
    if spot is not None:
        spotlight(spot)
    else:
        roster()
