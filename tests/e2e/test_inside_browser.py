"""See inside the model, in a real browser: draw a digit and read its scores (and that they add
up), open the maths, try to fool it with the rotation slider, click a confusion-matrix cell and
see its images. Screenshots: test-output/screenshots/inside-*.png."""

from __future__ import annotations

import re

import pytest

from .app_utils import (
    clear_canvas,
    draw_digit,
    go_to,
    metric_value,
    new_page,
    screenshot,
    train_preset,
    wait_idle,
)

SUM = re.compile(r"Σ map ([+-][\d.]+)\s+\+\s+b\S+ ([+-][\d.]+)\s+=\s+z\S+ ([+-][\d.]+)")


@pytest.fixture(scope="module")
def page(chromium, app_server):
    """A page of its own with the Fast preset trained (instant if another test fitted it)."""
    page = new_page(chromium, app_server.url)
    train_preset(page, "Fast", timeout=120_000)
    yield page
    page.close()


def show(page, text: str) -> None:
    """Scroll so that `text` is near the top of the window, for a screenshot of what
    follows (clear of the app's header)."""
    page.get_by_text(text).first.evaluate("""e => {
        e.scrollIntoView({block: 'start'});
        let box = e.parentElement;
        while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
        if (box) box.scrollBy(0, -70);
    }""")
    page.wait_for_timeout(200)


def test_clicking_a_confusion_cell_shows_its_test_images(page):
    if "Train" not in page.locator("h1").first.inner_text():
        go_to(page, "Train")
    show(page, "What the model learned")
    assert page.get_by_text("Weights exactly 0").is_visible()
    screenshot(page, "inside-weights")
    cell = page.locator('[data-testid="stVegaLiteChart"] path'
                        '[aria-label*="true_digit: 4;"][aria-label*="predicted_digit: 9;"]')
    count = int(re.search(r"test images: (\d+)", cell.get_attribute("aria-label")).group(1))
    page.locator("h1").first.evaluate("e => e.scrollIntoView()")
    cell.click()
    heading = page.get_by_text(re.compile(r"^True 4, predicted 9: "))
    heading.wait_for()
    wait_idle(page)
    assert heading.inner_text().startswith(f"True 4, predicted 9: {count:,} test images")
    page.mouse.move(5, 5)  # no tooltip over the picture
    screenshot(page, "inside-confusion")


def test_a_drawn_digit_shows_scores_that_add_up_and_the_maths(page):
    go_to(page, "Draw")
    draw_digit(page, 0)
    prediction = metric_value(page, "Prediction")
    prediction.wait_for(timeout=20_000)
    page.get_by_text("= evidence for", exact=False).first.wait_for()
    wait_idle(page)
    captions = page.locator('[data-testid="stImageCaption"]').all_inner_texts()
    sums = [m for m in (SUM.search(" ".join(c.split())) for c in captions) if m]
    assert len(sums) == 2, captions  # the answer's and the runner-up's evidence
    for m in sums:
        evidence, intercept, score = (float(v) for v in m.groups())
        assert abs(evidence + intercept - score) <= 0.011
    answer_caption = next(c for c in captions if "= evidence for" in c)
    assert f"= evidence for {prediction.inner_text()}:" in answer_caption
    # the scores chart labels each bar with the same score
    bar_labels = page.locator('[data-testid="stVegaLiteChart"] text').evaluate_all(
        "els => els.map(e => e.textContent)")
    assert f"{float(sums[0].group(3)):.2f}" in bar_labels
    show(page, "weights w")
    screenshot(page, "inside-why")
    page.get_by_text("The maths, with these numbers").click()
    page.locator('[data-testid="stExpander"] .katex').first.wait_for()
    wait_idle(page)
    show(page, "The maths, with these numbers")
    screenshot(page, "inside-maths")


def test_turning_the_drawing_reaches_the_model(page):
    if "Draw" not in page.locator("h1").first.inner_text():
        go_to(page, "Draw")
    else:
        clear_canvas(page)
    draw_digit(page, 1)  # a 1 turns into other digits; a 0 barely changes
    metric_value(page, "Prediction").wait_for(timeout=20_000)
    page.get_by_role("tab", name="Can you fool it?").click()
    after = metric_value(page, "Answer after the changes")
    after.wait_for()
    wait_idle(page)
    thumb = page.get_by_role("slider", name="Rotate (°)")
    thumb.focus()
    for _ in range(12):  # 12 steps of 5 degrees
        page.keyboard.press("ArrowRight")
    page.get_by_text("Your drawing, turned +60°").wait_for()  # the last key's run is shown
    wait_idle(page)
    assert thumb.input_value() == "60"
    assert page.get_by_text(re.compile("the rotation: .* reaches the model")).is_visible()
    show(page, "Can you fool it?")
    screenshot(page, "inside-fool")
