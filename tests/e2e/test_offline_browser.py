"""Nothing leaves the machine: a whole lesson's session (every page, a fit, a drawing, an
upload, a sweep) makes the browser ask only the app's own server. A school's firewall blocks
other hosts, an offline classroom has none, and each would learn that a student opened the page
(the old page icon, `:material/draw:`, was fetched from fonts.gstatic.com on every visit)."""

from __future__ import annotations

import cv2
import numpy as np
from playwright.sync_api import expect

from tests.support.browser import (
    VIEWPORT,
    draw_digit,
    go_to,
    metric_value,
    shown,
    train_fast,
    wait_idle,
)

INLINE = ("data:", "blob:")  # made in the page itself: nothing is sent


def outside(urls: list[str], server: str) -> list[str]:
    """The addresses in `urls` that are neither the app's server nor made in the page."""
    own = (server + "/", server.replace("http://", "ws://", 1) + "/")
    return [u for u in urls if not u.startswith(own + INLINE) and u != server]


def test_outside_finds_other_hosts():
    server = "http://127.0.0.1:8621"
    asked = [f"{server}/", f"{server}/_stcore/health", "ws://127.0.0.1:8621/_stcore/stream",
             "data:image/svg+xml,x", "blob:http://127.0.0.1:8621/1",
             "https://fonts.gstatic.com/s/i/draw.svg", "http://127.0.0.1:8622/",
             "http://127.0.0.1:86210/"]
    assert outside(asked, server) == ["https://fonts.gstatic.com/s/i/draw.svg",
                                      "http://127.0.0.1:8622/", "http://127.0.0.1:86210/"]


def test_a_whole_session_asks_only_the_apps_own_server(chromium, app_server, tmp_path):
    context = chromium.new_context(viewport=VIEWPORT)
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    page = context.new_page()
    page.on("websocket", lambda ws: asked.append(ws.url))
    try:
        page.goto(app_server.url)
        wait_idle(page)
        train_fast(page)
        go_to(page, "Gallery")
        go_to(page, "Draw")
        draw_digit(page, 0)
        expect(metric_value(page, "Prediction")).to_be_visible()
        for tab in ("Looks like…", "Can you fool it?", "Why this answer"):
            page.get_by_role("tab", name=tab).click()
            wait_idle(page)
        page.get_by_text("Upload", exact=True).click()
        paper = np.full((300, 300), 235, np.uint8)
        cv2.line(paper, (150, 60), (150, 240), 30, 16, cv2.LINE_AA)
        picture = tmp_path / "one.png"
        cv2.imwrite(str(picture), paper)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(picture))
        expect(metric_value(page, "Prediction")).to_be_visible()
        wait_idle(page)
        go_to(page, "Sweep")
        grid = page.get_by_label("Values of C (comma-separated)", exact=True)
        grid.fill("0.1, 1")
        grid.press("Enter")
        wait_idle(page)
        page.locator('[data-testid="stSlider"]', has_text="Training images").get_by_role(
            "slider").press("Home")
        wait_idle(page)
        page.get_by_role("button", name="Run sweep").click()
        shown(page.get_by_role("button", name="Figure (PNG)"), timeout=180_000)
        wait_idle(page, timeout=180_000)
        go_to(page, "Class set")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Home").first.click()
        expect(page.get_by_text("The data")).to_be_visible()
        wait_idle(page)
    finally:
        context.close()
    assert len(asked) > 20  # the listener heard the session
    assert not outside(asked, app_server.url), (
        "the browser asked other hosts:\n" + "\n".join(sorted(set(outside(asked,
                                                                          app_server.url)))))
