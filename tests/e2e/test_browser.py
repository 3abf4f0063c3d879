"""DigitLab in a real browser: train a quick model, look at every page, draw a 1 and a 0 with the
mouse and read the Prediction metric. Each test is a new visitor on a fresh page (conftest.py);
the ones about a model of their own train it (`trained`), the others look and draw with the
server's default model, the same Fast preset (`visitor_at`). Screenshots go to
test-output/screenshots/<page>.png."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import (
    clear_canvas,
    draw_digit,
    go_to,
    metric_value,
    screenshot,
    shown,
    train_fast,
    wait_idle,
)


def test_home_shows_the_data_and_the_way_on(page):
    expect(page.get_by_text("70,000 handwritten digits")).to_be_visible()
    expect(page.get_by_text("No model is trained yet")).to_be_visible()
    images = page.locator('[data-testid="stImage"] img')
    expect(images.nth(1)).to_be_visible()
    assert images.count() >= 2  # the grid and the balance
    screenshot(page, "home")


def test_train_fast_preset_shows_accuracy_and_heatmap_to_this_visitor_only(page, visitor_at):
    train_fast(page)
    assert float(metric_value(page, "Test accuracy").inner_text()) > 0.85
    shown(page.get_by_text("Confusion matrix").first)  # waited for, as a person looks for it
    screenshot(page, "train")
    # another browser session does not see this model: a visitor of its own (a new session)
    other = visitor_at("draw")  # draws with the server's default model, not the first's
    expect(other.get_by_text("Answering: the default model")).to_be_visible()
    go_to(page, "Draw")  # ...while the first visitor still has theirs
    expect(page.get_by_text("Answering:")).to_have_count(0)


def test_gallery_shows_the_first_test_image(visitor_at):
    page = visitor_at("gallery")
    assert metric_value(page, "True label").inner_text() in [str(d) for d in range(10)]
    expect(metric_value(page, "Predicted")).to_be_visible()
    screenshot(page, "gallery")
    page.get_by_text("Grid", exact=True).click()
    expect(page.get_by_text("red titles are mistakes")).to_be_visible()  # the grid's caption
    expect(metric_value(page, "True label")).to_have_count(0)  # in place of the single view
    wait_idle(page)
    screenshot(page, "gallery-grid")
    page.get_by_text("One at a time", exact=True).click()
    expect(metric_value(page, "True label")).to_be_visible()


def test_draw_reads_a_mouse_drawn_1_and_0(visitor_at):
    page = visitor_at("draw")
    prediction = metric_value(page, "Prediction")
    for digit in (1, 0):
        draw_digit(page, digit)
        shown(prediction, timeout=20_000)
        wait_idle(page)
        got = prediction.inner_text()
        screenshot(page, "draw" if digit == 0 else f"draw-{digit}")
        assert got == str(digit), f"drew a {digit}, the model read {got}"
        clear_canvas(page)  # and Clear gives a blank pad again, ready for the next digit
        expect(prediction).to_have_count(0)


def test_undo_takes_back_a_stroke_and_a_fresh_canvas_has_no_answer(visitor_at):
    """Undo takes back the last stroke only (a 1 and a 0 read as one digit; Undo: the 1 again),
    and a canvas drawn anew (the page left and opened again, Upload and back) is empty, with
    no answer left beside it from the drawing before."""
    page = visitor_at("draw")
    prediction = metric_value(page, "Prediction")
    draw_digit(page, 1)
    expect(prediction).to_have_text("1", timeout=20_000)
    draw_digit(page, 0)  # over it: the two strokes read as one digit, not a 1
    expect(prediction).not_to_have_text("1", timeout=20_000)
    page.get_by_role("button", name="Undo").click()
    expect(prediction).to_have_text("1", timeout=20_000)
    go_to(page, "Train")
    go_to(page, "Draw")
    expect(page.get_by_text("draw a digit").first).to_be_visible()
    expect(prediction).to_have_count(0)
    draw_digit(page, 1)
    expect(prediction).to_have_text("1", timeout=20_000)
    page.get_by_text("Upload", exact=True).click()
    # Back to Draw once the uploader is there, as a person would: two clicks faster than the
    # server's run are one run that never left Draw (the canvas and its answer stay, rightly).
    shown(page.locator('[data-testid="stFileUploaderDropzone"]'))
    expect(prediction).to_have_count(0)
    page.get_by_text("Draw", exact=True).last.click()
    expect(page.get_by_text("draw a digit").first).to_be_visible()
    expect(prediction).to_have_count(0)


def test_draw_reads_an_uploaded_picture(visitor_at, tmp_path):
    """A photo-like upload: dark ink on light paper, not square, digit off-centre."""
    page = visitor_at("draw")
    import cv2
    import numpy as np

    paper = np.full((300, 400), 235, np.uint8)
    cv2.ellipse(paper, (150, 160), (50, 90), 0, 0, 360, 30, 16, cv2.LINE_AA)
    path = tmp_path / "zero.png"
    cv2.imwrite(str(path), paper)
    page.get_by_text("Upload", exact=True).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    prediction = metric_value(page, "Prediction")
    shown(prediction, timeout=20_000)
    wait_idle(page)
    screenshot(page, "draw-upload")
    assert prediction.inner_text() == "0"


# A shared link opening inside the app as a fresh server's first request: the teacher's link
# to the Class view in test_classview_browser.py (a fresh class server of its own anyway).
