"""The class's questions in the app (digitlab.classroom.questions): the server's one board, the
student's side (their name, the question on screen, an answer locked in once, then their own
result; after the reveal, the class's answers) and the teacher's (how many answered, Reveal,
End, the class's answers beside the true one, the answers as CSV).

A student's page learns of a new question, or of the reveal, from the class push
(pages/shared/class_push.py, every second on every student page): it reads the current round's
(id, state) from the file (one indexed read of a few bytes) and reruns the page when it is not
the one the page drew. The teacher's answer count refreshes every POLL_S seconds until
the reveal (which closes the answers).
"""

from __future__ import annotations

import time

import streamlit as st

from digitlab.classroom import classset
from digitlab.classroom.classset import TEACHER, ClassSetError, Who
from digitlab.classroom.question import CHOICE, LARGEST, Question
from digitlab.classroom.questions import Questions, Round, Tally
from digitlab.plots import charts as plots
from pages.panels import classroom_panel, classset_panel
from pages.shared import class_push, figures, i18n, nav, warmup
from pages.shared.i18n import _

POLL_S = 1.5  # the teacher's answer count refreshes this often
NAME = "class_name"  # session state: the name (a pseudonym) this student answers with
LATER = "questions_error"  # a refusal from a callback, said by the next run
LOCKED_HERE = "questions_locked_here"  # session state: the round this session locked in
IN_BOX = "questions_in_box"  # session state: the round this session answered in the push's box


def board() -> Questions:
    classset_panel.store()  # first: the retention (old drawings and answers go at start-up)
    return class_push.questions_board(str(classset.default_path()))


def who() -> Who:
    """The teacher's unlocked session, else this student's session (its author id, the one
    its saved drawings carry). Asked again in every callback."""
    return TEACHER if classroom_panel.is_teacher() else Who(classset_panel.author())


def student_name() -> str:
    """The name this student answers with, asked once per session (a pseudonym is enough);
    '' until they give one. The one place that knows where the name lives: the class view's
    roster can take it over by changing this function."""
    name = st.session_state.get(NAME, "")
    if name:
        return name
    with st.form("questions_name", border=True):
        given = st.text_input(_("Your name or nickname"), max_chars=classset.MAX_TEXT,
                              help=_("The teacher sees it beside your answers; a nickname is "
                                     "enough."))
        if st.form_submit_button(_("Join"), icon=":material/login:"):
            name = classset.clean_text(given)
            if name:
                st.session_state[NAME] = name
                class_push.named(name)  # the Class view's roster shows the same name
                st.rerun()
            st.error(_("Type a name or a nickname first."))
    return ""


def said_later(call, *args) -> None:
    """Run a store call from a callback; keep a refusal's sentence for the page to show."""
    try:
        call(*args)
    except ClassSetError as exc:
        st.session_state[LATER] = i18n.error_text(exc)


def show_later() -> None:
    if error := st.session_state.pop(LATER, None):
        st.error(error)


# --- what a question shows ---------------------------------------------------------------------


def prompt(q: Question, size: int = 196) -> None:
    """The question (and its drawing), as both sides see it."""
    st.markdown(f"#### {q.said(_)}")
    if q.image28 is not None:
        st.image(plots.enlarge(q.image28.reshape(28, 28), size), width=size,
                 alt=_("The drawing the question asks about: a handwritten digit."))


def key_text(q: Question) -> str:
    if q.key is None:
        return _("none (every answer counts)")
    if q.kind == CHOICE:
        return q.shown(q.key, _)
    key = i18n.fmt(float(q.key), "g")
    if not q.tolerance:
        return key
    return _("{key} (within ±{tolerance} counts as right)", key=key,
             tolerance=i18n.fmt(q.tolerance, "g"))


def facts(q: Question) -> None:
    """What a built-in question's answer came from, said once the student may know it."""
    if q.builtin == "drawing":
        st.caption(_("The digit is a {label}; the model ({model}) answers {answer}.",
                     label=q.args.get("label"), model=q.args.get("model"), answer=q.key))
    elif q.builtin == "best_c":
        st.caption(_("Test accuracy at each C: {list}.", list=", ".join(
            f"C = {c}: {i18n.fmt(a, '.1%')}" for c, a in q.args.get("accuracies", {}).items())))
    if q.builtin in ("best_c", "accuracy_at") and q.args.get("model"):
        st.caption(_("Measured with these settings: {model}.", model=q.args["model"]))


