"""The teacher poses a question (digitlab.classroom.question): one of the lesson's ("What will
the model answer for this drawing?", "Which C gives the best test accuracy?", "Accuracy at
C = ...?"), their own (multiple choice or a number, with or without a key), or an exit ticket.

The built-in questions' true answers are measured when they are posed: the drawing's is what
the model the class uses answers (the published class model, else the teacher's own: the one
on the projector), the C questions' come from fits with the teacher's model's settings and only
C changed (through the server's store and fair queue: a fit someone did already is reused).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitlab.classroom import publish as classroom
from digitlab.classroom import question as qn
from digitlab.classroom.classset import ClassSetError
from digitlab.classroom.question import Question
from digitlab.data.mnist import Dataset
from digitlab.model.predict import predict_digit
from digitlab.training import evaluate, fitting
from digitlab.training import session as training
from digitlab.training.session import Trained
from pages.panels import questions_panel
from pages.shared import i18n, state
from pages.shared.i18n import N_, _, label

TICKET = "questions_ticket"  # the exit ticket being put together (a list of Question)
INDEX = "questions_image"  # the test image the drawing question shows
POSED = "questions_posed"  # a sentence after posing (said by the next run)
KINDS = [N_("Multiple choice"), N_("A number")]


def pose(questions: list[Question], ticket: bool = False) -> bool:
    """Put `questions` on the students' screens; False (and the reason on screen) if refused."""
    try:
        questions_panel.board().pose(questions, questions_panel.who(), ticket)
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
        return False
    st.session_state[POSED] = True
    st.rerun()
    return True


def answering(ds: Dataset, mine: Trained) -> tuple[Trained, str]:
    """The model the class's pages use: the published class model, else the teacher's own."""
    published = state.class_model().current()
    if published is not None and published.model.data_key == training.data_key(ds):
        return published.model, classroom.settings(published.model.config)
    return mine, classroom.settings(mine.config)


def accuracies(ds: Dataset, config, cs) -> dict[float, float]:
    """Test accuracy of `config` at each C in `cs` (fitted through the server's store)."""
    found = {}
    for c in cs:
        cfg = config.replace(C=float(c))
        split = state.split_for(ds, cfg)
        request = training.queue_request(cfg, len(split.y_train), state.owner(), first=True)
        fit = fitting.fit(cfg, split.X_train, split.y_train, side=split.side,
                          store=state.fit_store(),
                          turn=lambda r=request: state.fit_queue().turn(r))
        found[float(c)] = evaluate.evaluate(fit.model, split.X_test, split.y_test).accuracy
    return found


def _tricky(mistakes: np.ndarray) -> None:
    if len(mistakes):
        st.session_state[INDEX] = int(np.random.default_rng().choice(mistakes))


def lesson_tab(ds: Dataset, mine: Trained) -> None:
    model, settings = answering(ds, mine)
    split = state.split_for(ds, model.config)
    with st.container(border=True):
        st.markdown(f"**{_('What will the model answer for this drawing?')}**")
        if ds.side != 28:
            st.caption(_("This question needs MNIST's 28×28 digits."))
        else:
            mistakes = np.flatnonzero(model.evaluation.yhat != split.y_test)
            with st.container(horizontal=True, vertical_alignment="bottom"):
                i = st.number_input(_("Test image"), 0, len(split.y_test) - 1, key=INDEX,
                                    help=_("Which of the test images the class sees."))
                st.button(_("A tricky one"), icon=":material/casino:", on_click=_tricky,
                          args=(mistakes,), help=_("A test image this model gets wrong."))
            image28 = np.asarray(split.X_test[int(i)], dtype=np.uint8)
            answer, _proba = predict_digit(model.fit.model, image28)
            questions_panel.prompt(qn.model_answer(image28, answer, 0, settings), size=112)
            st.caption(_("The true answer is what the class's model ({model}) answers: **{a}** "
                         "(the digit is a {label}).", model=settings, a=answer,
                         label=int(split.y_test[int(i)])))
            if st.button(_("Pose this question"), key="pose_drawing", type="primary",
                         icon=":material/help:"):
                pose([qn.model_answer(image28, answer, int(split.y_test[int(i)]), settings)])
    settings = classroom.settings(mine.config)
    with st.container(border=True):
        st.markdown(f"**{_('Which C gives the best test accuracy?')}**")
        st.caption(_("Fits your model's settings ({settings}) at C = {cs} and poses the best as "
                     "the true answer (a few seconds per fit; fits done before are reused).",
                     settings=settings, cs=", ".join(f"{c:g}" for c in qn.CS)))
        if st.button(_("Measure and pose"), key="pose_best_c", icon=":material/help:"):
            with st.spinner(_("Fitting at each C…")):
                found = accuracies(ds, mine.config, qn.CS)
            pose([qn.best_c(found, settings)])
    with st.container(border=True):
        st.markdown(f"**{_('Test accuracy at C = {C}, in percent?', C='…')}**")
        with st.container(horizontal=True, vertical_alignment="bottom"):
            c = st.selectbox(_("C"), qn.CS, format_func=lambda v: f"{v:g}", key="pose_c")
            tol = st.number_input(_("Right within (points)"), 0.0, 50.0, 2.0, 0.5,
                                  key="pose_tolerance")
        if st.button(_("Measure and pose"), key="pose_accuracy", icon=":material/help:"):
            with st.spinner(_("Fitting at C = {C}…", C=f"{c:g}")):
                found = accuracies(ds, mine.config, [c])
            pose([qn.accuracy_at(c, found[float(c)], tol,
                                 classroom.settings(mine.config.replace(C=float(c))))])


