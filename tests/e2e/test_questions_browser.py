"""Questions in a real browser, on a class server: two students wait on the Questions page; the
teacher poses "What will the model answer for this drawing?" and it reaches them by itself;
each locks in an answer (their result hidden until then); the teacher reveals the class's
histogram beside the true answer (a student who reloads is still herself: the same name, card
and locked-in answer); then an exit ticket is answered and downloaded as CSV.

Screenshots: test-output/screenshots/question-revealed.png (1280x800, the teacher's page) and
question-locked-phone.png (390x844, a student's locked answer)."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from digitlab.classroom.classset import TEACHER
from digitlab.classroom.live import Live
from digitlab.classroom.questions import Questions
from tests.support.browser import PHONE, AppServer, metric_value, screenshot, shown, wait_idle
from tests.support.procs import environment

PASSWORD = "maple-42"


def open_page(browser, url: str, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                  has_touch=viewport is not None, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    wait_idle(page, timeout=120_000)
    return page


def join(page, name: str) -> None:
    page.get_by_role("textbox", name="Your name or nickname").fill(name)
    page.get_by_role("button", name="Join").click()
    shown(page.get_by_text(f"Answering as {name}"))


def pick(page, qid: int, choice: str) -> None:
    page.locator(f".st-key-answer_{qid}").get_by_text(choice, exact=True).click()


def lock_in(page) -> None:
    page.get_by_role("button", name="Lock in my answer").click()
    shown(page.get_by_text("Your answer, locked in").first)
    wait_idle(page)


def test_a_question_reaches_students_is_revealed_and_an_exit_ticket_exports(chromium, mnist,
                                                                           tmp_path):
    db = tmp_path / "class.sqlite3"
    fresh = AppServer()
    env = {"DIGITLAB_CLASS_PASSWORD": PASSWORD, "DIGITLAB_DB": str(db),
           "DIGITLAB_CLASS_URL": fresh.url}
    with environment(**env), fresh:
        ana = open_page(chromium, f"{fresh.url}/questions", PHONE)
        ben = open_page(chromium, f"{fresh.url}/questions")
        teacher = open_page(chromium, f"{fresh.url}/questions")
        try:
            for student in (ana, ben):
                shown(student.get_by_text("No question right now"))
            teacher.get_by_text("Teacher", exact=True).click()
            teacher.get_by_label("Class password (teacher)").fill(PASSWORD)
            teacher.get_by_role("button", name="Unlock publishing").click()
            # the lesson tab fits the server's default model on its first visit
            pose = shown(teacher.get_by_role("button", name="Pose this question"), 120_000)
            wait_idle(teacher)
            pose.click()
            shown(teacher.get_by_role("button", name="Reveal the answers"))
            live = Questions(db).current()
            qid, key = live.questions[0].id, live.questions[0].question.key
            other = str((int(key) + 1) % 10)
            # the question reaches the students' pages by itself (their poll)
            for student, name in ((ana, "Ana"), (ben, "Ben")):
                shown(student.get_by_text("What will the model answer for this drawing?"))
                join(student, name)
            pick(ana, qid, key)
            assert not ana.get_by_text("Right!").is_visible()  # hidden until locked in
            assert not ana.get_by_text("the answer is").is_visible()
            lock_in(ana)
            shown(ana.get_by_text(f"Right! The answer is {key}."))
            screenshot(ana, "question-locked-phone")
            # a reload: the browser's cookie brings Ana back as herself (one card, her name,
            # her answer locked in, no second form)
            ana.reload()
            wait_idle(ana, timeout=120_000)
            shown(ana.get_by_text(f"Right! The answer is {key}."))
            expect(ana.get_by_text("Answering as Ana")).to_be_visible()
            expect(ana.get_by_role("button", name="Lock in my answer")).to_have_count(0)
            assert sorted(s.name for s in Live(db).roster(TEACHER)) == ["Ana", "Ben"]
            pick(ben, qid, other)
            lock_in(ben)
            shown(ben.get_by_text(f"Not this time: the answer is {key}."))
            shows_answered = metric_value(teacher, "Answered").filter(has_text="2")
            shown(shows_answered)  # the teacher's count follows by itself
            teacher.get_by_role("button", name="Reveal the answers").click()
            shown(teacher.locator('[data-testid="stVegaLiteChart"]').first)
            expect(metric_value(teacher, "True answer")).to_have_text(key)
            wait_idle(teacher)
            teacher.locator('[data-testid="stVegaLiteChart"]').first.scroll_into_view_if_needed()
            screenshot(teacher, "question-revealed")
            shown(ben.locator('[data-testid="stVegaLiteChart"]').first)  # students see it too

            teacher.get_by_role("tab", name="Exit ticket").click()
            teacher.get_by_role("button", name="Pose the exit ticket").click()
            shown(teacher.get_by_text("Exit ticket on the students' screens"))
            ticket = Questions(db).current()
            c, weights, sure = (p.id for p in ticket.questions)
            shown(ana.get_by_text("A larger C means the model is regularized"))
            pick(ana, c, "less")
            ana.locator(f".st-key-answer_{weights} input").fill("784")
            ana.locator(f".st-key-answer_{sure} input").fill("4")
            lock_in(ana)
            wait_idle(teacher)
            with teacher.expect_download() as download:
                teacher.get_by_role("button", name="Answers (CSV)").click()
            path = download.value.path()
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            assert rows[0][0] == "Student" and rows[0][-2:] == ["Score", "Out of"]
            assert rows[1][0] == "Ana" and rows[1][1:3] == ["less", "yes"]
            assert rows[1][-2:] == ["2", "2"] and len(rows) == 2
        finally:
            for page in (ana, ben, teacher):
                page.context.close()
