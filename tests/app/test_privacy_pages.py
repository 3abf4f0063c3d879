"""Children's data in the app: Delete is for good and Undo brings it back from the page's memory;
the teacher's "Delete everything from this class" asks first; the collection setting (consent or
none) on Draw; retention at start-up; and what a student is refused."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from digitlab.classroom import privacy
from digitlab.classroom import publish as classroom
from digitlab.classroom.classset import DAY, ClassSet
from pages.panels import classset_panel, privacy_panel
from pages.shared import identity, state

from .page_utils import button, canvas_state, drawn, labels, open_app

PASSWORD = "maple-42"
MARK = np.frombuffer(b"H4-ERASE" * 98, np.uint8)  # pixels whose bytes the file is searched for


@pytest.fixture
def class_mode(monkeypatch):
    """A class server: the password set, collection from the environment (asked: the default)."""
    monkeypatch.setenv(classroom.PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(privacy.COLLECT_ENV, raising=False)
    privacy_panel.collection.clear()
    yield
    privacy_panel.collection.clear()




def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def on_disk(store: ClassSet) -> bytes:
    return b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))


def filled(store: ClassSet, mnist, n: int = 12) -> None:
    store.add_many(mnist.X[:n], mnist.y[:n], ["Ana"] * n)
    store.save(MARK, 7, answer=1, confidence=0.9, name="Ben", author="ben-session")


def teacher(small_model):
    at = open_app("class-set", {state.TRAINED: small_model})
    at.text_input[0].input(PASSWORD)
    button(at, "Unlock publishing").click().run()
    assert not at.exception
    return at


def test_delete_is_for_good_and_undo_puts_it_back(mnist, small_model, store):
    filled(store, mnist)
    at = open_app("class-set", {state.TRAINED: small_model})
    newest = store.records()[0].id  # Ben's, first on the page
    at.button(key=f"cs_del_{newest}").click().run()
    assert store.count() == 12 and f"Deleted #{newest}." in captions(at)
    assert b"H4-ERASE" not in on_disk(store)  # gone from the file, kept in the session only
    button(at, "Undo").click().run()
    assert store.count() == 13 and not at.exception
    (back,) = store.records(limit=1)
    assert back.name == "Ben" and np.array_equal(back.image28, MARK)
    assert "Undo" not in labels(at)


def test_delete_everything_asks_first_and_then_empties_the_set(mnist, small_model, store,
                                                                class_mode):
    filled(store, mnist)
    at = teacher(small_model)
    told = "\n".join(m.value for m in at.markdown)  # the Privacy section: what is kept
    assert "each student's answers, with the name they typed" in told
    assert "the name each student typed for the class" in told and "(a cookie)" in told
    button(at, "Delete everything from this class").click().run()
    assert "Delete all 13 digits for good?" in at.warning[0].value and store.count() == 13
    button(at, "Cancel").click().run()
    assert store.count() == 13 and "Yes, delete everything" not in labels(at)
    button(at, "Delete everything from this class").click().run()
    button(at, "Yes, delete everything").click().run()
    assert store.count() == 0 and not at.exception
    assert any("Deleted all 13 digits" in s.value for s in at.success)
    assert b"H4-ERASE" not in on_disk(store)


def test_a_student_may_not_purge_change_the_setting_or_delete_others(mnist, small_model, store,
                                                                     class_mode):
    filled(store, mnist)
    student = open_app("class-set", {state.TRAINED: small_model,
                                     identity.ID: "ben-session"})
    assert "Delete everything from this class" not in labels(student)
    assert not student.radio  # no collection setting
    assert "Only the teacher can change it" in captions(student)
    ben = store.records()[0].id
    deletes = [b.key for b in student.button if b.label == "Delete"]
    assert deletes == [f"cs_del_{ben}"]  # only the student's own drawing
    student.button(key=f"cs_del_{ben}").click().run()
    assert store.count() == 12  # a student may delete their own
    # another session (a reload makes a new author key) has no Delete on anyone's drawings
    student.session_state[identity.ID] = "someone-else"
    student.run()
    assert [b for b in student.button if b.label == "Delete"] == []


def test_the_teacher_sets_collect_none_and_draw_hides_save(small_model, store, class_mode):
    at = teacher(small_model)
    at.radio(key=privacy_panel.SETTING).set_value(privacy.NONE).run()
    assert privacy_panel.collection().value == privacy.NONE
    student = open_app("draw", {state.TRAINED: small_model})
    student.session_state["canvas-0"] = canvas_state(drawn(1))
    student.run()
    assert not [b for b in student.button if b.label.startswith("Right: save")]
    assert "does not collect drawings" in captions(student) and store.count() == 0


def test_consent_is_asked_before_save_works(small_model, store, class_mode):
    at = open_app("draw", {state.TRAINED: small_model})
    at.session_state["canvas-0"] = canvas_state(drawn(1))
    at.run()
    assert button(at, "Right: save as 1").disabled and at.pills(key=classset_panel.WRONG).disabled
    at.checkbox(key=privacy_panel.CONSENT).check().run()
    assert not button(at, "Right: save as 1").disabled
    button(at, "Right: save as 1").click().run()
    assert store.count() == 1 and "Saved as a **1**" in at.success[0].value


def test_old_records_are_deleted_when_the_app_starts(mnist, small_model, store, monkeypatch):
    monkeypatch.setenv(privacy.KEEP_DAYS_ENV, "7")
    filled(store, mnist)
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE digits SET created = created - ? WHERE name = 'Ben'", (8 * DAY,))
    conn.close()
    at = open_app("class-set", {state.TRAINED: small_model})
    assert store.count() == 12 and b"H4-ERASE" not in on_disk(store)
    assert "**12** digits saved" in captions(at)
