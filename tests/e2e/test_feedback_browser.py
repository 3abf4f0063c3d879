"""Feedback where the eye is: on a 390x844 phone the save row and "Wrong? It was a …" are on
the first screen and a save says so in view; an upload the browser refuses (a text file, a
picture over the size limit) is said in a sentence by the uploader and the old answer goes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    PHONE,
    canvas,
    in_view,
    metric_value,
    screenshot,
    touch_digit,
    wait_idle,
)

UPLOAD = '[data-testid="stFileUploaderDropzoneInput"]'
ALERT = '[data-testid="stAlert"]'


@pytest.fixture
def phone(chromium, app_server):
    """A new visitor on /draw on a phone held upright, with touch."""
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{app_server.url}/draw")
    expect(canvas(page)).to_be_visible()
    wait_idle(page)
    yield page
    context.close()


def test_on_a_phone_the_wrong_buttons_are_in_view_and_a_save_says_so_in_view(phone):
    page = phone
    touch_digit(page, page.context.new_cdp_session(page), 0)
    expect(metric_value(page, "Prediction")).to_be_visible()
    wait_idle(page)
    wrong = page.locator(".st-key-classset_wrong")
    expect(wrong.get_by_role("button").first).to_be_visible()
    assert in_view(page, wrong), f"'Wrong? It was a …' is cut off: {wrong.bounding_box()}"
    page.get_by_role("button", name="Right: save as").last.tap()
    toast = page.locator('[data-testid="stToast"]', has_text="Saved as a")
    expect(toast).to_be_visible()
    assert in_view(page, toast), f"the save's confirmation is off screen: {toast.bounding_box()}"
    screenshot(page, "phone-draw-after-save")


def refused(page, path, why: str) -> None:
    page.locator(UPLOAD).set_input_files(str(path))
    expect(page.locator(ALERT, has_text=why)).to_be_visible()
    expect(metric_value(page, "Prediction")).to_have_count(0)  # the old answer went
    wait_idle(page)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}],
                         ids=["phone", "desktop"])
def test_a_refused_upload_says_why_by_the_uploader_and_clears_the_old_answer(
        chromium, app_server, tmp_path, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/draw")
        wait_idle(page)
        page.get_by_text("Upload", exact=True).click()
        paper = np.full((300, 300), 235, np.uint8)
        cv2.ellipse(paper, (150, 150), (50, 90), 0, 0, 360, 30, 16, cv2.LINE_AA)
        good = tmp_path / "zero.png"
        cv2.imwrite(str(good), paper)
        page.locator(UPLOAD).set_input_files(str(good))
        expect(metric_value(page, "Prediction")).to_be_visible()
        text = tmp_path / "notes.txt"
        text.write_text("not a picture\n")
        refused(page, text, "“notes.txt” is not a picture")
        # over the server's upload limit (25 MB): the browser refuses it before sending
        huge = tmp_path / "huge.png"
        huge.write_bytes(good.read_bytes() + bytes(26 * 1024 * 1024))
        refused(page, huge, "“huge.png” is larger than the 25 MB")
        sentence = page.locator(ALERT, has_text="larger than")
        uploader = page.locator('[data-testid="stFileUploader"]')
        gap = sentence.bounding_box()["y"] - uploader.bounding_box()["y"]
        assert 0 < gap < 250, f"the sentence is {gap} px from the uploader"
        screenshot(page, f"upload-refused-{viewport['width']}")
        # the refused chips removed, the picture that was read answers again
        for name in ("huge.png", "notes.txt"):
            page.get_by_role("button", name=f"Remove {name}").click()
        expect(metric_value(page, "Prediction")).to_have_text("0")
    finally:
        context.close()

