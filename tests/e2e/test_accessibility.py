"""Every page passes axe-core's WCAG 2.1 A and AA rules (tests/support/accessibility.py) as a
student sees it after a lesson's first steps: a model trained (the Fast preset), a digit drawn,
each of the Draw page's tabs and every expander open. One visitor, one fit, one browser. On
the way, no page shows a path on the server's disk.

A serious or critical violation fails the test with its rule and the element it is about
(`color-contrast` at `.stCaption p`, say): that is the line to fix, in the theme
(.streamlit/config.toml) where the rule is about colour."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.support.accessibility import report, serious, violations
from tests.support.browser import (
    CANVAS,
    ROOT,
    draw_digit,
    metric_value,
    new_page,
    shown,
    train_fast,
    wait_idle,
)

# Each page by its name in the navigation, and its heading (Home's is the app's name).
PAGES = {"Home": "DigitLab", "Train": "Train", "Gallery": "Gallery", "Draw": "Draw",
         "Sweep": "Sweep", "Class set": "Class set"}
DRAW_TABS = ["Why this answer", "Looks like…", "Can you fool it?"]
CLOSED = '[data-testid="stExpander"] details:not([open]) > summary'


def open_expanders(page) -> None:
    """Open every expander on the page (one at a time: opening one may rerun the page)."""
    for _ in range(20):  # more than any page has
        closed = page.locator(CLOSED)
        if closed.count() == 0:
            return
        closed.first.click()
        wait_idle(page)


def visit(page, title: str, heading: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    shown(page.locator("h1", has_text=heading).first)
    wait_idle(page)


def save(page) -> None:
    """Save the drawing to the class set, as read ("Right: save as 0") or, if the model read
    it wrong, as a 0 ("Wrong? It was a …")."""
    right = page.get_by_role("button", name=re.compile(r"^Right: save as"))
    if right.count():
        right.first.click()
    else:
        page.get_by_role("radiogroup", name="Wrong? It was a").get_by_role(
            "radio", name="0").click()
    shown(page.get_by_text("Saved as a").first)
    wait_idle(page)


# Places on the server's disk a page must not show to its visitors: the home folder (the data
# cache is under it), the app's own folder, the class set's folder.
SERVER_PATHS = [str(Path.home()), str(ROOT),
                *([str(Path(os.environ["DIGITLAB_DB"]).parent)] if "DIGITLAB_DB" in os.environ
                  else [])]


def check(page, where: str, found: dict, rules: list[str] | None = None) -> None:
    open_expanders(page)
    found[where] = serious(violations(page, rules))
    text = page.locator("body").inner_text()
    shown = [path for path in SERVER_PATHS if path in text]
    assert not shown, f"{where} shows the server's path {shown}"


def lesson(page, rules: list[str] | None = None) -> dict[str, list]:
    """The serious or critical nodes of each page and Draw tab after a fit and a drawing."""
    found: dict[str, list] = {}
    train_fast(page)
    for title, heading in PAGES.items():
        visit(page, title, heading)
        if title != "Draw":
            check(page, title, found, rules)
            continue
        page.wait_for_selector(CANVAS)  # a stroke before the canvas is lost
        wait_idle(page)
        draw_digit(page, 0)
        shown(metric_value(page, "Prediction"), timeout=60_000)
        wait_idle(page)
        save(page)  # so Class set shows its grid and filters, whatever ran before on this server
        for tab in DRAW_TABS:
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
            wait_idle(page)
            check(page, f"Draw / {tab}", found, rules)
    return found


def test_every_page_has_no_serious_accessibility_violation(page):
    found = lesson(page)
    counts = {where: len(nodes) for where, nodes in found.items()}
    print("axe serious or critical, per page:", counts)
    bad = "\n".join(report(where, nodes) for where, nodes in found.items() if nodes)
    assert not bad, f"axe found serious or critical violations:\n{bad}"


def test_projector_mode_reaches_enhanced_contrast_on_every_page(chromium, app_server):
    """Projector mode (?projector=1, pages/shared/projector.py) promises 7:1: axe's AAA rule
    `color-contrast-enhanced` passes on every page and tab, captions included. The visitor
    opens the projector link itself (not Home first: a page load the test never looked at)."""
    page = new_page(chromium, f"{app_server.url}/?projector=1")
    try:
        expect(page.get_by_role("switch", name="Projector mode")).to_be_checked()
        assert float(page.evaluate("() => getComputedStyle(document.body).fontSize")[:-2]) >= 20
        found = lesson(page, ["color-contrast-enhanced"])
    finally:
        page.context.close()
    print("axe color-contrast-enhanced in projector mode, per page:",
          {where: len(nodes) for where, nodes in found.items()})
    bad = "\n".join(report(where, nodes) for where, nodes in found.items() if nodes)
    assert not bad, f"projector mode is below 7:1 here:\n{bad}"


def prediction_px(chromium, url: str) -> tuple[float, float]:
    """(the Prediction's digit, the page title) in CSS pixels, on Draw at `url` after a 0."""
    page = new_page(chromium, url)
    try:
        page.wait_for_selector(CANVAS)
        wait_idle(page)
        draw_digit(page, 0)
        value = metric_value(page, "Prediction")
        shown(value, timeout=60_000)
        size = "(e) => parseFloat(getComputedStyle(e).fontSize)"
        return value.evaluate(size), page.locator("h1").first.evaluate(size)
    finally:
        page.context.close()


def test_projector_mode_makes_the_drawn_digits_answer_larger_not_smaller(chromium, app_server):
    """The answer is the Draw page's point: in projector mode it grows with the text around it
    (projector mode once set every metric to one size, which shrank it below the plain page's)
    and stays larger than the page's title."""
    plain, _ = prediction_px(chromium, f"{app_server.url}/draw")
    projected, title = prediction_px(chromium, f"{app_server.url}/draw?projector=1")
    assert projected > plain and projected > title, (plain, projected, title)
