"""A lesson in a real browser, one class server: a teacher and three students (a phone and two
laptops, each a browser context of its own). The teacher's link to the Class view is the fresh
server's first request, and opens inside the app (a shared link: see the README). The roster
shows the three names; "Eyes on the board" covers every student's page and stops the canvas,
Resume gives it back (at rest, a student's page runs nothing: it asks the class address and
runs the push only on a change); the spotlight shows one drawing with the model's answer and
why, without the student's name.

Screenshots: test-output/screenshots/classview-roster.png, classview-spotlight.png and
classview-paused-phone.png. The time from the teacher's click to each student's pause screen is
printed (a figure, not an assertion: the machine may be busy)."""

from __future__ import annotations

from playwright.sync_api import expect

from digitlab.classroom.classset import TEACHER
from digitlab.classroom.question import choice
from digitlab.classroom.questions import Questions
from tests.support.browser import (
    COUNT_RUNS,
    PHONE,
    AppServer,
    canvas,
    draw_digit,
    metric_value,
    screenshot,
    shown,
    shows_text,
    wait_idle,
)
from tests.support.procs import environment

NAMES = ("Ana", "Ben", "Cleo")
PASSWORD = "maple-42"
# In a page: what the class address answers to this id (any id gets the class's state).
ASK = "fetch('/_digitlab/class?s=' + %s, {cache: 'no-store'}).then((r) => r.text())"


def open_page(browser, url: str, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    wait_idle(page, timeout=120_000)  # the first Draw of a server fits the default model
    return page


def join(page, name: str) -> None:
    field = page.get_by_role("textbox", name="Your name for this class")
    field.fill(name)
    page.get_by_role("button", name="Join the class").click()
    expect(field).to_have_count(0)


# In a student's page: the time (Date.now(), the machine's clock in every context) the pause
# screen first appears.
WATCH_PAUSE = """() => { window.__paused = null; new MutationObserver(() => {
    if (window.__paused === null && document.querySelector('.dl-pause'))
        window.__paused = Date.now(); }).observe(document.body, {subtree: true, childList: true});
}"""


def pause_screen(page):
    return page.get_by_role("alertdialog", name="Eyes on the board")


def canvas_is_covered(page) -> bool:
    """Whether a pointer at the canvas's middle lands on the pause screen, not the canvas."""
    box = canvas(page).bounding_box()
    assert box is not None
    return page.evaluate("([x, y]) => !!document.elementFromPoint(x, y).closest('.dl-pause')",
                         [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])


def test_a_teacher_sees_the_roster_pauses_the_class_and_spotlights_a_drawing(chromium, mnist,
                                                                              tmp_path):
    server = AppServer()
    env = {"DIGITLAB_CLASS_PASSWORD": PASSWORD, "DIGITLAB_DB": str(tmp_path / "c.db"),
           "DIGITLAB_CLASS_URL": server.url}
    with environment(**env), server:
        # The teacher opens the page's link as the fresh server's very first request: it opens
        # with the app's navigation (Home first), not as a bare script, and with no "Page not
        # found" box over it (once app.py has run st.navigation, Streamlit stops looking at
        # pages/ by file name, so only a fresh server's first request shows the difference).
        teacher = open_page(chromium, f"{server.url}/class")
        expect(teacher.get_by_role("heading", name="Class view").first).to_be_visible()
        nav = teacher.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_role("link", name="Home")).to_be_visible()
        expect(nav.get_by_role("link", name="app", exact=True)).to_have_count(0)
        expect(teacher.get_by_text("Page not found")).to_have_count(0)
        expect(teacher.get_by_text("This page is the teacher's")).to_be_visible()
        teacher.get_by_label("Class password (teacher)").fill(PASSWORD)
        teacher.get_by_role("button", name="Open the class view").click()
        shown(teacher.get_by_text("Nobody yet"))

        students = [open_page(chromium, f"{server.url}/draw", PHONE if i == 0 else None)
                    for i in range(len(NAMES))]
        try:
            for page, name in zip(students, NAMES):
                join(page, name)
            shows_text(teacher.locator("h3"), "3 students here")
            # at rest, a student's page runs nothing: it asks the class address every second
            # and runs the push only when the class changed (pages/shared/class_signal.py)
            bob = students[1]
            wait_idle(bob)
            bob.evaluate(COUNT_RUNS)
            bob.wait_for_timeout(3_000)
            assert bob.evaluate("window.__runs") == 0
            assert bob.evaluate(ASK % "'x'.repeat(5000)") == "0:"  # any id: the state, no error
            # a page gone blank (nothing left of the app: a crash in the page) comes back by
            # itself: the class script reloads it, and the student is the same one
            bob.evaluate("document.getElementById('root').replaceChildren()")
            assert bob.evaluate("document.body.innerText.trim()") == ""
            shown(bob.get_by_role("heading", name="Draw"), timeout=30_000)
            shows_text(teacher.locator("h3"), "3 students here")
            for name in NAMES:
                expect(teacher.get_by_text(name, exact=True)).to_be_visible()
            ana = students[0]
            shown(canvas(ana), timeout=60_000)
            draw_digit(ana, 1)
            shows_text(metric_value(ana, "Prediction"), "1", timeout=60_000)
            card = teacher.locator("[class*='st-key-classview_card']", has_text="Ana")
            shown(card.get_by_text("drawing"))
            screenshot(teacher, "classview-roster")

            for page in students:
                page.evaluate(WATCH_PAUSE)
            clicked = teacher.evaluate("Date.now()")
            teacher.get_by_role("button", name="Eyes on the board").click()
            for page, name in zip(students, NAMES):
                shown(pause_screen(page))
                seconds = (page.evaluate("window.__paused") - clicked) / 1000
                print(f"\n{name}: the pause screen {seconds:.1f} s after the teacher's click")
            assert canvas_is_covered(ana)  # a stroke now reaches the pause screen, not the pad
            screenshot(ana, "classview-paused-phone")

            teacher.get_by_role("button", name="Resume the class").click()
            for page in students:
                pause_screen(page).wait_for(state="hidden", timeout=30_000)
            assert not canvas_is_covered(ana)
            shows_text(metric_value(ana, "Prediction"), "1")  # the drawing waited beneath

            card.get_by_role("button", name="Spotlight").click()
            shown(teacher.get_by_text("In the spotlight"))
            shows_text(metric_value(teacher, "The model's answer"), "1")
            shown(teacher.get_by_text("Why this answer"))
            wait_idle(teacher)
            text = teacher.locator('[data-testid="stMain"]').inner_text()
            assert not any(name in text for name in NAMES), "a name is on the wall"
            screenshot(teacher, "classview-spotlight")

            # a question: Ana answers it where she is, in the box over Draw, and stays there
            board = Questions(tmp_path / "c.db")
            asked = board.pose([choice("Which digit will you draw next?",
                                       [str(d) for d in range(10)], None)], TEACHER)
            before = canvas(ana).bounding_box()
            box = ana.locator(".st-key-class_question_link")
            box.get_by_text("4", exact=True).click()
            box.get_by_role("button", name="Lock in my answer").click()
            shown(box.get_by_text("Your answer, locked in"))
            screenshot(ana, "question-in-the-box-phone")
            assert canvas(ana).bounding_box() == before  # the page beneath never moved
            box.get_by_role("button", name="Close").click()
            expect(box).to_have_count(0)
            shows_text(metric_value(ana, "Prediction"), "1")  # her drawing is still there
            assert [(a.value, a.name) for a in board.answers(asked.id, TEACHER)] == [("4", "Ana")]
        finally:
            for page in students:
                page.context.close()
            teacher.context.close()
