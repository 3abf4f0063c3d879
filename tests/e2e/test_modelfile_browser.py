"""A model file in a real browser: download the trained model from Train's Model file menu,
upload it in another visitor's fresh page, and that visitor's Draw answers with it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import go_to, metric_value, new_page, wait_idle


def test_a_downloaded_model_uploads_into_a_new_session(trained, chromium, app_server,
                                                        tmp_path):
    accuracy = metric_value(trained, "Test accuracy").inner_text()
    trained.get_by_role("button", name="Model file").click()
    with trained.expect_download() as download:
        trained.get_by_role("button", name="Download this model (.skops)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("digitlab-digitlab-fast-C1-acc") and path.stat().st_size > 1000

    other = new_page(chromium, f"{app_server.url}/train")
    try:
        expect(other.locator("h1", has_text="Train")).to_be_visible()
        other.get_by_role("button", name="Model file").click()
        other.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
        expect(other.get_by_text("Draw and Gallery use it now")).to_be_visible()
        wait_idle(other)
        other.keyboard.press("Escape")
        expect(metric_value(other, "Test accuracy")).to_have_text(accuracy)
        go_to(other, "Draw")
        expect(other.get_by_text("Answering:")).to_have_count(0)  # its own model, not the default
    finally:
        other.context.close()
