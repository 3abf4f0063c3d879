"""In Chromium: the Robust preset (deskew + augmented training) trains from the Train page, and
its model reads a digit drawn with the mouse; the RBF feature choice is one click away."""

from __future__ import annotations

import pytest

from .app_utils import draw_digit, go_to, metric_value, new_page, screenshot, wait_idle


@pytest.fixture(scope="module")
def page(chromium, app_server):
    page = new_page(chromium, app_server.url)
    yield page
    page.close()


def test_the_robust_preset_trains_and_reads_a_drawing(page):
    go_to(page, "Train")
    page.get_by_role("button", name="Robust").click()
    wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Augment (stretched, re-inked").is_visible()
    assert sidebar.get_by_text("RBF kernel (Nystroem)").is_visible()
    page.get_by_role("button", name="Train", exact=True).click()
    metric_value(page, "Test accuracy").wait_for(timeout=180_000)
    wait_idle(page, timeout=180_000)
    assert float(metric_value(page, "Test accuracy").inner_text()) > 0.9
    screenshot(page, "train-robust")
    go_to(page, "Draw")
    draw_digit(page, 1)
    prediction = metric_value(page, "Prediction")
    prediction.wait_for(timeout=20_000)
    wait_idle(page)
    assert prediction.inner_text() == "1"
