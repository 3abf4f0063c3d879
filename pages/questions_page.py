"""Questions: predict, then reveal. The teacher poses one of the lesson's questions, their own,
or an exit ticket; each student locks in an answer before seeing their result; the teacher
reveals the class's answers as a histogram beside the true one and downloads them as CSV.

In class mode only (a class password set: pages/shared/nav.py lists the page then). Only the
teacher's unlocked session poses, reveals, ends and exports; the library refuses anyone else
(digitlab.classroom.questions), and a student's page shows only their own answers and, once
revealed, the class's counts without names.
"""

import streamlit as st

from digitlab.classroom import publish as classroom
from digitlab.classroom.classset import ClassSetError
from pages.panels import classroom_panel, question_panel, questions_panel
from pages.shared import frame, i18n, state
from pages.shared.i18n import _

with frame.guard(_("The Questions page")):
    st.title(_("Questions"))
    board = questions_panel.board()
    questions_panel.show_later()
    if not classroom.publishing_enabled():
        st.info(_("Questions are for a class: start DigitLab with a class password (`python3 "
                  "run.py app --class`, see the README, *A class*)."))
        frame.stop()
    try:
        if not classroom_panel.is_teacher():
            with st.expander(_("Teacher")):
                classroom_panel.teacher_unlock()
            questions_panel.student(board)
            frame.stop()
        question_panel.posed_note()
        questions_panel.teacher_live()
        st.subheader(_("Pose a question"))
        lesson, own, ticket, past = st.tabs([_("Lesson questions"), _("Your own question"),
                                             _("Exit ticket"), _("Earlier questions")])
        with own:
            question_panel.own_tab()
        with ticket:
            question_panel.ticket_tab()
        with past:
            questions_panel.past(board)
        with lesson:
            ds = frame.need_data(state.dataset())
            question_panel.lesson_tab(ds, frame.need_model(ds, state.trained()))
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
