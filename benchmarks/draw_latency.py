"""How long from lifting the mouse to the Draw page's Prediction metric changing, in Chromium.

    python -m benchmarks.draw_latency [--trials 15] [--tab "Looks like…"]   (from the root)

Starts two servers on free ports: DigitLab (trains the Fast preset through the Train
page, then draws on the Draw page) and, as the baseline, benchmarks/bare_canvas_app.py
(streamlit-drawable-canvas, the app's canvas until DigitLab drew its own, and nothing else).
Each trial clears the canvas, draws a "1" with the mouse and times, inside the page, from the
`mouseup` event to the moment the Prediction metric appears. Prints both medians side by side.
A measurement, not a test: it asserts nothing about speed.
`--tab` opens one of the Draw page's look-inside tabs first (default: the one a visitor sees,
"Why this answer"), so each tab's work can be measured against the same baseline.

The drawable canvas waits 200 ms after mouse-up before it sends (a debounce in its frontend),
so the bare page cannot beat ~0.2 s here; DigitLab's canvas (pages/shared/canvas.py) sends
at once.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from playwright.sync_api import expect

from tests.support.browser import (  # the browser tests' helpers: one way to drive the app
    ANSWER_WATCH,
    AppServer,
    canvas,
    clear_canvas,
    digit_strokes,
    draw_stroke,
    go_to,
    launch_chromium,
    new_page,
    wait_idle,
)


def trial(page) -> float:
    """Seconds from mouse-up to the metric, for one "1" drawn on a cleared canvas."""
    clear_canvas(page)
    page.evaluate(ANSWER_WATCH, "mouseup")
    draw_stroke(page, digit_strokes(1)[0])
    page.wait_for_function("window.__shown !== null", timeout=30_000)
    wait_idle(page)
    return page.evaluate("(window.__shown - window.__up) / 1000")


def open_tab(page, tab: str) -> None:
    """Draw a digit (the tabs show under an answer) and open the look-inside tab `tab`."""
    draw_stroke(page, digit_strokes(1)[0])
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)


def measure(browser, url: str, trials: int, digitlab: bool, tab: str | None = None
            ) -> list[float]:
    page = new_page(browser, url)
    if digitlab:
        go_to(page, "Train")
        page.get_by_role("button", name="Fast").click()
        wait_idle(page)
        page.get_by_role("button", name="Train", exact=True).click()
        page.locator('[data-testid="stMetric"]', has_text="Test accuracy").wait_for(
            timeout=300_000)
        wait_idle(page)
        go_to(page, "Draw")
    canvas(page).wait_for()
    if tab:
        open_tab(page, tab)
    trial(page)  # warm-up: first run imports and caches
    times = [trial(page) for _ in range(trials)]
    if tab:  # the tab stayed open through every Clear and drawing: its work was measured
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    page.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.draw_latency",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--tab", default=None,
                        help='a Draw page tab to open first, e.g. "Looks like…"')
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        with AppServer("benchmarks/bare_canvas_app.py", bare=True) as bare:
            results["bare canvas page (baseline)"] = measure(browser, bare.url, args.trials,
                                                             digitlab=False)
        with AppServer("app.py") as app:
            results["DigitLab Draw page"] = measure(browser, app.url, args.trials,
                                                    digitlab=True, tab=args.tab)
        browser.close()
    print(f"mouse-up -> Prediction metric, {args.trials} trials each, Chromium headless"
          + (f"; Draw page tab open: {args.tab}" if args.tab else ""))
    print(f"{'page':<30} {'median':>8} {'min':>8} {'max':>8}")
    for name, t in results.items():
        print(f"{name:<30} {statistics.median(t):>7.3f}s {min(t):>7.3f}s {max(t):>7.3f}s")
    base, ours = (statistics.median(t) for t in results.values())
    print(f"DigitLab / baseline: {ours / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
