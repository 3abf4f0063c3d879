"""The Class view in class mode: a student opening the app is on the teacher's roster by the name
they typed; "Eyes on the board" covers every student's page and Resume lifts it; the spotlight
shows one drawing with the model's answer and why, without the name; and a student is refused
the roster, the pause and the spotlight. Outside class mode none of it runs."""

from __future__ import annotations

import pytest

from digitlab.classroom.classset import TEACHER
from pages.panels import classroom_panel
from pages.shared import class_push, i18n, nav, state

from .page_utils import canvas_state, drawn, open_app

PASSWORD = "maple-42"


@pytest.fixture
def class_mode(monkeypatch, store):
    monkeypatch.setenv("DIGITLAB_CLASS_PASSWORD", PASSWORD)
    yield class_push.live()
    class_push.live().clear(TEACHER)


def texts(at) -> str:
    """Everything the page says (markdown, captions, alerts, headings, metrics)."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success",
                                  "subheader", "title") for e in at.get(kind)]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def pause_screen(at) -> bool:
    return any("Eyes on the board" in str(h.proto.body) for h in at.get("html"))


def student(name: str, model, page: str = "draw"):
    at = open_app(page, {state.TRAINED: model})
    field = next(t for t in at.text_input if t.label == "Your name for this class")
    field.input(name)
    next(b for b in at.button if b.label == "Join the class").click().run()
    assert not at.exception
    return at


def teacher():
    at = open_app()
    at.switch_page(nav.PAGES["class"].file).run()
    next(t for t in at.text_input if t.label.startswith("Class password")).input(PASSWORD)
    next(b for b in at.button if b.label == "Open the class view").click().run()
    assert at.session_state[classroom_panel.TEACHER] and not at.exception
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_outside_class_mode_nothing_of_the_class_runs(small_model, store, monkeypatch):
    monkeypatch.delenv("DIGITLAB_CLASS_PASSWORD", raising=False)
    at = open_app("draw", {state.TRAINED: small_model})
    assert not any(t.label == "Your name for this class" for t in at.text_input)
    assert class_push.SEATED not in at.session_state and not pause_screen(at)


def test_a_student_is_on_the_roster_by_name_with_the_count(class_mode, small_model):
    ana = student("Ana", small_model)
    assert not any(t.label == "Your name for this class" for t in ana.text_input)  # asked once
    ana.session_state["canvas-0"] = canvas_state(drawn(1))
    ana.run()
    ben = open_app("draw", {state.TRAINED: small_model})  # opened, no name typed yet
    at = teacher()
    said = texts(at)
    assert "2 students here" in said and "Ana" in said and "no name yet" in said
    assert "1 joined, 1 drawing, 0 answered" in said
    assert ben.session_state[class_push.SEATED]


def place_of(at, title: str) -> int:
    """Where the page's title sits among the app's top-level elements."""
    for place, node in at.main.children.items():
        titles = node.get("title") if hasattr(node, "children") else [node]
        if any(getattr(t, "type", None) == "title" and t.value == title for t in titles):
            return place
    raise AssertionError(f"no title {title!r} on the page")


def test_joining_moves_nothing_on_the_page_and_a_blank_name_is_refused(class_mode,
                                                                       small_model):
    """The name field leaves its slot behind: the page under it keeps its place in the tree
    (else Streamlit draws the canvas afresh, and a first stroke after joining was lost under a
    class's load); the page is drawn without the field in the same run."""
    at = open_app("draw", {state.TRAINED: small_model})
    before = place_of(at, "Draw")
    button(at, "Join the class").click().run()  # nothing typed
    assert "Type a name first." in texts(at) and class_push.NAME not in at.session_state
    field = next(t for t in at.text_input if t.label == "Your name for this class")
    field.input("  Ana   Lee ")
    button(at, "Join the class").click().run()
    assert not at.exception and at.session_state[class_push.NAME] == "Ana Lee"
    assert not any(t.label == "Your name for this class" for t in at.text_input)
    assert "Type a name first." not in texts(at)
    assert place_of(at, "Draw") == before


def test_the_teacher_leaves_the_roster_once_unlocked(class_mode):
    at = teacher()
    assert class_mode.roster(TEACHER) == [] and "Nobody yet" in texts(at)


@pytest.mark.parametrize("page", ["draw", "questions"])  # Questions stops early for students
def test_eyes_on_the_board_covers_a_students_page_and_resume_lifts_it(class_mode, small_model,
                                                                      page):
    ana = student("Ana", small_model)
    if page != "draw":
        ana.switch_page(nav.PAGES[page].file).run()
    at = teacher()
    button(at, "Eyes on the board").click().run()
    assert class_mode.paused() and "The class is paused" in texts(at)
    assert pause_screen(ana.run())
    button(at, "Resume the class").click().run()
    assert not class_mode.paused() and not pause_screen(ana.run())


def test_the_spotlight_shows_the_drawing_and_answer_without_the_name(class_mode, small_model):
    ana = student("Ana", small_model)
    ana.session_state["canvas-0"] = canvas_state(drawn(1))
    ana.run()
    at = teacher()
    button(at, "Spotlight").click().run()
    said = texts(at)
    assert "In the spotlight" in said and "Why this answer" in said
    assert "The model's answer 1" in said
    assert "Ana" not in said and "students here" not in said  # no roster on the wall
    button(at, "End the spotlight").click().run()
    assert "Ana" in texts(at)


@pytest.mark.parametrize("page", ["class", "draw"])
def test_a_student_gets_no_roster_no_pause_and_no_spotlight(class_mode, small_model, page):
    student("Ana", small_model)
    ben = student("Ben", small_model, page="home")
    ben.switch_page(nav.PAGES[page].file).run()
    labels = {b.label for b in ben.button}
    assert not labels & {"Eyes on the board", "Resume the class", "Spotlight",
                         "End the spotlight", "Clear the class view"}
    assert "Ana" not in texts(ben)
    if page == "class":
        assert "This page is the teacher's" in texts(ben)


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_the_class_view_and_the_pause_screen_speak_the_class_language(class_mode, small_model,
                                                                        lang):
    ana = student("Ana", small_model)
    ana.session_state[i18n.KEY] = lang
    class_mode.pause(TEACHER)
    at = open_app(None, {classroom_panel.TEACHER: True, i18n.KEY: lang})
    at.switch_page(nav.PAGES["class"].file).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Ana" in texts(at) and at.title[0].value != "Class view"
    assert not pause_screen(ana.run())  # the English words are not there: translated
    assert any("dl-pause" in str(h.proto.body) for h in ana.get("html"))
