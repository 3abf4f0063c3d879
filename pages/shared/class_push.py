"""The class, live, in every student's page (class mode only): the name a student goes by, the
roster's heartbeat, the teacher's pause and questions, pushed to the page within about a second.

How they reach a page: one small fragment (`_push`), drawn after the page (after_page says
why). The page asks the server's class address every second (pages/shared/class_signal.py:
a fetch of a few bytes, which also writes the roster's heartbeat) and runs the fragment only
when the class's state (`signal`) differs from the one it last drew; on a server without that
address (a bare `streamlit run`) the fragment runs every PUSH_S seconds instead. It reruns
only itself, never the page: it reads the pause flag (memory, no SQL: digitlab.classroom.live)
and the current question's (id, state) (one indexed read), writes a heartbeat every
HEARTBEAT_S seconds, and
- while the class is paused, draws the "Eyes on the board" screen over the page, which also
  stops the canvas (it takes no pointer input under that screen); the drawing waits beneath and
  is there again on Resume;
- on the Questions page, reruns the page when the teacher poses, reveals or ends a question;
  on any other page, links to an open question this student has not answered.
Outside class mode, and for the teacher, nothing runs at all.
What it costs the server: benchmarks/class_push.py.
"""

from __future__ import annotations

import contextlib
import functools
import html
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from digitlab.classroom import live as live_module
from digitlab.classroom import publish as classroom
from digitlab.classroom.classdb import ClassSetError, default_path
from digitlab.classroom.classset import MAX_TEXT, TEACHER, Who
from digitlab.classroom.live import Drawing, Live
from digitlab.classroom.questions import OPEN, Questions
from pages.shared import class_signal, identity, nav
from pages.shared.i18n import _

# The Questions page's answer, in the push's box: (round id, a box to draw in) -> drawn or not
AnswerHere = Callable[[int, Callable[[], Any]], bool]
PUSH_S = 1.0  # how often a student's page asks: a pause or a question shows in ~1 s + network
HEARTBEAT_S = 5.0  # how often a page writes "still here" (live.AWAY_S counts a student away)
NAME = "class_name"  # session state: the name this student typed
ANSWERED_ROUND = "class_answered_round"  # session state: the question round they answered
CHECKED_ROUND = "class_checked_round"  # session state: the round whose stored answers were read
QUESTIONS_PAGE = "questions"  # the page a posed question is answered on
QUESTION_SEEN = "class_question_seen"  # session state: the round (id, state) Questions drew
SEATED = "class_seated"  # session state: this session is on the roster (a student's)
BEAT = "class_beat"  # session state: time.monotonic() of the last heartbeat written
FORM = "class_join"
NAME_FIELD = "class_name_field"  # session state: the name field's text
NAME_MISSING = "class_name_missing"  # session state: Join was pressed with no name typed
JOIN_BOX = "class_join_box"  # the container the name field is drawn in, after the page
QUESTION_LINK = "class_question_link"  # the push's box: an open question, after the page
CLOSED_ROUND = "class_closed_round"  # session state: the round whose box this student closed
DRAWN = "class_drawn"  # the push's marker: the class's state (signal()) it last drew
POKE = "class_poke"  # the push's hidden button: the page's script clicks it on a change
# The name field is shown above the page: first in its column, clear of the app's header. The
# link to a question floats at the foot of the screen, over the page, moving nothing: shown in
# the page's flow above it, it pushed the canvas down in the middle of a stroke whenever the
# teacher posed a question (benchmarks/load.py: every drawing read wrong in two runs, 3 and 4,
# came as the question did, a 0 cut in two where the canvas had moved under the pointer). Its
# colours are its own, so that it reads the same over any page.
_TOP = "[data-testid=stMainBlockContainer] > [data-testid=stVerticalBlock] > "
AFTER_PAGE_CSS = (
    f"<style>{_TOP}:has(.st-key-{JOIN_BOX}) {{order: -1}}"
    f" .st-key-{JOIN_BOX} {{margin-top: 1.6rem}}"
    f" .st-key-{QUESTION_LINK} {{position: fixed; bottom: 1rem; right: 1rem; z-index: 999990;"
    " width: min(24rem, calc(100vw - 2rem)); max-height: calc(100vh - 5rem); overflow-y: auto;"
    " background: #ffffff; border: 2px solid #1f1d1b;"
    " box-shadow: 0 4px 18px #0000004d; padding: 0.75rem 1rem;}"
    f" .st-key-{QUESTION_LINK} * {{color: #1f1d1b !important}}"
    f" .st-key-{POKE}, .st-key-{DRAWN} {{display: none}}</style>")