def own_question() -> Question | None:
    """The teacher's own question from the fields on screen, or None (and why) if refused."""
    text = st.text_area(_("Your question"), key="own_text", max_chars=qn.MAX_TEXT, height=80)
    kind = st.segmented_control(_("Answered with"), KINDS, default=KINDS[0], key="own_kind",
                                format_func=label)
    try:
        if kind == KINDS[1]:
            with st.container(horizontal=True):
                key = st.text_input(_("True answer (optional)"), key="own_number_key")
                tol = st.text_input(_("Right within ±"), "0", key="own_tolerance")
            return qn.number(text, key.strip() or None, tol)
        choices = st.text_area(_("Choices, one per line"), key="own_choices", height=110)
        options = [c.strip() for c in choices.splitlines() if c.strip()]
        key = st.selectbox(_("True answer"), [None, *options], key="own_choice_key",
                           format_func=lambda c: _("none (every answer counts)") if c is None
                           else c)
        return qn.choice(text, options, key)
    except ClassSetError as exc:
        if text.strip():
            st.caption(i18n.error_text(exc))
        return None


def own_tab() -> None:
    q = own_question()
    with st.container(horizontal=True):
        if st.button(_("Pose it now"), type="primary", disabled=q is None, key="pose_own",
                     icon=":material/help:") and q is not None:
            pose([q])
        if st.button(_("Add it to the exit ticket"), disabled=q is None, key="ticket_add",
                     icon=":material/playlist_add:") and q is not None:
            ticket().append(q)
            st.toast(_("Added to the exit ticket."))


def ticket() -> list[Question]:
    return st.session_state.setdefault(TICKET, qn.exit_ticket())


def _remove(i: int) -> None:
    questions = ticket()
    if 0 <= i < len(questions):
        questions.pop(i)


def ticket_tab() -> None:
    questions = ticket()
    st.caption(_("A few questions at the end of the lesson, answered together; each one with a "
                 "key is graded (numbers within their tolerance), and the answers download as "
                 "CSV. Add your own on the tab before."))
    for i, q in enumerate(questions):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"{i + 1}. {q.said(_)}", width="stretch")
            st.button(_("Remove"), key=f"ticket_remove_{i}", type="tertiary",
                      on_click=_remove, args=(i,), icon=":material/close:")
    with st.container(horizontal=True):
        if st.button(_("Pose the exit ticket"), type="primary", key="pose_ticket",
                     disabled=not questions, icon=":material/assignment:"):
            pose(list(questions), ticket=True)
        st.button(_("Start again from the lesson's ticket"), key="ticket_reset",
                  on_click=st.session_state.pop, args=(TICKET, None))


def posed_note() -> None:
    if st.session_state.pop(POSED, None):
        st.toast(_("Posed: it is on the students' screens."), icon=":material/check_circle:")
