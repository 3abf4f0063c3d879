"""The class address's answer (pages/shared/class_push.signal, served by
pages/shared/class_signal.py): the class's state in a few characters, which changes with a
pause and with each question's pose, reveal and end; the student's heartbeat at most every
HEARTBEAT_S; an empty answer outside class mode or with a class database it cannot read; and
the page's script, which asks only the app's own server. The address itself, and a page at
rest that runs nothing, in a real browser: tests/e2e/test_classview_browser.py."""

from __future__ import annotations

import json
import re

import pytest

from digitlab.classroom.classset import TEACHER
from digitlab.classroom.question import choice
from pages.shared import class_push, class_signal

PASSWORD = "maple-42"


@pytest.fixture
def class_mode(monkeypatch, store):
    monkeypatch.setenv("DIGITLAB_CLASS_PASSWORD", PASSWORD)
    monkeypatch.setattr(class_push, "_beats", {})
    yield class_push.live()
    class_push.live().clear(TEACHER)


def seen(sid: str) -> float:
    return next(s.seen for s in class_push.live().roster(TEACHER) if s.sid == sid)


def test_the_answer_follows_a_pause_and_a_questions_life(class_mode):
    live = class_mode
    board = class_push.questions_board(str(class_push.default_path()))
    states = [class_push.signal("ana")]
    live.pause(TEACHER)
    states.append(class_push.signal("ana"))
    live.resume(TEACHER)
    posed = board.pose([choice("Which digit?", [str(d) for d in range(10)], "7")], TEACHER)
    states.append(class_push.signal("ana"))
    board.reveal(posed.id, TEACHER)
    states.append(class_push.signal("ana"))
    board.end(posed.id, TEACHER)
    states.append(class_push.signal("ana"))
    assert states == ["0:", "1:", f"0:{posed.id}:open", f"0:{posed.id}:revealed", "0:"]


def test_the_answer_writes_the_heartbeat_at_most_every_few_seconds(class_mode, monkeypatch):
    live = class_mode
    live.join("ana", "Ana")
    with live._file.transaction() as conn:  # last seen long ago: away
        conn.execute("UPDATE live_students SET seen = 0 WHERE sid = 'ana'")
    clock = [1000.0]
    monkeypatch.setattr(class_push.time, "monotonic", lambda: clock[0])
    class_push.signal("ana")
    first = seen("ana")
    assert first > 0  # here again
    with live._file.transaction() as conn:
        conn.execute("UPDATE live_students SET seen = 1 WHERE sid = 'ana'")
    clock[0] += class_push.HEARTBEAT_S / 2
    class_push.signal("ana")
    assert seen("ana") == 1  # not yet: one write every HEARTBEAT_S, not one a second
    clock[0] += class_push.HEARTBEAT_S
    class_push.signal("ana")
    assert seen("ana") > 1


@pytest.mark.parametrize("sid", ["", "nobody", "x" * 10_000, "'; DROP TABLE live_students; --",
                                 "\x00\n\t", "é" * 64])
def test_any_id_gets_the_state_and_changes_no_one_elses_row(class_mode, sid):
    class_mode.join("ana", "Ana")
    before = seen("ana")
    assert class_push.signal(sid) == "0:"
    assert seen("ana") == before
    assert [s.sid for s in class_mode.roster(TEACHER)] == ["ana"]


def test_outside_class_mode_the_answer_is_empty(monkeypatch, store):
    monkeypatch.delenv("DIGITLAB_CLASS_PASSWORD", raising=False)
    assert class_push.signal("ana") == ""


def test_a_class_database_it_cannot_read_gets_an_empty_answer(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_CLASS_PASSWORD", PASSWORD)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("DIGITLAB_DB", str(damaged))
    assert class_push.signal("ana") == ""


def test_the_pages_script_asks_only_this_server_with_the_students_id():
    script = class_signal.script('a"b</script>', class_push.DRAWN, class_push.POKE)
    config = json.loads(re.search(r"w.__dlClass = (\{.*?\});", script).group(1))
    assert config["url"] == class_signal.path() == "/_digitlab/class"  # a path: this server
    assert config["sid"] == 'a"b</script>'
    assert script.count("</script>") == 1  # the id cannot end the script early
    assert not re.search(r"https?://", script)