# Where a student is asked their name: the pages the class address and the QR code open (Home
# is "" when it is the address's root). Not over the Train and Class set pages' own fields,
# where the teacher gives the password.
NAME_PAGES = ("", "home", classroom.STUDENTS_PAGE)

# The pause screen: over everything, the canvas included (no pointer reaches it).
PAUSE_CSS = """<style>
.dl-pause { position: fixed; inset: 0; z-index: 1000100; background: #0e1117f2; color: #fff;
  display: flex; flex-direction: column; align-items: center; justify-content: center;
  text-align: center; padding: 2rem; }
.dl-pause h2 { color: #fff; font-size: 2.6rem; margin: 0 0 1rem 0; }
.dl-pause p { color: #fff; font-size: 1.3rem; max-width: 32rem; }
canvas { pointer-events: none !important; }
</style>"""


@functools.lru_cache(maxsize=4)
def _live(path: str) -> Live:
    """One per class database file for the whole server, sessions and the class address alike
    (a plain cache, not Streamlit's: the address's requests are no script run). Safe to share:
    Live keeps its own lock, opens a connection per call, and holds only frozen drawings."""
    return Live(path)


def live() -> Live:
    return _live(str(default_path()))


def on() -> bool:
    """Class mode: the server has a class password (run.py app --class)."""
    return classroom.publishing_enabled()


def who(teacher: bool) -> Who:
    """Who this session is to the live class."""
    return TEACHER if teacher else Who(author=identity.student_id())


def frame(teacher: bool, page: str = "") -> None:
    """On every page (app.py), before it runs: a student's seat on the roster (the name field
    and the push come after the page: after_page). The teacher's session leaves the roster."""
    if not on():
        return
    try:
        if teacher:
            if st.session_state.pop(SEATED, False):
                live().leave(identity.student_id())
            return
        identity.remember()  # the browser keeps this student's id (a reload, a restart)
        if not st.session_state.get(SEATED):
            sid = identity.student_id()
            live().join(sid)
            if not st.session_state.get(NAME):  # a reload: the name they gave is theirs still
                if name := live().name_of(sid):
                    st.session_state[NAME] = name
            st.session_state[SEATED] = True
            st.session_state[BEAT] = time.monotonic()
    except ClassSetError:
        return  # the class database is unusable: the page itself still works
    # a whole run draws the page afresh: the Questions page says again what it draws before
    # the push (after the page) compares; a page that fails before saying it leaves no stale
    # round behind, which would rerun the app every second
    st.session_state.pop(QUESTION_SEEN, None)


