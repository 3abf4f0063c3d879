"""The Questions page (class mode): the teacher poses their own question, a lesson question
(its key measured by a real fit) and an exit ticket; students give a name, lock in one answer
and see their result only then; the teacher reveals a histogram beside the true answer and
exports a graded CSV; and what a student is refused: no teacher controls, no other's answer, no
class counts before the reveal, a callback from a session that lost its unlock, the page
outside class mode."""

from __future__ import annotations

import csv
import io
import json

import pytest

from digitlab.classroom import privacy
from digitlab.classroom import publish as classroom
from digitlab.classroom.questions import Questions
from pages.panels import classroom_panel, privacy_panel, question_panel, questions_panel
from pages.shared import nav, state

from .page_utils import button, labels, open_app

PASSWORD = "maple-42"


@pytest.fixture
def board(store) -> Questions:
    return Questions(store.path)


@pytest.fixture(autouse=True)
def class_mode(monkeypatch, store):
    monkeypatch.setenv(classroom.PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(privacy.COLLECT_ENV, raising=False)
    privacy_panel.collection.clear()
    state.class_model().withdraw()
    yield
    privacy_panel.collection.clear()




def text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def teacher(small_model):
    at = open_app("questions", {state.TRAINED: small_model})
    at.text_input[0].input(PASSWORD)
    button(at, "Unlock publishing").click().run()
    assert not at.exception
    assert "Reveal the answers" not in labels(at) and "Pose it now" in labels(at)
    return at


def student(name: str | None = "Ana"):
    at = open_app("questions")
    if name is not None and at.get("text_input"):
        at.text_input[-1].input(name)
        button(at, "Join").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def pose_own(at, question: str, choices: str, key: str):
    at.text_area(key="own_text").input(question).run()
    at.text_area(key="own_choices").input(choices).run()
    at.selectbox(key="own_choice_key").set_value(key).run()
    at.button(key="pose_own").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def test_a_question_round_pose_answer_once_reveal_export(small_model, board):
    ana = student(None)
    assert "No question right now" in text(ana)
    t = teacher(small_model)
    pose_own(t, "Which solver is fastest here?", "sag\ndigitlab-fast\nlbfgs", "digitlab-fast")
    live = board.current()
    assert live is not None and live.questions[0].question.key == "digitlab-fast"
    assert "Reveal the answers" in labels(t)
    ana = student("Ana")
    qid = live.questions[0].id
    assert "Lock in my answer" in labels(ana)
    assert "Right!" not in text(ana) and "the answer is" not in text(ana)  # hidden until locked
    ana.radio(key=f"answer_{qid}").set_value("digitlab-fast")
    button(ana, "Lock in my answer").click().run()
    assert "Right! The answer is digitlab-fast" in text(ana)
    assert "Lock in my answer" not in labels(ana)  # locked: no second answer
    assert "The class's answers show here when the teacher reveals them" in text(ana)
    assert not charts(ana)
    ben = student("Ben")
    ben.radio(key=f"answer_{qid}").set_value("sag")
    button(ben, "Lock in my answer").click().run()
    assert "Not this time: the answer is digitlab-fast" in text(ben)
    assert "digitlab-fast**" not in text(ben).split("Your answer, locked in")[0]
    button(t.run(), "Reveal the answers").click().run()
    (spec,) = charts(t)  # the counts, in the chart's alternative text
    assert spec["description"] == ("The class's answers: sag: 1, digitlab-fast: 1, lbfgs: 0. "
                                   "The true answer: digitlab-fast.")
    assert t.metric[-1].value == "digitlab-fast"
    ana.run()  # what the poll's rerun does
    (seen,) = charts(ana)
    assert seen["description"] == spec["description"] and "Ben" not in json.dumps(seen)
    rows = list(csv.reader(io.StringIO(board.export_csv(live.id, questions_panel.TEACHER))))
    assert {r[0]: r[2] for r in rows[1:]} == {"Ana": "yes", "Ben": "no"}


def test_a_reveal_of_thirty_answers_shows_their_histogram_and_only_then(small_model, board):
    """The teacher's live panel (a fragment: Reveal and End rerun it alone, in a browser)
    holds a hidden chart while answers come in, so the histogram's code is loaded before the
    reveal; no chart on the teacher's page (the projector) shows the class's answers before
    the reveal, the histogram of all thirty shows after it, and the count stays."""
    from digitlab.classroom.classset import Who
    from pages.shared import warmup

    t = teacher(small_model)
    pose_own(t, "Pick one", "a\nb\nc", "a")
    live = board.current()
    qid = live.questions[0].id
    for i in range(30):
        board.answer(live.id, {qid: "ab"[i % 3 == 0]}, Who(f"student-{i:02d}"), f"S{i:02d}")
    t.run()
    assert [c.get("description") for c in charts(t)] == ["·"]  # the chart type, no answers
    assert any(f".st-key-{warmup.CHART}" in h.proto.body and "display: none" in h.proto.body
               for h in t.get("html"))
    assert [m.value for m in t.metric if m.label == "Answered"] == ["30"]
    button(t, "Reveal the answers").click().run()
    assert not t.exception and not t.error, [e.value for e in t.error]
    (spec,) = charts(t)  # the histogram alone: the hidden chart went with the open question
    assert spec["description"] == ("The class's answers: a: 20, b: 10, c: 0. "
                                   "The true answer: a.")
    assert [m.value for m in t.metric if m.label == "Answered"] == ["30"]
    assert "Reveal the answers" not in labels(t) and "End it" in labels(t)
    assert "Pose it now" in labels(t)  # the page under the live panel is still there
    assert board.current().revealed
    button(t, "End it").click().run()
    assert not charts(t) and "No question is on the students' screens" in text(t)


def test_a_lesson_question_takes_its_key_from_a_real_fit(small_model, board):
    t = teacher(small_model)
    t.selectbox(key="pose_c").set_value(0.01)
    t.number_input(key="pose_tolerance").set_value(3.0)
    t.button(key="pose_accuracy").click().run()
    assert not t.exception, [e.message for e in t.exception]
    q = board.current().questions[0].question
    assert q.said() == "Test accuracy at C = 0.01, in percent?" and q.tolerance == 3.0
    assert 10 < q.key_number < 100 and "C=0.01" in q.args["model"]


def test_the_drawing_question_is_answered_by_the_class_model(small_model, board):
    t = teacher(small_model)
    t.number_input(key=question_panel.INDEX).set_value(7).run()
    t.button(key="pose_drawing").click().run()
    q = board.current().questions[0].question
    answer = int(small_model.evaluation.yhat[7])
    assert q.key == str(answer) and q.image28.shape == (784,)
    ana = student("Ana")
    assert ana.get("imgs") or ana.get("image")  # the drawing is on the student's page
    wrong = str((answer + 1) % 10)
    ana.radio(key=f"answer_{board.current().questions[0].id}").set_value(wrong)
    button(ana, "Lock in my answer").click().run()
    assert f"the answer is {answer}" in text(ana) and "the model (" in text(ana)


def test_an_exit_ticket_is_answered_whole_and_downloads_as_csv(small_model, board):
    t = teacher(small_model)
    button(t, "Pose the exit ticket").click().run()
    live = board.current()
    assert live.ticket and len(live.questions) == 3 and not t.error, [e.value for e in t.error]
    ana = student("Ana")
    c, weights, sure = (p.id for p in live.questions)
    ana.radio(key=f"answer_{c}").set_value("less")
    ana.text_input(key=f"answer_{weights}").input("784")
    button(ana, "Lock in my answer").click().run()
    assert "Answer question 3 before locking in" in ana.error[0].value  # nothing half-stored
    ana.text_input(key=f"answer_{sure}").input("inf")
    button(ana, "Lock in my answer").click().run()
    assert "too large" in ana.error[0].value and board.count(live.id) == 0
    ana.text_input(key=f"answer_{sure}").input("4")
    button(ana, "Lock in my answer").click().run()
    assert board.count(live.id) == 1 and text(ana).count("Right!") == 2
    downloads = [e.proto.label for e in t.run().get("download_button")]
    assert downloads == ["Answers (CSV)", "CSV"] and not t.error  # live, and in Earlier
    rows = list(csv.reader(io.StringIO(board.export_csv(live.id, questions_panel.TEACHER))))
    assert rows[1][0] == "Ana" and rows[1][-2:] == ["2", "2"]


def test_a_student_sees_no_teacher_control_and_no_one_elses_answer(small_model, board):
    t = teacher(small_model)
    pose_own(t, "Pick one", "a\nb", "a")
    ana = student("Ana")
    for control in ("Reveal the answers", "End it", "Pose it now", "Pose the exit ticket"):
        assert control not in labels(ana)
    assert not ana.get("download_button") and not charts(ana)
    ana.radio(key=f"answer_{board.current().questions[0].id}").set_value("a")
    button(ana, "Lock in my answer").click().run()
    ben = student("Ben")
    assert "Ana" not in text(ben) and "Right!" not in text(ben)  # not Ana's answer, nor its key
    assert "Answered" not in [m.label for m in ben.metric]


def test_a_wrong_password_unlocks_nothing(board):
    at = open_app("questions")
    at.text_input[0].input("not-it")
    button(at, "Unlock publishing").click().run()
    assert "That is not the class password." in text(at)
    assert "Pose it now" not in labels(at)


def test_a_callback_from_a_session_that_lost_its_unlock_is_refused(small_model, board):
    t = teacher(small_model)
    pose_own(t, "Pick one", "a\nb", "a")
    for control, refusal in (("Reveal the answers", "Only the teacher can reveal the answers."),
                             ("End it", "Only the teacher can end a question.")):
        t.session_state[classroom_panel.TEACHER] = True
        t.run()
        t.session_state[classroom_panel.TEACHER] = False  # the unlock is gone; the button shows
        button(t, control).click().run()
        assert refusal in text(t)
        assert board.current().state == "open"  # nothing changed


def test_outside_class_mode_the_page_is_not_listed(monkeypatch):
    monkeypatch.delenv(classroom.PASSWORD_ENV)
    at = open_app()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(nav.PAGES["questions"].file)


def test_a_posed_question_reaches_a_student_on_another_page_until_answered(small_model, board):
    """The class push (on every page a student has open) points at an open question: on Draw
    as on any page, until this student has locked in their answer."""
    t = teacher(small_model)
    draw = open_app("draw")
    assert "Your teacher has asked a question." not in text(draw)
    pose_own(t, "Pick one", "a\nb", "a")
    draw.run()  # what the push's timer does
    assert "Your teacher has asked a question." in text(draw)
    assert [p.proto.page for p in draw.get("page_link") if "Questions" in p.proto.label]
    draw.switch_page(nav.PAGES["questions"].file).run()
    assert "Your teacher has asked a question." not in text(draw)  # not on Questions itself
    if draw.get("text_input"):
        draw.text_input[-1].input("Ana")
        button(draw, "Join").click().run()
    draw.radio(key=f"answer_{board.current().questions[0].id}").set_value("a")
    button(draw, "Lock in my answer").click().run()
    draw.switch_page(nav.PAGES["draw"].file).run()
    assert not draw.exception and "Your teacher has asked a question." not in text(draw)


def test_a_student_answers_in_the_box_over_their_page_and_stays_there(board):
    """A student with a name answers a one-question round where they are (the push's box over
    Draw), sees their result there and closes it; the page beneath is never left. An exit
    ticket (several questions) still links to Questions."""
    from digitlab.classroom.classset import TEACHER
    from digitlab.classroom.question import choice, number
    from pages.shared import class_push

    draw = open_app("draw", {class_push.NAME: "Ana"})
    asked = board.pose([choice("Which digit?", [str(d) for d in range(10)], "7")], TEACHER)
    draw.run()  # what the push does when the page's script sees the class change
    q = asked.questions[0]
    assert "Which digit?" in text(draw) and "Answer it on Questions" not in str(
        [p.proto.label for p in draw.get("page_link")])
    button(draw, "Lock in my answer").click().run()  # nothing picked: the store says so
    assert not draw.exception and board.count(asked.id) == 0
    assert draw.error and "Lock in my answer" in labels(draw)
    draw.radio(key=f"here_{q.id}").set_value("7")
    button(draw, "Lock in my answer").click().run()
    assert not draw.exception, [e.message for e in draw.exception]
    assert "Right! The answer is 7." in text(draw)
    assert [(a.value, a.correct, a.name) for a in board.answers(asked.id, TEACHER)] == \
        [("7", True, "Ana")]
    assert nav.PAGES["draw"].title in [h.value for h in draw.title]  # still on Draw
    button(draw, "Close").click().run()
    assert "Which digit?" not in text(draw) and "Close" not in labels(draw)
    board.end(asked.id, TEACHER)

    ticket = board.pose([choice("Which digit?", ["1", "7"], "7"), number("How many?", 3)],
                        TEACHER, ticket=True)
    draw.run()
    assert "Your teacher has asked a question." in text(draw)
    assert [p.proto.page for p in draw.get("page_link") if "Questions" in p.proto.label]
    assert f"here_lock_{ticket.id}" not in [b.key for b in draw.get("button")]


def test_a_student_back_in_the_same_browser_keeps_name_card_and_answer(monkeypatch, store,
                                                                      board):
    """A reload or a second tab: the browser's cookie brings the student's lasting id back
    (pages/shared/identity.py), with it their name, their one roster card and their answer;
    a second answer from a form drawn before the first is refused with a sentence."""
    from digitlab.classroom.classset import TEACHER
    from digitlab.classroom.live import Live
    from digitlab.classroom.question import choice
    from pages.shared import identity

    browser = {identity.COOKIE: "0123456789abcdef" * 2}  # what Streamlit reads from a request
    monkeypatch.setattr(identity, "cookies", lambda: browser)
    posed = board.pose([choice("Which digit?", [str(d) for d in range(10)], "7")], TEACHER)
    qid = posed.questions[0].id
    ana = student("Ana")
    other_tab = open_app("questions")  # the same browser, before Ana locks in
    assert "Answering as **Ana**" in text(other_tab) and "Lock in my answer" in labels(other_tab)
    ana.radio(key=f"answer_{qid}").set_value("7")
    button(ana, "Lock in my answer").click().run()
    assert "Right! The answer is 7" in text(ana)
    other_tab.radio(key=f"answer_{qid}").set_value("3")
    button(other_tab, "Lock in my answer").click().run()
    assert not other_tab.exception
    assert "You already answered: 7. A locked-in answer cannot change." in text(other_tab)
    reloaded = open_app("questions")
    assert "Answering as **Ana**" in text(reloaded) and "Right! The answer is 7" in text(reloaded)
    assert "Lock in my answer" not in labels(reloaded)
    assert [s.name for s in Live(store.path).roster(TEACHER)] == ["Ana"]
    assert board.count(posed.id) == 1
    assert not [e for e in reloaded.get("html") if "document.cookie" in e.proto.body]

    monkeypatch.setattr(identity, "cookies", dict)  # a browser seen for the first time
    new = open_app("questions")
    sid = new.session_state[identity.ID]
    assert sid != browser[identity.COOKIE]
    (script,) = [e for e in new.get("html") if "document.cookie" in e.proto.body]
    assert f"{identity.COOKIE}={sid};" in script.proto.body and script.proto.unsafe_allow_javascript
    assert len(Live(store.path).roster(TEACHER)) == 2