def result(q: Question, given, mine: bool = True) -> None:
    """A student's own result, once their answer is locked in."""
    st.markdown(_("Your answer, locked in: **{answer}**", answer=q.shown(given.value, _)))
    if given.correct is None:
        st.info(_("This question has no single right answer: thank you."),
                icon=":material/check_circle:")
    elif given.correct:
        st.success(_("Right! The answer is {key}.", key=key_text(q)), icon=":material/celebration:")
    else:
        st.warning(_("Not this time: the answer is {key}.", key=key_text(q)),
                   icon=":material/lightbulb:")
    facts(q)


def tally_chart(t: Tally) -> None:
    """The class's answers as a histogram beside the true answer."""
    q = t.question.question
    left, right = st.columns([3, 1], vertical_alignment="center")
    with right:
        st.metric(_("True answer"), key_text(q) if q.key is not None else _("none"))
        st.caption(i18n.ngettext("{n} answer", "{n} answers", t.n))
    if t.n == 0:
        left.info(_("Nobody answered this question."))
        return
    axis = {"labelFontSize": 14, "titleFontSize": 14}
    count = {"axis": {**axis, "title": _("students"), "tickMinStep": 1, "format": "d"}}
    if q.kind == CHOICE:
        rows = [{"answer": q.shown(c, _), "n": n, "key": c == q.key} for c, n in t.counts.items()]
        said = ", ".join(f"{r['answer']}: {r['n']}" for r in rows)
        spec = {"data": {"values": rows}, "height": 240,
                "encoding": {"x": {"field": "answer", "type": "nominal", "sort": None,
                                   "axis": {**axis, "labelAngle": 0, "title": _("answer")}},
                             "y": {"field": "n", "type": "quantitative", **count}},
                "layer": [{"mark": "bar", "encoding": {"color": {
                    "condition": {"test": "datum.key", "value": plots.RIGHT},
                    "value": plots.NEUTRAL}}},
                    {"mark": {"type": "text", "dy": -9, "fontSize": 14},
                     "encoding": {"text": {"field": "n"}}}]}
    else:
        said = ", ".join(i18n.fmt(v, "g") for v in t.values)
        x = {"field": "value", "type": "quantitative", "title": _("answer"), "axis": axis}
        layers = [{"data": {"values": [{"value": v} for v in t.values]},
                   "mark": {"type": "bar", "color": plots.NEUTRAL},
                   "encoding": {"x": {**x, "bin": {"maxbins": 20}},
                                "y": {"aggregate": "count", "type": "quantitative", **count}}}]
        if q.key is not None:
            k, tol = float(q.key), q.tolerance
            layers.append({"data": {"values": [{"value": k - tol, "high": k + tol}]},
                           "mark": {"type": "rect", "color": plots.RIGHT, "opacity": 0.18},
                           "encoding": {"x": x, "x2": {"field": "high"}}})
            layers.append({"data": {"values": [{"value": k}]},
                           "mark": {"type": "rule", "color": plots.RIGHT, "strokeWidth": 3},
                           "encoding": {"x": x}})
        spec = {"height": 240, "layer": layers}
    spec["description"] = _("The class's answers: {said}. The true answer: {key}.", said=said,
                            key=key_text(q))
    with left:
        st.vega_lite_chart(figures.vega(spec), width="stretch")


# --- the student's side ------------------------------------------------------------------------


def bounds(q: Question) -> str | None:
    """"from 1 to 5" for a number question with sensible bounds (not "up to a billion")."""
    if q.low is None or q.high is None or q.high >= LARGEST:
        return None
    return _("from {low} to {high}", low=i18n.fmt(q.low, "g"), high=i18n.fmt(q.high, "g"))


def answer_field(q: Question, key: str) -> None:
    """Where a student gives their answer to `q`: its choices, or a number."""
    if q.kind == CHOICE:
        st.radio(_("Your answer"), q.choices, index=None, horizontal=True, key=key,
                 format_func=lambda c: q.shown(c, _))
    else:
        st.text_input(_("Your answer (a number)"), key=key, max_chars=40,
                      placeholder=bounds(q))


def _answer_form(live: Round, name: str) -> None:
    with st.form(f"answer_{live.id}", border=True):
        for i, p in enumerate(live.questions, 1):
            q = p.question
            if len(live.questions) > 1:
                st.caption(_("Question {i} of {n}", i=i, n=len(live.questions)))
            prompt(q)
            answer_field(q, f"answer_{p.id}")
        locked = st.form_submit_button(_("Lock in my answer"), type="primary",
                                       icon=":material/lock:", key=f"lock_{live.id}")
    if locked and _lock_in(live, name):
        st.session_state[LOCKED_HERE] = live.id
        class_push.answered(live.id)  # the roster says answered; the push stops asking
        st.rerun()