def after_page(teacher: bool, page: str = "", answer_here: AnswerHere | None = None) -> None:
    """After the page (app.py): a student's name field until they have given one, on the pages
    students land on (NAME_PAGES), and the push; both shown above the page when they show.

    They come after the page in Streamlit's tree so that nothing they do moves the page's
    elements. Drawn before it, the field's going changed the place of every element under it,
    and a full run that met one of the push's runs (every second) could lose the element after
    it: either way Streamlit drew the Draw page's canvas afresh, and for the next seconds (3.7 s
    with a class coming in on 2 cores) the new canvas stood where no pointer reached it, so a
    first stroke after joining was lost (benchmarks/load.py). Join is the button's callback:
    the page is then drawn once, without the field, in the same run."""
    if teacher or not on() or not st.session_state.get(SEATED):  # not seated: no database
        return
    st.html(AFTER_PAGE_CSS)  # style only
    if page in NAME_PAGES and not st.session_state.get(NAME):
        with st.container(key=JOIN_BOX):
            ask()
    if class_signal.served():  # the page asks the class address, and runs the push on a change
        st.html(class_signal.script(identity.student_id(), DRAWN, POKE),
                unsafe_allow_javascript=True)
        _push_on_change(page, answer_here)
    else:
        _push_every_second(page, answer_here)


def ask() -> None:
    with st.form(FORM, border=True, enter_to_submit=True):
        st.text_input(_("Your name for this class"), max_chars=MAX_TEXT, key=NAME_FIELD,
                      placeholder=_("A first name or a nickname"),
                      help=_("Only your teacher sees it, beside what you do."))
        st.form_submit_button(_("Join the class"), icon=":material/login:", on_click=join)
        if st.session_state.get(NAME_MISSING):
            st.warning(_("Type a name first."))


def join() -> None:
    """The Join button: the name typed, its spaces tidied, or a word that one is needed."""
    name = " ".join(str(st.session_state.get(NAME_FIELD) or "").split())
    st.session_state[NAME_MISSING] = not name
    if name:
        named(name)


def named(name: str) -> None:
    """This student goes by `name` (the roster shows it; the Questions page answers with it)."""
    st.session_state[NAME] = name
    with contextlib.suppress(ClassSetError):
        live().join(identity.student_id(), name)


@functools.lru_cache(maxsize=4)
def questions_board(path: str) -> Questions:
    """One per class database file for the whole server (it holds no connection): the push's,
    the class address's and the Questions page's."""
    return Questions(path)


_beats: dict[str, float] = {}  # student id -> time.monotonic() of the class address's last beat
_beats_lock = threading.Lock()


def class_state() -> tuple[bool, tuple[int, str] | None]:
    """The class as a student's page follows it: paused or not, and the current question's
    (id, state) (memory and one indexed read). May raise ClassSetError."""
    return live().paused(), questions_board(str(default_path())).version()


def state_words(state: tuple[bool, tuple[int, str] | None]) -> str:
    """class_state() in a few characters, as the class address answers and the push draws."""
    paused, asked = state
    return f"{int(paused)}:{'' if asked is None else f'{asked[0]}:{asked[1]}'}"


def signal(sid: str) -> str:
    """The class address's answer to a student's page (pages/shared/class_signal.py): the
    class's state, and the student's heartbeat every HEARTBEAT_S. Outside class mode, or with
    an unusable class database, an empty answer (the page then runs nothing)."""
    if not on():
        return ""
    try:
        if sid:
            now = time.monotonic()
            with _beats_lock:
                due = now - _beats.get(sid, 0.0) >= HEARTBEAT_S
                if due:
                    if len(_beats) > 10 * live_module.MAX_STUDENTS:  # ids nobody sends now
                        _beats.clear()
                    _beats[sid] = now
            if due:
                live().heartbeat(sid)  # an unknown id changes no row
        return state_words(class_state())
    except ClassSetError:
        return ""


def question_seen(seen: tuple[int, str] | None) -> None:
    """The Questions page drew this round's (id, state) (None: no question): the push reruns
    the page when the teacher changes it."""
    st.session_state[QUESTION_SEEN] = seen


def answered(round_id: int) -> None:
    """The Questions page: this student locked in their answer to round `round_id` (the
    roster says answered; the push stops pointing at the question)."""
    st.session_state[ANSWERED_ROUND] = int(round_id)
    mark(ANSWERED)


