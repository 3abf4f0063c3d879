"""Lesson links in a real browser: a teacher opens Train with some settings in the link, builds
a lesson link that locks and hides some of them, and a student opens it in a fresh page (a new
visitor): the same settings, the locked ones disabled, the hidden ones gone, a sentence saying
what the link fixed; the student trains. Screenshots: lesson-link-built.png (the teacher's
builder) and lesson-link-student.png (what the student sees)."""

from __future__ import annotations

from urllib.parse import unquote

from playwright.sync_api import expect

from digitlab.lab import links
from tests.support.browser import metric_value, new_page, screenshot, shown, wait_idle


def choose(page, label: str, names: list[str]) -> None:
    """Pick options in the multiselect labelled `label` by typing them."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    for name in names:
        box.locator("input").fill(name)
        box.locator("input").press("Enter")
        wait_idle(page)
    box.locator("input").press("Escape")


def test_a_lesson_link_opens_locked_and_hidden_in_a_fresh_page(chromium, app_server):
    teacher = new_page(chromium, f"{app_server.url}/train?C=0.05&solver=sag&max_iter=5"
                                 "&train_size=10000")
    students = None
    try:
        expect(teacher.locator("h1", has_text="Train")).to_be_visible()
        expect(teacher.locator(".st-key-cfg_C")).to_contain_text("0.05")  # kept, not snapped
        teacher.get_by_role("button", name="Share as a lesson link").click()
        # by the sidebar's names, as the teacher sees them
        choose(teacher, "Lock", ["Solver", "max_iter", "Training images"])
        choose(teacher, "Hide", ["tol (stopping", "Seed"])
        code = teacher.locator('[data-testid="stPopoverBody"] [data-testid="stCode"] code')
        expect(code).to_contain_text("lock=solver,max_iter,train_size&hide=tol,seed")
        link = "".join(code.inner_text().split())
        assert link.startswith(f"{app_server.url}/train?C=0.05&")
        assert links.read(dict(p.split("=") for p in link.split("?")[1].split("&"))).config() \
            == links.DEFAULTS.replace(C=0.05, solver="sag", max_iter=5, train_size=10000)
        screenshot(teacher, "lesson-link-built")

        students = new_page(chromium, link)  # a student: a new visitor, a new session
        page = students
        expect(page.get_by_text("Lesson link.")).to_be_visible()
        expect(page.get_by_text("Fixed by the link: Solver = sag, max_iter = 5, Training "
                                "images = 10000; hidden: tol = 0.0001, Seed = 0")).to_be_visible()
        expect(page.locator(".st-key-cfg_solver input")).to_be_disabled()
        expect(page.locator(".st-key-cfg_max_iter input")).to_be_disabled()
        expect(page.locator(".st-key-cfg_C")).to_contain_text("0.05")
        assert "lock=solver,max_iter,train_size" in page.url  # a copied link is the lesson
        page.get_by_role("button", name="Train", exact=True).click()
        shown(metric_value(page, "Test accuracy"), timeout=120_000)
        expect(metric_value(page, "Training images")).to_have_text("10,000")
        wait_idle(page)
        screenshot(page, "lesson-link-student")
        # The class explores C: one step up from the off-grid 0.05 is the grid's 0.1, and
        # the address follows (the lesson stays in it).
        page.locator(".st-key-cfg_C input[type=range]").press("ArrowRight")
        page.wait_for_url(lambda url: "/train?C=0.1&solver=sag&" in url
                          and "lock=solver,max_iter,train_size" in unquote(url))
        expect(page.locator(".st-key-cfg_C")).to_contain_text("0.1")
        page.get_by_text("Tolerance, test split, seed").click()
        expect(page.get_by_text("Test split", exact=True)).to_be_visible()
        expect(page.locator(".st-key-cfg_seed")).to_be_hidden()
        expect(page.locator(".st-key-cfg_tol")).to_be_hidden()
    finally:
        teacher.context.close()
        if students is not None:
            students.context.close()
