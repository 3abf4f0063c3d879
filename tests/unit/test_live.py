"""The live class (digitlab.classroom.live): the roster by pseudonym with each student's state,
the pause that survives a restart, the spotlight that keeps no name, and every teacher's
action refused to a student."""

from __future__ import annotations

import time

import numpy as np
import pytest

from digitlab.classroom import live as live_module
from digitlab.classroom.classset import TEACHER, ClassSet, NotAllowed, Who
from digitlab.classroom.live import ANSWERED, DRAWING, JOINED, Drawing, Live

STUDENT = Who(author="ana-session")


@pytest.fixture
def live(tmp_path) -> Live:
    return Live(tmp_path / "class.sqlite3")


def drawing(digit: int) -> Drawing:
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12 + digit % 3] = 255
    proba = np.full(10, 0.01)
    proba[digit] = 0.91
    return Drawing(image, digit, proba, fit=object(), prepared=None, at=time.time())


def test_students_show_by_the_names_they_typed_with_their_states(live):
    live.join("s1")
    live.join("s2", "Ben")
    live.join("s1", "  Ana \x07 ")  # the name comes later, cleaned
    live.mark("s2", DRAWING)
    live.mark("s1", ANSWERED)  # the questions' hook
    roster = live.roster(TEACHER)
    assert [(s.name, s.state) for s in roster] == [("Ana", ANSWERED), ("Ben", DRAWING)]
    live.join("s1")  # a rejoin without a name keeps name and state
    assert [(s.name, s.state) for s in live.roster(TEACHER)][0] == ("Ana", ANSWERED)


def test_a_new_student_is_joined_and_one_who_stops_beating_is_away(live):
    live.join("s1", "Ana")
    (s,) = live.roster(TEACHER)
    assert s.state == JOINED and not s.away()
    assert s.away(now=s.seen + live_module.AWAY_S + 1)
    live.heartbeat("s1")
    assert live.roster(TEACHER)[0].seen >= s.seen


def test_marking_a_session_not_on_the_roster_adds_nobody(live):
    live.mark("teacher-session", DRAWING)
    assert live.roster(TEACHER) == []
    with pytest.raises(ValueError):
        live.mark("s1", "sleeping")


def test_the_pause_is_shared_and_survives_a_restart(live, tmp_path):
    assert live.paused() is False
    live.pause(TEACHER)
    assert live.paused() is True
    restarted = Live(tmp_path / "class.sqlite3")
    assert restarted.paused() is True
    restarted.resume(TEACHER)
    assert Live(tmp_path / "class.sqlite3").paused() is False


def test_the_roster_survives_a_restart_and_the_class_set_is_untouched(live, tmp_path):
    store = ClassSet(tmp_path / "class.sqlite3")
    store.save(np.zeros(784, np.uint8), label=1, name="Ana")
    live.join("s1", "Ana")
    assert [s.name for s in Live(tmp_path / "class.sqlite3").roster(TEACHER)] == ["Ana"]
    assert store.count() == 1


def test_a_student_back_with_their_lasting_id_keeps_one_card_their_name_and_answers(live,
                                                                                 tmp_path):
    """A reload, or a server restart: the browser's id (pages/shared/identity.py) comes back,
    and with it the one roster card, the name given before and the answer locked in."""
    from digitlab.classroom.question import QuestionError, choice
    from digitlab.classroom.questions import Questions

    lasting = "0123456789abcdef0123456789abcdef"
    live.join(lasting, "Ana")
    live.join("b" * 32, "Ben")
    board = Questions(tmp_path / "class.sqlite3")
    posed = board.pose([choice("Which digit?", [str(d) for d in range(10)], "7")],
                      TEACHER)
    qid = posed.questions[0].id
    board.answer(posed.id, {qid: "7"}, Who(author=lasting), "Ana")
    live.mark(lasting, ANSWERED)
    restarted = Live(tmp_path / "class.sqlite3")  # a new server process, the same file
    restarted.join(lasting)  # the page opens again, no name typed yet
    assert restarted.name_of(lasting) == "Ana" and restarted.name_of("c" * 32) == ""
    assert [(s.name, s.state) for s in restarted.roster(TEACHER)] == [
        ("Ana", ANSWERED), ("Ben", JOINED)]
    again = Questions(tmp_path / "class.sqlite3")
    assert again.mine(posed.id, Who(author=lasting))[qid].value == "7"
    with pytest.raises(QuestionError, match=r"You already answered: 7\. "):
        again.answer(posed.id, {qid: "8"}, Who(author=lasting), "Ana")
    assert again.count(posed.id) == 1


