"""A student whose fit or sweep waits in the queue (issue 25), in a real browser: their place in
large type, the rest of the page drawn and not greyed out while they wait, and their result as
soon as the work ahead of theirs ends (or out of the queue when they leave it)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from digitlab.lab import links
from digitlab.training import tutorial
from tests.support.browser import (
    POLL_MS,
    STOP_TRAINING,
    AppServer,
    metric_value,
    new_page,
    screenshot,
    shown,
    wait_idle,
)
from tests.support.procs import environment

WAITING = re.compile("is next|ahead of yours")
# A fit's status ("Training (sag)…", then "Training: …"), not the "Training images" slider
# that the sidebar can hold as well.
TRAINING = re.compile(r"^Training(:| \()")
# What is greyed out on the page (Streamlit's stale elements that take room): an element of the
# run before, still shown while this run has not drawn it again.
GREYED = """() => [...document.querySelectorAll('[data-stale="true"]')]
    .filter((el) => el.offsetHeight > 0).map((el) => el.innerText.slice(0, 80))"""


@pytest.fixture(scope="module")
def one_at_a_time(mnist):
    """A server that runs one fit and one sweep at a time: the second waits."""
    with environment(DIGITLAB_FIT_WORKERS="1", DIGITLAB_SWEEP_WORKERS="1"), AppServer() as server:
        yield server


def train_the_tutorial(page) -> None:
    """Press Train on the tutorial's own settings (a fit of minutes, which holds the only
    worker) and wait until it fits."""
    page.get_by_role("button", name="Tutorial settings").click()
    # the preset's settings on the page before Train is pressed, as a person sees them (an
    # idle page right after the click can still be the run before it: then Train fitted the
    # Fast settings, which the server's default model answered at once, and nothing queued)
    train = page.get_by_role("button", name=re.compile("^Train anyway"))
    expect(train).to_be_visible()
    wait_idle(page)
    train.click()
    expect(page.get_by_text(TRAINING).first).to_be_visible()


def test_a_waiting_student_sees_their_place_and_then_their_result(chromium, one_at_a_time):
    server = one_at_a_time
    ahead = new_page(chromium, f"{server.url}/train")
    student = new_page(chromium, f"{server.url}/train?C=0.37")
    try:
        train_the_tutorial(ahead)
        student.get_by_role("button", name="Train", exact=True).click()
        expect(student.get_by_text(WAITING).first).to_be_visible()
        expect(student.get_by_role("button", name="Leave the queue")).to_be_visible()
        # the page around the place is this run's, not the last run's greyed out (the
        # "press Train" hint stood there, faded, for as long as the fit waited). A run is
        # greyed while it is drawn again: only a page that stays so fails.
        try:
            student.wait_for_function(f"() => ({GREYED})().length === 0", timeout=20_000,
                                      polling=POLL_MS)
        except PlaywrightTimeout:
            raise AssertionError(f"greyed out while the fit waits: {student.evaluate(GREYED)}") \
                from None
        expect(student.get_by_text("Pick a preset")).to_have_count(0)
        screenshot(student, "train-waiting")
        ahead.locator(STOP_TRAINING).first.click()  # the fit ahead ends: the student's turn
        shown(metric_value(student, "Test accuracy"), timeout=120_000)
        expect(student.get_by_text(WAITING)).to_have_count(0)
    finally:
        ahead.context.close()
        student.context.close()


def test_a_fit_whose_turn_comes_runs_under_train_which_is_off_until_it_ends(chromium,
                                                                             one_at_a_time):
    # The page that waited follows the fit in the same run (one run of the page fewer per
    # waiting student in a class): its place gives way to the fit's progress, and Train is off
    # as for any running fit. Both fits are the tutorial's (minutes each), with their own C.
    server = one_at_a_time
    tutorial_with_own_c = urlencode(links.to_query(tutorial.CONFIG.replace(C=0.37)))
    ahead = new_page(chromium, f"{server.url}/train")
    student = new_page(chromium, f"{server.url}/train?{tutorial_with_own_c}")
    try:
        train_the_tutorial(ahead)
        train = student.get_by_role("button", name=re.compile("^Train( anyway|$)"))
        train.click()
        expect(student.get_by_text(WAITING).first).to_be_visible()
        expect(train).to_be_enabled()  # a press while waiting replaces the fit
        ahead.locator(STOP_TRAINING).first.click()  # the fit ahead ends: the student's turn
        expect(student.get_by_text(TRAINING).first).to_be_visible(timeout=60_000)
        expect(student.get_by_text(WAITING)).to_have_count(0)
        expect(train).to_be_disabled()
        expect(student.locator(STOP_TRAINING).first).to_be_enabled()
        expect(student.get_by_text("Model: training (sag)")).to_be_visible()
        screenshot(student, "train-turn-came")
        student.locator(STOP_TRAINING).first.click()  # sag keeps nothing: the page says so
        expect(student.get_by_text("Your previous model is kept")).to_be_visible(
            timeout=60_000)
        expect(train).to_be_enabled()
    finally:
        ahead.context.close()
        student.context.close()


def test_a_waiting_sweep_shows_its_place_and_can_leave_the_queue(chromium, one_at_a_time):
    server = one_at_a_time
    ahead = new_page(chromium, f"{server.url}/sweep")
    student = new_page(chromium, f"{server.url}/sweep")
    try:
        ahead.get_by_role("button", name="Run sweep").click()  # the default: seconds to a minute
        expect(ahead.get_by_role("button", name="Stop sweep")).to_be_enabled()
        # a sweep of the student's own (the same one would follow the one ahead, not queue)
        grid = student.get_by_label("Values of C (comma-separated)", exact=True)
        grid.fill("0.001, 0.1, 10, 1000")
        grid.press("Enter")
        wait_idle(student)
        student.get_by_role("button", name="Run sweep").click()
        expect(student.get_by_text(WAITING).first).to_be_visible()
        student.wait_for_timeout(1500)
        stale = student.evaluate(GREYED)
        assert stale == [], f"greyed out while the sweep waits: {stale}"
        expect(student.get_by_text("Choose a curve in the sidebar")).to_have_count(0)
        student.get_by_role("button", name="Leave the queue").click()
        expect(student.get_by_text(WAITING)).to_have_count(0)
        expect(student.get_by_role("button", name="Run sweep")).to_be_enabled()
    finally:
        ahead.get_by_role("button", name="Stop sweep").click()
        ahead.context.close()
        student.context.close()
