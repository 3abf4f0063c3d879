"""The class in a real browser: a fresh session draws at once with the server's default model;
phones and tablets draw by touch with the canvas, Clear and the Prediction in view; choosing a
page on a phone leaves the page in view; a stroke drawn at once after Clear counts, with several
sessions drawing too; a drawing saved from Draw shows on the Class set page; and a server started
for a class shows its address as a QR code and lets only the password's holder publish.

Screenshots: test-output/screenshots/{phone,tablet}-draw.png, class-set.png, home-class.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    CANVAS,
    PHONE,
    TABLET,
    AppServer,
    canvas,
    draw_digit,
    go_to,
    in_view,
    metric_value,
    screenshot,
    shows_text,
    touch_digit,
    train_fast,
    wait_idle,
)
from tests.support.procs import environment


def open_page(browser, url: str, viewport: dict | None = None, touch: bool = False):
    """A new browser context (a new session, as a student's own device) at `url`."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                  has_touch=touch)
    page = context.new_page()
    page.goto(url)
    wait_idle(page, timeout=120_000)  # the first Draw of a server fits the default model
    return page


def ready_to_draw(page) -> None:
    page.wait_for_selector(CANVAS, timeout=60_000)
    wait_idle(page)


def reads(page, digit: int, timeout: float = 30_000) -> None:
    shows_text(metric_value(page, "Prediction"), str(digit), timeout=timeout)


@pytest.mark.parametrize("name, viewport", [("phone", PHONE), ("tablet", TABLET)])
def test_touch_drawing_with_canvas_clear_and_prediction_in_view(chromium, app_server, name,
                                                                viewport):
    page = open_page(chromium, f"{app_server.url}/draw", viewport, touch=True)
    try:
        ready_to_draw(page)
        cdp = page.context.new_cdp_session(page)
        touch_digit(page, cdp, 0)
        reads(page, 0)
        wait_idle(page)
        screenshot(page, f"{name}-draw")
        for what in (canvas(page), page.get_by_role("button", name="Clear"),
                     metric_value(page, "Prediction")):
            assert in_view(page, what), f"{what} is off screen on the {name}"
        box = canvas(page).bounding_box()
        assert box["width"] <= viewport["width"] - 32  # the canvas fits the screen's width
        # a finger taps Clear and draws the next digit at once
        page.get_by_role("button", name="Clear").tap()
        touch_digit(page, cdp, 1)
        reads(page, 1)
    finally:
        page.context.close()


def test_choosing_a_page_on_a_phone_closes_the_sidebar(chromium, app_server):
    page = open_page(chromium, app_server.url, PHONE, touch=True)
    try:
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        # the page's run puts the hook in (pages/shared/browser.py): a tap before it ran found
        # none in one clean-clone run, and the sidebar stayed open
        page.wait_for_function("() => window.__digitlabSidebarHook === true", timeout=30_000)
        page.locator('[data-testid="stExpandSidebarButton"]').tap()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Draw").tap()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        heading = page.get_by_role("heading", name="Draw").first
        expect(heading).to_be_visible()
        assert in_view(page, heading)
    finally:
        page.context.close()


def test_clear_then_draw_at_once_with_six_sessions_drawing(chromium, app_server, ledger):
    """Six fresh sessions each draw at once with the default model; each clears and draws the
    next digit at once; then the first goes on clearing and drawing at once, the others open."""
    pages = [open_page(chromium, f"{app_server.url}/draw") for _ in range(6)]
    ledger.sessions(len(pages))
    try:
        for page in pages:
            ready_to_draw(page)
            draw_digit(page, 1)
        assert pages[0].get_by_text("the default model (the Fast preset)").is_visible()
        for page in pages:
            reads(page, 1)
        for page in pages:  # every session clears and draws at once, one after another
            page.get_by_role("button", name="Clear").click()
            draw_digit(page, 0)
        for page in pages:
            reads(page, 0, timeout=60_000)
        first = pages[0]
        for then in (1, 0):
            first.get_by_role("button", name="Clear").click()
            draw_digit(first, then)  # no wait at all between the click and the stroke
            reads(first, then)
    finally:
        for page in pages:
            page.context.close()


def test_a_drawing_saved_on_draw_shows_on_the_class_set_page(chromium, app_server):
    page = open_page(chromium, f"{app_server.url}/draw")
    try:
        ready_to_draw(page)
        draw_digit(page, 0)
        reads(page, 0)
        page.get_by_role("button", name="Right: save as 0").click()
        expect(page.get_by_text("Saved as a 0").first).to_be_visible()
        page.get_by_role("button", name="Clear").click()
        draw_digit(page, 1)
        reads(page, 1)
        page.get_by_role("radiogroup", name="Wrong? It was a").get_by_role(
            "radio", name="7").click()
        expect(page.get_by_text("it fooled the model").first).to_be_visible()
        go_to(page, "Class set")
        expect(page.get_by_text("fooled the model that answered")).to_be_visible()
        page.get_by_role("tab", name="Stump board").click()
        expect(page.get_by_text("a 7, read as 1")).to_be_visible()
        page.get_by_role("tab", name="Digits").click()
        wait_idle(page)
        screenshot(page, "class-set")
    finally:
        page.context.close()


def test_a_class_server_shows_its_address_and_only_the_teacher_publishes(chromium, mnist,
                                                                           tmp_path):
    fresh = AppServer()  # its port is chosen now: the address goes in its environment
    env = {"DIGITLAB_CLASS_PASSWORD": "maple-42", "DIGITLAB_DB": str(tmp_path / "c.db"),
           "DIGITLAB_CLASS_URL": fresh.url}  # what `run.py app --class` passes on
    with environment(**env):
        with fresh:
            home = open_page(chromium, fresh.url)
            expect(home.get_by_text(f"{fresh.url}/draw")).to_be_visible()  # students land on Draw
            expect(home.locator('[data-testid="stImage"] img').first).to_be_visible()
            screenshot(home, "home-class")
            train_fast(home)
            home.get_by_text("Publish to the class").click()
            password = home.get_by_label("Class password (teacher)")
            password.fill("wrong")
            home.get_by_role("button", name="Unlock publishing").click()
            expect(home.get_by_text("That is not the class password.")).to_be_visible()
            password.fill("maple-42")
            home.get_by_role("button", name="Unlock publishing").click()
            home.get_by_role("button", name="Publish this model to the class").click()
            expect(home.get_by_text("This model is the class model.")).to_be_visible()
            student = open_page(chromium, f"{fresh.url}/draw")
            ready_to_draw(student)
            expect(student.get_by_text("the class model (published at")).to_be_visible()
            draw_digit(student, 0)
            reads(student, 0)
            student.context.close()
            home.context.close()
