"""See inside the model, in a real browser: draw a digit and read its scores (and that they add
up), open the maths, try to fool it with the rotation slider, click a confusion-matrix cell and
see its images. Screenshots: test-output/screenshots/inside-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import (
    clear_canvas,
    draw_digit,
    metric_value,
    screenshot,
    shown,
    wait_idle,
)

SUM = re.compile(r"Σ map ([+-][\d.]+)\s+\+\s+b\S+ ([+-][\d.]+)\s+=\s+z\S+ ([+-][\d.]+)")


def no_toast_covers_it(page) -> None:
    """Before a screenshot, wait until no toast ("Same settings as an earlier fit: reused it")
    covers the page: a toast leaves by itself after a few seconds, as a person sees it go.
    Never its Close button: a toast is nothing to click (one that left between finding it and
    clicking it held a test for the whole timeout)."""
    page.mouse.move(5, 5)  # the pointer away from the toasts (bottom right) and the charts
    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)


def show(page, text: str) -> None:
    """Scroll so that `text` is near the top of the window (clear of the app's header), for a
    screenshot of what follows."""
    no_toast_covers_it(page)
    page.get_by_text(text).first.evaluate("""e => {
        e.scrollIntoView({block: 'start'});
        let box = e.parentElement;
        while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
        if (box) box.scrollBy(0, -70);
    }""")


def test_clicking_a_confusion_cell_shows_its_test_images(trained):
    page = trained  # on the Train page, with the Fast preset's scores
    expect(page.get_by_text("Weights exactly 0")).to_be_visible()
    show(page, "What the model learned")
    screenshot(page, "inside-weights")
    cell = page.locator('[data-testid="stVegaLiteChart"] path'
                        '[aria-label*="true_digit: 4;"][aria-label*="predicted_digit: 9;"]')
    count = int(re.search(r"test images: (\d+)", cell.get_attribute("aria-label")).group(1))
    cell.click()
    heading = page.get_by_text(re.compile(r"^True 4, predicted 9: "))
    expect(heading).to_have_text(re.compile(rf"^True 4, predicted 9: {count:,} test images"))
    expect(page.get_by_role("button", name="Open these in the Gallery")).to_be_visible()
    wait_idle(page)
    no_toast_covers_it(page)  # which also moves the pointer: no tooltip over the picture
    page.locator("h1").first.evaluate("e => e.scrollIntoView()")
    screenshot(page, "inside-confusion")


def test_a_drawn_digit_shows_scores_that_add_up_and_the_maths(visitor_at):
    page = visitor_at("draw")  # the server's default model: a Fast preset as any
    draw_digit(page, 0)
    prediction = metric_value(page, "Prediction")
    shown(prediction, timeout=20_000)
    expect(page.get_by_text("= evidence for").first).to_be_visible()
    wait_idle(page)
    captions = page.locator(".dl-pictures figcaption").all_inner_texts()
    sums = [m for m in (SUM.search(" ".join(c.split())) for c in captions) if m]
    assert len(sums) == 2, captions  # the answer's and the runner-up's evidence
    for m in sums:  # the printed numbers add up, to the printed precision
        evidence, intercept, score = (float(v) for v in m.groups())
        assert abs(evidence + intercept - score) <= 0.011
    answer_caption = next(c for c in captions if "= evidence for" in c)
    assert f"= evidence for {prediction.inner_text()}:" in answer_caption
    # the scores chart labels each bar with the same score, and the table prints it
    bar_labels = page.locator("figure.dl-bars div").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert f"{float(sums[0].group(3)):.2f}" in bar_labels
    expect(page.locator("table.dl-table").first).to_contain_text(
        "probability")
    show(page, "weights w")
    screenshot(page, "inside-why")
    page.get_by_text("The maths, with these numbers").click()
    expect(page.locator('[data-testid="stExpander"] .katex').first).to_be_visible()
    expect(page.get_by_text("the probability shown")).to_be_visible()
    wait_idle(page)
    show(page, "The maths, with these numbers")
    screenshot(page, "inside-maths")


def test_turning_the_drawing_reaches_the_model(visitor_at):
    page = visitor_at("draw")
    draw_digit(page, 1)  # a 1 turns into other digits; a 0 barely changes
    shown(metric_value(page, "Prediction"), timeout=20_000)
    page.get_by_role("tab", name="Can you fool it?").click()
    expect(metric_value(page, "Answer after the changes")).to_be_visible()
    thumb = page.get_by_role("slider", name="Rotate (°)")
    thumb.focus()
    for _ in range(12):  # 12 steps of 5 degrees
        page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Your drawing, turned +60°")).to_be_visible()  # the last step's run
    expect(thumb).to_have_value("60")
    expect(page.get_by_text(re.compile("the rotation: .* reaches the model"))).to_be_visible()
    wait_idle(page)
    show(page, "Can you fool it?")
    screenshot(page, "inside-fool")
    # the next drawing opens on the same tab (Clear hides the tabs for a moment)
    clear_canvas(page)
    draw_digit(page, 0)
    shown(metric_value(page, "Answer after the changes"), timeout=20_000)
    expect(page.get_by_role("tab", name="Can you fool it?")).to_have_attribute(
        "aria-selected", "true")
