"""Questions, predict then reveal (digitlab.classroom.question, questions): answers are read and
graded (numbers within the stated tolerance), each student locks in once, bad input gets a
sentence, only the teacher poses, reveals, ends, exports and sees who answered what, a student
sees the class's counts only once revealed, and everything is in the class set's file (a new
instance, as after a server restart, finds the question and its answers)."""

from __future__ import annotations

import csv
import io
import math
import sqlite3

import numpy as np
import pytest

from digitlab.classroom import classdb
from digitlab.classroom import question as qn
from digitlab.classroom.classset import TEACHER, ClassSet, NotAllowed, Who
from digitlab.classroom.question import QuestionError
from digitlab.classroom.questions import ENDED, Questions

ANA, BEN, CAL = Who("ana-session"), Who("ben-session"), Who("cal-session")


@pytest.fixture
def board(tmp_path) -> Questions:
    return Questions(tmp_path / "class.sqlite3")


def accuracy(key: float = 91.2, tolerance: float = 2.0):
    return qn.number("Accuracy at C = 1?", key, tolerance, 0, 100)


def test_numbers_are_right_within_the_stated_tolerance():
    q = accuracy(91.2, 2.0)
    assert qn.grade(q, qn.read_answer(q, "89.2"))  # exactly at the edge counts
    assert qn.grade(q, qn.read_answer(q, 93.2))
    assert not qn.grade(q, qn.read_answer(q, 89.1))
    exact = qn.number("0.1 + 0.2?", 0.3, 0)
    assert qn.grade(exact, qn.read_answer(exact, 0.1 + 0.2))  # float noise is not "wrong"
    assert not qn.grade(exact, qn.read_answer(exact, 0.31))
    assert qn.grade(qn.number("Any?"), "1.0") is None  # no key: not graded


def test_numbers_are_read_as_people_write_them():
    q = accuracy()
    assert [float(qn.read_answer(q, t)) for t in ("87,5", " 87.5 % ", "87", 87)] == \
        [87.5, 87.5, 87.0, 87.0]


@pytest.mark.parametrize("bad, says", [
    (math.nan, "must be a number"), ("nan", "must be a number"), (math.inf, "too large"),
    ("-inf", "too large"), (10**400, "too large"), ("1e12", "too large"),
    ("eighty", "must be a number"), ([87], "must be a number"), (None, "must be a number"),
    (True, "must be a number"), ({"x": 1}, "must be a number"), (101, "from 0 to 100"),
    (-3, "from 0 to 100")])
def test_a_bad_number_answer_gets_a_sentence(bad, says):
    with pytest.raises(QuestionError, match=says):
        qn.read_answer(accuracy(), bad)


def test_a_choice_must_be_one_of_the_choices():
    q = qn.choice("Best C?", ["0.01", "1"], "1")
    assert qn.read_answer(q, "1") == "1" and qn.grade(q, "1") and not qn.grade(q, "0.01")
    for bad in ("10", 3.5, None, ["1"]):
        with pytest.raises(QuestionError, match="Pick one of the choices"):
            qn.read_answer(q, bad)
    assert qn.read_answer(qn.model_answer(np.zeros(784, np.uint8), 3, 5, "m"), 7) == "7"


@pytest.mark.parametrize("make, says", [
    (lambda: qn.choice("", ["a", "b"]), "Write the question"),
    (lambda: qn.choice("Q?", ["a"]), "at least two choices"),
    (lambda: qn.choice("Q?", ["a", "a"]), "different"),
    (lambda: qn.choice("Q?", ["a", "b"], "c"), "one of the choices"),
    (lambda: qn.choice("Q?", list("abcdefghijk")), "at most 10"),
    (lambda: qn.choice("x" * 400, ["a", "b"]), "under 300"),
    (lambda: qn.number("Q?", math.nan), "true answer must be a number"),
    (lambda: qn.number("Q?", 5, -1), "cannot be negative"),
    (lambda: qn.number("Q?", 5, math.inf), "tolerance is too large")])