def _lock_in(live: Round, name: str) -> bool:
    """This student's answers in the form, stored (True), or the store's refusal said."""
    values = {p.id: st.session_state.get(f"answer_{p.id}") for p in live.questions}
    try:
        board().answer(live.id, values, who(), name)
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
        return False
    return True


def student(store: Questions) -> None:
    """The question on screen for a student: answer, lock in, see their result, then the
    class's answers once the teacher reveals them."""
    live = store.current()
    seen = None if live is None else (live.id, live.state)
    class_push.question_seen(seen)  # the push reruns the page when the teacher changes it
    if live is None:
        st.info(_("No question right now. When the teacher asks one, it shows here by itself."),
                icon=":material/hourglass_empty:")
        return
    if not st.session_state.get(NAME):  # the question first, then who answers it
        for p in live.questions:
            prompt(p.question)
        st.caption(_("To answer, give your name first."))
    name = student_name()
    if not name:
        return
    st.caption(_("Answering as **{name}**", name=classset_panel.plain(name)))
    mine = store.mine(live.id, who())
    if mine and st.session_state.get(f"lock_{live.id}") and \
            st.session_state.get(LOCKED_HERE) != live.id:
        # a form drawn before this student's answer was stored (their other tab, a page from
        # before a reload): the store refuses it and says what is locked in
        _lock_in(live, name)
    if not mine and not live.revealed:
        _answer_form(live, name)
        return
    for i, p in enumerate(live.questions, 1):
        with st.container(border=True):
            if len(live.questions) > 1:
                st.caption(_("Question {i} of {n}", i=i, n=len(live.questions)))
            prompt(p.question)
            if p.id in mine:
                result(p.question, mine[p.id])
            else:
                st.caption(_("The answers are revealed: this question takes no more answers."))
    if live.revealed:
        st.subheader(_("The class's answers"))
        for t in store.tally(live.id, who()):
            if len(live.questions) > 1:
                st.markdown(f"**{t.question.question.said(_)}**")
            tally_chart(t)
    else:
        st.caption(_("The class's answers show here when the teacher reveals them."))


# --- a question answered where the student is ----------------------------------------------------


def answer_here(round_id: int, box) -> bool:
    """In the class push's box over any page but Questions (pages/shared/class_push.py): the
    open question of round `round_id` answered where the student is, then their result, so that
    a class answers without leaving its canvas (thirty pages switching to Questions and back at
    once slowed every drawing in the room: benchmarks/load.py). `box()` opens the box. False,
    with nothing drawn, where the Questions page is the place: several questions (an exit
    ticket), no name given yet, or the round no longer the open one."""
    try:
        store = board()
        live = store.current()
        if live is None or live.id != round_id or live.revealed or len(live.questions) != 1 \
                or not st.session_state.get(NAME):
            return False
        mine = store.mine(live.id, who())
    except ClassSetError:
        return False
    p = live.questions[0]
    if p.id in mine and st.session_state.get(IN_BOX) != live.id:
        return False  # answered on Questions (or before a reload): the result was seen there
    with box():
        if p.id not in mine:
            _answer_here_form(live, p)
        else:
            st.markdown("**" + p.question.said(_) + "**")
            result(p.question, mine[p.id])
            st.page_link(nav.PAGES[class_push.QUESTIONS_PAGE].file,
                         label=_("See the class's answers"), icon=":material/bar_chart:",
                         help=_("On Questions, once your teacher reveals them."))
            st.button(_("Close"), key=f"here_close_{live.id}", on_click=class_push.done_with,
                      args=(live.id,))
    return True


def _answer_here_form(live: Round, p) -> None:
    q = p.question
    with st.form(f"here_{live.id}", border=False):
        prompt(q, size=112)
        answer_field(q, f"here_{p.id}")
        st.form_submit_button(_("Lock in my answer"), type="primary", icon=":material/lock:",
                              key=f"here_lock_{live.id}", on_click=_lock_in_here,
                              args=(live.id, p.id))
    show_later()


def _lock_in_here(round_id: int, question_id: int) -> None:
    """The box's Lock in (a callback: the run it starts draws the result, in the box only when
    it is the push's own run). A refusal's sentence is said under the form."""
    try:
        board().answer(round_id, {question_id: st.session_state.get(f"here_{question_id}")},
                       who(), st.session_state.get(NAME, ""))
    except ClassSetError as exc:
        st.session_state[LATER] = i18n.error_text(exc)
        return
    st.session_state[IN_BOX] = round_id
    class_push.answered(round_id)  # the roster says answered


# --- the teacher's side ------------------------------------------------------------------------


