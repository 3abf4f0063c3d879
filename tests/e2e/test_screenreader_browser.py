"""What a screen reader hears on the Draw page: the Prediction's sentence sits in a live region
(aria-live="polite", pages/shared/browser.py's `announce`) that exists before it changes and
whose text changes with a new drawing, so the new answer is read out without moving focus."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import clear_canvas, draw_digit, metric_value, wait_idle

LIVE = '[aria-live="polite"]#digitlab-live'


def test_the_prediction_is_announced_when_it_changes(visitor_at):
    page = visitor_at("draw")
    draw_digit(page, 1)
    expect(metric_value(page, "Prediction")).to_have_text("1")
    wait_idle(page)
    region = page.locator(LIVE)
    expect(region).to_have_count(1)
    expect(region).to_have_attribute("role", "status")
    expect(region).to_contain_text("reads 1")
    first = region.text_content()
    handle = region.element_handle()  # the same element must carry the next answer
    clear_canvas(page)
    draw_digit(page, 0)
    expect(metric_value(page, "Prediction")).to_have_text("0")
    expect(region).to_contain_text("reads 0")
    assert region.text_content() != first
    assert handle is not None and handle.evaluate("e => e.isConnected")
    assert page.locator(LIVE).count() == 1
