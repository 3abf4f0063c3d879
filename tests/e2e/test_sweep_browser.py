"""The Sweep page in a real browser: type a grid, run it, watch it finish, download the figure
(the very picture on the page) and the numbers; a bad grid is a sentence."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import go_to, screenshot, shown, wait_idle


@pytest.fixture
def sweep_page(page):
    """A new visitor on the Sweep page (the shared `page` fixture: a context of its own)."""
    go_to(page, "Sweep")
    return page


def type_grid(page, text: str) -> None:
    box = page.get_by_label("Values of C (comma-separated)", exact=True)
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def few_images(page) -> None:
    """The Training images slider to its first stop (500), as a keyboard user would."""
    slider = page.locator('[data-testid="stSlider"]', has_text="Training images")
    slider.get_by_role("slider").press("Home")
    wait_idle(page)


def test_a_sweep_runs_and_its_figure_and_numbers_download(sweep_page):
    page = sweep_page
    type_grid(page, "0.001, 0.01, 0.1, 1, 10")
    few_images(page)
    expect(page.get_by_text("5 fits, run on this machine's cores")).to_be_visible()
    page.get_by_role("button", name="Run sweep").click()
    download = page.get_by_role("button", name="Figure (PNG)")
    shown(download, timeout=180_000)
    wait_idle(page, timeout=180_000)
    expect(page.get_by_text("Best test accuracy")).to_be_visible()
    expect(page.get_by_text("lbfgs runs to convergence")).to_be_visible()
    picture = page.locator('[data-testid="stImage"] img').first.get_attribute("src")
    with page.expect_download() as png:
        download.click()
    got = open(png.value.path(), "rb").read()
    assert got == page.request.get(picture).body()  # the PNG offered is the figure shown
    with page.expect_download() as csv:
        page.get_by_role("button", name="Numbers (CSV)").click()
    lines = open(csv.value.path()).read().splitlines()
    assert lines[0].startswith("C,l1_ratio,solver") and len(lines) == 6
    screenshot(page, "sweep")


def test_a_bad_grid_is_a_sentence_and_nothing_runs(sweep_page):
    type_grid(sweep_page, "0.1, -1")
    expect(sweep_page.get_by_text("C must be positive")).to_be_visible()
    expect(sweep_page.get_by_role("button", name="Run sweep")).to_be_disabled()