def answered(round_id: int) -> None:
    """How many answered. Counted once per run after the reveal, which closes the answers: the
    count cannot change, and a run every POLL_S would only take the teacher's browser from
    drawing the histogram."""
    try:
        n = board().count(round_id)
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
        return
    st.metric(_("Answered"), n, help=_("How many students locked in an answer. Who answered "
                                      "what shows only in the CSV."))


_answered = st.fragment(run_every=POLL_S)(answered)  # while answers come in


def csv_button(store: Questions, live: Round, label: str, where: str) -> None:
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(live.created))
    asker, code = who(), i18n.lang()  # now: the file is made later, outside this run

    def make() -> bytes:
        # utf-8-sig: spreadsheet programs then read accents in names right
        return store.export_csv(live.id, asker, lambda t: i18n.say_in(code, t)).encode(
            "utf-8-sig")

    st.download_button(label, make,
                       file_name=f"digitlab-{'exit-ticket' if live.ticket else 'question'}-"
                                 f"{stamp}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:",
                       key=f"csv_{where}_{live.id}")


@st.fragment
def teacher_live() -> None:
    """The round on the students' screens: how many answered, Reveal, End, and the CSV; once
    revealed, the class's histogram beside the true answer.

    A fragment: Reveal and End rerun this panel alone, not the whole page. The page below it
    (the lesson tab with its model and test images, the teacher's own question, the exit
    ticket, the earlier questions) does not change when a round is revealed or ended, and
    drawing it again cost more than the histogram: a full run sent ~90 messages, the server
    0.07 CPU s and the teacher's Chromium 0.41 (the panel alone: ~20 messages, 0.02 and 0.25;
    medians of 5 Reveals of 30 answers). On 2 cores shared with a class's browsers every CPU
    second of the teacher's browser is many seconds of wall (benchmarks/load.py: Reveal ->
    histogram 5-15 s). A pose is a whole run (question_panel.pose): it changes this panel and
    the earlier questions."""
    if not classroom_panel.is_teacher():  # the unlock went (a fragment run): the whole page
        st.rerun()  # says so, with the refusal (show_later)
    show_later()  # a refusal from Reveal or End, said in the run they caused
    try:
        _live(board())
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))


def _live(store: Questions) -> None:
    live = store.current()
    if live is None:
        st.info(_("No question is on the students' screens. Pose one below."))
        return
    with st.container(border=True):
        what = _("Exit ticket") if live.ticket else _("Question")
        st.markdown(_("**{what} on the students' screens** (posed at {when})", what=what,
                      when=time.strftime("%H:%M", time.localtime(live.created))))
        for p in live.questions:
            prompt(p.question, size=140)
        # The count (a fragment that reruns by itself) comes last in its row: when a full run
        # met one of its runs, Streamlit dropped the element after it, and after the reveal
        # that was "End it" (benchmarks/load.py, twice at N = 30; as the class push, s25).
        with st.container(horizontal=True, vertical_alignment="bottom"):
            if not live.revealed:
                st.button(_("Reveal the answers"), type="primary", icon=":material/visibility:",
                          on_click=said_later, args=(_reveal, live.id),
                          help=_("Closes the answers and shows the class's answers beside the "
                                 "true one, on every student's page too."))
            st.button(_("End it"), icon=":material/stop_circle:",
                      on_click=said_later, args=(_end, live.id),
                      help=_("Takes it off the students' screens; its answers are kept."))
            csv_button(store, live, _("Answers (CSV)"), "live")
            (answered if live.revealed else _answered)(live.id)
        if live.revealed:
            for t in store.tally(live.id, who()):
                if len(live.questions) > 1:
                    st.markdown(f"**{t.question.question.said(_)}**")
                tally_chart(t)
                facts(t.question.question)
        else:
            with st.expander(_("True answer (for you; students see it when they lock in)")):
                for p in live.questions:
                    st.markdown(f"{p.question.said(_)} → **{key_text(p.question)}**")
            warmup.chart_type()  # last: the histogram comes before it in the page


def _reveal(round_id: int) -> None:
    board().reveal(round_id, who())  # who() asked again: a callback trusts no screen


def _end(round_id: int) -> None:
    board().end(round_id, who())


def past(store: Questions) -> None:
    """Earlier questions and exit tickets, each as CSV."""
    rounds = store.rounds(limit=10)
    if not rounds:
        st.caption(_("Nothing asked yet."))
        return
    for r in rounds:
        with st.container(horizontal=True, vertical_alignment="center"):
            what = _("Exit ticket") if r.ticket else _("Question")
            first = r.questions[0].question.said(_) if r.questions else ""
            st.caption(_("{when} · {what}: {first}", what=what, first=first,
                         when=time.strftime("%H:%M", time.localtime(r.created))),
                       width="stretch")
            csv_button(store, r, _("CSV"), "past")