def test_a_bad_question_gets_a_sentence(make, says):
    with pytest.raises(QuestionError, match=says):
        make()


def test_each_student_answers_once_and_sees_only_their_own(board):
    posed = board.pose([accuracy()], TEACHER)
    qid = posed.questions[0].id
    (mine,) = board.answer(posed.id, {qid: "90"}, ANA, name="Ana")
    assert mine.correct is True
    with pytest.raises(QuestionError, match=r"You already answered: 90\. "):
        board.answer(posed.id, {qid: "91.2"}, ANA, name="Ana")
    board.answer(posed.id, {qid: "50"}, BEN, name="Ben")
    assert board.mine(posed.id, ANA)[qid].value == "90.0"
    assert set(board.mine(posed.id, BEN)) == {qid} and board.mine(posed.id, CAL) == {}
    assert board.count(posed.id) == 2
    with pytest.raises(sqlite3.IntegrityError):  # the file itself keeps one answer each
        with board.transaction() as conn:
            conn.execute("INSERT INTO answers (question, author, created, value) "
                         "VALUES (?, ?, 0, '1')", (qid, ANA.author))


def test_an_exit_ticket_is_answered_whole_and_exported_graded(board):
    ticket = qn.exit_ticket()
    posed = board.pose(ticket, TEACHER, ticket=True)
    c, weights, sure = (p.id for p in posed.questions)
    with pytest.raises(QuestionError, match="Answer question 3"):
        board.answer(posed.id, {c: "less", weights: "784"}, ANA, "Ana")
    assert board.count(posed.id) == 0  # nothing half-stored
    board.answer(posed.id, {c: "less", weights: "784", sure: "4"}, ANA, "Ana")
    board.answer(posed.id, {c: "more", weights: "785", sure: 2}, BEN, "=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(board.export_csv(posed.id, TEACHER))))
    assert rows[0][0] == "Student" and rows[0][-2:] == ["Score", "Out of"]
    assert rows[0][1].startswith("Q1: A larger C")
    body = {r[0]: r for r in rows[1:]}
    assert body["Ana"][1:3] == ["less", "yes"] and body["Ana"][-2:] == ["2", "2"]
    assert body["Ana"][5:7] == ["4", ""]  # no key: not graded
    assert body["'=HYPERLINK(1)"][-2:] == ["0", "2"]  # a name is never a formula


def test_only_the_teacher_poses_reveals_ends_exports_and_sees_who(board):
    with pytest.raises(NotAllowed, match="Only the teacher can pose"):
        board.pose([accuracy()], ANA)
    posed = board.pose([accuracy()], TEACHER)
    board.answer(posed.id, {posed.questions[0].id: 90}, ANA, "Ana")
    for refused in (lambda: board.reveal(posed.id, ANA), lambda: board.end(posed.id, ANA),
                    lambda: board.export_csv(posed.id, ANA),
                    lambda: board.answers(posed.id, ANA),
                    lambda: board.who_answered(posed.id, ANA)):
        with pytest.raises(NotAllowed, match="Only the teacher"):
            refused()
    with pytest.raises(NotAllowed, match="when the teacher reveals"):
        board.tally(posed.id, BEN)
    assert board.current().state == "open" and board.count(posed.id) == 1  # nothing changed


def test_reveal_shows_counts_without_names_and_closes_the_answers(board):
    q = qn.choice("Best C?", ["0.01", "1", "10"], "1")
    posed = board.pose([q, accuracy()], TEACHER)
    one, acc = (p.id for p in posed.questions)
    for who, c, a in ((ANA, "1", 90), (BEN, "1", 80.5), (CAL, "10", 91)):
        board.answer(posed.id, {one: c, acc: a}, who, who.author)
    assert board.who_answered(posed.id, TEACHER) == {ANA.author, BEN.author, CAL.author}
    board.reveal(posed.id, TEACHER)
    choices, numbers = board.tally(posed.id, ANA)
    assert choices.counts == {"0.01": 0, "1": 2, "10": 1} and choices.n == 3
    assert numbers.values == (80.5, 90.0, 91.0) and numbers.n == 3
    assert "ana-session" not in repr((choices, numbers))
    with pytest.raises(QuestionError, match="revealed"):
        board.answer(posed.id, {one: "1", acc: 1}, Who("late"), "Dan")


def test_the_question_and_its_answers_survive_a_restart(tmp_path):
    path = tmp_path / "class.sqlite3"
    drawing = np.arange(784, dtype=np.uint32).astype(np.uint8)
    posed = Questions(path).pose([qn.model_answer(drawing, 3, 5, "the class model")], TEACHER)
    Questions(path).answer(posed.id, {posed.questions[0].id: "3"}, ANA, "Ana")
    again = Questions(path)  # a new server: a new instance on the same file
    current = again.current()
    assert current is not None and current.id == posed.id and current.state == "open"
    q = current.questions[0].question
    assert np.array_equal(q.image28, drawing) and q.key == "3" and q.args["label"] == 5
    assert q.said() == "What will the model answer for this drawing?"
    assert again.mine(posed.id, ANA)[current.questions[0].id].correct is True
    ClassSet(path).save(np.zeros(784, np.uint8), 1)  # the class set shares the file
    assert again.count(posed.id) == 1


def test_a_new_question_ends_the_last_and_ended_takes_no_answers(board):
    first = board.pose([accuracy()], TEACHER)
    second = board.pose([qn.choice("Q?", ["a", "b"])], TEACHER)
    assert board.round(first.id).state == ENDED and board.current().id == second.id
    with pytest.raises(QuestionError, match="over"):
        board.answer(first.id, {first.questions[0].id: 1}, ANA)
    board.end(second.id, TEACHER)
    assert board.current() is None and board.version() is None


def test_built_in_questions_take_their_keys_from_the_measurements():
    best = qn.best_c({0.001: 0.80, 0.1: 0.92, 10.0: 0.91})
    assert best.choices == ("0.001", "0.1", "10") and best.key == "0.1"
    at = qn.accuracy_at(0.001, 0.8012)
    assert at.key_number == 80.1 and at.tolerance == 2.0
    assert at.said() == "Test accuracy at C = 0.001, in percent?"
    assert qn.grade(at, qn.read_answer(at, "82")) and not qn.grade(at, qn.read_answer(at, 83))


def test_an_older_class_set_gains_the_question_tables(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(classdb._SCHEMA.split("CREATE TABLE IF NOT EXISTS rounds")[0]
                       + f"PRAGMA application_id = {classdb.APPLICATION_ID}; "
                       "PRAGMA user_version = 2;")
    conn.close()
    board = Questions(path)
    posed = board.pose([accuracy()], TEACHER)
    assert board.current().id == posed.id


def test_the_class_sets_retention_and_purge_delete_answers_for_good(board):
    store = ClassSet(board.path)
    posed = board.pose([qn.number("Q?", 1)], TEACHER)
    board.answer(posed.id, {posed.questions[0].id: 1}, ANA, "Ana-H2-MARK")
    store.expire(30)
    assert board.count(posed.id) == 1  # young: kept
    store.expire(30, now=posed.created + 31 * 86_400)
    assert board.current() is None and board.rounds() == []
    posed = board.pose([qn.number("Q?", 1)], TEACHER)
    board.answer(posed.id, {posed.questions[0].id: 1}, ANA, "Ana-H2-MARK")
    with pytest.raises(NotAllowed):
        store.purge(ANA)
    store.purge(TEACHER)  # "Delete everything from this class"
    assert board.rounds() == []
    on_disk = b"".join(p.read_bytes() for p in board.path.parent.glob("class.sqlite3*"))
    assert b"Ana-H2-MARK" not in on_disk