def test_the_spotlight_is_a_copy_of_the_latest_drawing_without_the_student(live):
    live.join("s1", "Ana")
    assert live.spotlight("s1", TEACHER) is False  # nothing drawn yet
    live.drew("s1", drawing(3))
    assert live.roster(TEACHER)[0].state == DRAWING and live.has_drawing("s1")
    assert live.spotlight("s1", TEACHER) is True
    live.drew("s1", drawing(7))  # her next drawing does not change the wall
    spot = live.spotlit(TEACHER)
    assert spot is not None and spot.drawing.digit == 3
    assert "s1" not in repr(vars(spot)) and "Ana" not in repr(vars(spot))
    live.end_spotlight(TEACHER)
    assert live.spotlit(TEACHER) is None


def test_leaving_takes_the_student_and_their_drawing_off(live):
    live.join("s1", "Ana")
    live.drew("s1", drawing(1))
    live.leave("s1")
    assert live.roster(TEACHER) == [] and not live.has_drawing("s1")


def test_clear_empties_roster_drawings_spotlight_and_pause(live):
    live.join("s1", "Ana")
    live.drew("s1", drawing(1))
    live.spotlight("s1", TEACHER)
    live.pause(TEACHER)
    live.clear(TEACHER)
    assert live.roster(TEACHER) == [] and live.spotlit(TEACHER) is None
    assert not live.paused() and not live.has_drawing("s1")


@pytest.mark.parametrize("action", [
    lambda live: live.pause(STUDENT),
    lambda live: live.resume(STUDENT),
    lambda live: live.roster(STUDENT),
    lambda live: live.spotlight("s1", STUDENT),
    lambda live: live.spotlit(STUDENT),
    lambda live: live.end_spotlight(STUDENT),
    lambda live: live.clear(STUDENT),
], ids=["pause", "resume", "roster", "spotlight", "spotlit", "end_spotlight", "clear"])
def test_a_student_is_refused_every_teacher_action(live, action):
    live.join("s1", "Ana")
    live.drew("s1", drawing(2))
    with pytest.raises(NotAllowed):
        action(live)
    assert not live.paused() and live.spotlit(TEACHER) is None
    assert [s.name for s in live.roster(TEACHER)] == ["Ana"]


def test_the_names_go_with_the_class_sets_purge_and_retention(live, tmp_path):
    store = ClassSet(tmp_path / "class.sqlite3")
    live.join("a" * 32, "Ana")
    live.join("b" * 32, "Ben")
    assert store.expire(days=1, now=time.time() + 0.5 * 86400) == 0  # both seen today
    assert [s.name for s in live.roster(TEACHER)] == ["Ana", "Ben"]
    store.expire(days=1, now=time.time() + 2 * 86400)  # two days on: older than a day
    assert live.roster(TEACHER) == []
    live.join("a" * 32, "Ana")
    store.purge(TEACHER)
    assert live.roster(TEACHER) == [] and live.name_of("a" * 32) == ""
    ClassSet(tmp_path / "empty.sqlite3").purge(TEACHER)  # no roster ever kept: nothing to do


def test_a_page_never_waits_for_the_file_to_write_its_heartbeat_or_drawing(tmp_path):
    """A class's "still here" and "drawing" are written behind the pages: while another
    writer holds the file, they return at once (they waited, then were refused as busy) and
    the roster has them once the file is free."""
    import sqlite3

    path = tmp_path / "class.sqlite3"
    live = Live(path, timeout=2.0)
    live.join("s1", "Ana")
    live.join("s2", "Ben")
    before = live.roster(TEACHER)[0].seen
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        start = time.monotonic()
        live.heartbeat("s1")
        live.mark("s2", DRAWING)
        assert time.monotonic() - start < 0.25
    finally:
        other.execute("COMMIT")
        other.close()
    roster = {s.name: s for s in live.roster(TEACHER)}  # writes what waits first
    assert roster["Ana"].seen > before and roster["Ana"].state == JOINED
    assert roster["Ben"].state == DRAWING


def test_lines_written_behind_keep_their_order_with_those_written_at_once(live):
    live.join("s1", "Ana")
    live.mark("s1", DRAWING)  # behind
    live.mark("s1", ANSWERED)  # at once, after what waits
    live.heartbeat("s1")  # behind: keeps the state
    assert live.roster(TEACHER)[0].state == ANSWERED
    live.leave("s1")
    live.heartbeat("s1")  # a page still open after leaving adds nobody
    assert live.roster(TEACHER) == []


def test_a_file_too_busy_to_write_loses_only_the_heartbeat(tmp_path):
    import sqlite3

    path = tmp_path / "class.sqlite3"
    live = Live(path, timeout=0.2)
    live.join("s1", "Ana")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        live.heartbeat("s1")
        live.flush()  # busy past its timeout: no error reaches a page
    finally:
        other.execute("COMMIT")
        other.close()
    assert [s.name for s in live.roster(TEACHER)] == ["Ana"]