def _push(page: str = "", answer_here: AnswerHere | None = None) -> None:
    """A student's page, when the class changed (or every PUSH_S seconds): the heartbeat, the
    pause screen, and a box over the page with the question the teacher has posed, answered
    there (`answer_here`: pages/panels/questions_panel.py, given by app.py), or a link to it on
    Questions where it must be answered there (an exit ticket, no name yet), until this student
    has answered it (and closed their result)."""
    try:
        now = time.monotonic()
        if now - st.session_state.get(BEAT, 0.0) >= HEARTBEAT_S:
            st.session_state[BEAT] = now
            live().heartbeat(identity.student_id())
        paused, asked = state = class_state()
    except ClassSetError:
        return
    if class_signal.served():  # what this run draws, for the page's script to compare
        with st.container(key=DRAWN):
            st.html(f'<span data-state="{html.escape(state_words(state))}"></span>')
        st.button(_("Check the class"), key=POKE)  # hidden; the page's script clicks it
    if page == QUESTIONS_PAGE:  # the question on screen: drawn again when the teacher poses,
        if QUESTION_SEEN in st.session_state and asked != st.session_state[QUESTION_SEEN]:
            st.rerun(scope="app")  # reveals or ends (what the page last drew is now stale)
    elif asked is not None and asked[1] == OPEN and st.session_state.get(CLOSED_ROUND) != asked[0]:
        box = functools.partial(st.container, border=True, key=QUESTION_LINK)
        if answer_here is not None and answer_here(asked[0], box):
            pass  # answered here, or the result shown
        elif not answered_before(asked[0]):
            _link_to_questions(box)
    if paused:

        st.html(PAUSE_CSS + '<div class="dl-pause" role="alertdialog" aria-modal="true" '
                'aria-labelledby="dl-pause-title"><h2 id="dl-pause-title">'
                + html.escape(_("Eyes on the board")) + "</h2><p>"
                + html.escape(_("Your teacher has paused the class. Your page comes back when "
                                "they resume.")) + "</p></div>")


def _link_to_questions(box) -> None:
    with box():
        st.markdown("**" + _("Your teacher has asked a question.") + "**")
        st.page_link(nav.PAGES[QUESTIONS_PAGE].file, label=_("Answer it on Questions"),
                     icon=":material/quiz:")


def done_with(round_id: int) -> None:
    """The Close button under a student's result in the box: the box goes for this round."""
    st.session_state[CLOSED_ROUND] = int(round_id)


_push_every_second = st.fragment(run_every=PUSH_S)(_push)
_push_on_change = st.fragment(_push)


def answered_before(round_id: int) -> bool:
    """Whether this student locked in an answer to the round: in this session, or in an
    earlier one of the same browser (a reload; read from the file once per round)."""
    if st.session_state.get(ANSWERED_ROUND) == round_id:
        return True
    if st.session_state.get(CHECKED_ROUND) != round_id:
        st.session_state[CHECKED_ROUND] = round_id
        with contextlib.suppress(ClassSetError):  # unreadable now: the link shows, as before
            if questions_board(str(default_path())).mine(round_id, who(False)):
                st.session_state[ANSWERED_ROUND] = round_id
                return True
    return False


def drew(fit, prepared, digit: int, proba: np.ndarray) -> None:
    """The Draw page read a student's drawing: it is their latest (for the spotlight) and
    they are drawing. Nothing outside class mode or for the teacher."""
    if not (on() and st.session_state.get(SEATED)):
        return
    drawing = Drawing(np.asarray(prepared.image28, np.uint8).reshape(28, 28), int(digit),
                      np.asarray(proba, float), fit, prepared, time.time())
    with contextlib.suppress(ClassSetError):
        live().drew(identity.student_id(), drawing)


def mark(state_name: str) -> None:
    """The hook for other pages: this student is now `state_name` (live.ANSWERED when a
    question's answer is locked in)."""
    if on() and st.session_state.get(SEATED):
        with contextlib.suppress(ClassSetError):
            live().mark(identity.student_id(), state_name)


ANSWERED = live_module.ANSWERED
