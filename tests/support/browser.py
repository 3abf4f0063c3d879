"""Shared helpers for driving DigitLab in a real Chromium: start and stop the app,
launch Debian's Chromium, move between pages, draw on the canvas, read what a person sees.

Used by the browser tests (tests/e2e) and by the benchmarks that drive a browser
(draw_latency, clear_burst, train_burst, load).
"""

from __future__ import annotations

import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
SERVER_LOGS = OUTPUT / "servers"  # an app server's log, one per port (AppServer)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
# How often a wait for a page function (`wait_idle`, `screenshot`) looks at the page: every
# 100 ms, not on every frame (Playwright's default, "raf"): a page polled at 60 Hz draws frames
# the whole wait, in its renderer and Chromium's compositor, and takes CPU from the app it waits
# on (benchmarks/load.py found the same with thirty pages). A person does not notice 100 ms.
POLL_MS = 100


def free_port() -> int:
    """A port nobody listens on. DIGITLAB_TEST_PORT=N keeps to N..N+8, the first free one
    (people sharing a machine each keep to their own ports); under pytest-xdist each worker
    keeps to its own ports of that range, or two workers starting servers at once both took
    the first free one and a test met the other worker's app."""
    first = int(os.environ.get("DIGITLAB_TEST_PORT", "0"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    ports = [p for p in range(first, first + 9) if (p - first) % workers == worker % workers]
    for port in ports if first else [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in {first}..{first + 8} (DIGITLAB_TEST_PORT)")


class AppServer:
    """The app on 127.0.0.1 and a free port, for the length of a `with` block, started as
    `python3 run.py app` starts it (`python app.py`: app.py starts Streamlit itself).

    `root` is the checkout whose app runs (default: this one; a benchmark may compare another
    commit's app, checked out elsewhere, on the same terms). `bare=True` starts the script with
    `streamlit run` instead (a script that does not start itself: the benchmarks' bare canvas
    page, or an older checkout's app.py). `nice` starts the server at that CPU priority (the
    load benchmark: see benchmarks/load.py)."""

    def __init__(self, script: str = "app.py", log: Path | None = None, timeout: float = 60,
                 root: Path = ROOT, bare: bool = False, nice: int = 0):
        self.script = script
        self.nice = nice  # the server's CPU priority (a negative value needs root)
        self.root = Path(root)
        self.bare = bare
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # a log of its own per server (pytest-xdist's workers and a test's second server each
        # start one): a failed browser test shows the end of it (tests/e2e/conftest.py)
        self.log = log or SERVER_LOGS / f"streamlit-{self.port}.log"
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> AppServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        start = ["-m", "streamlit", "run", self.script] if self.bare else [self.script]
        cmd = [sys.executable, *start, "--server.address", "127.0.0.1",
               "--server.port", str(self.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # the rest: .streamlit/config.toml
        env = dict(os.environ, PYTHONPATH=str(self.root))
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.root, stdout=log,
                                         stderr=subprocess.STDOUT, env=env,
                                         preexec_fn=(lambda: os.nice(self.nice)) if self.nice
                                         else None)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"streamlit did not answer within {self.timeout} s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# The Train page's Stop button (its key, "stop_training"): not the "Stop" in Streamlit's own
# toolbar, which is there too while the page follows a fit. Take the visible one: while the page
# reruns, Streamlit can hold a second copy at the top of the page (seen at y=0).
STOP_TRAINING = ".st-key-stop_training button"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, url: str):
    """A page at `url` in a browser context of its own (its own cookies and storage: a new
    visitor, so a new Streamlit session), once the app's first run has finished. Closing
    `page.context` closes both."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    return page


# A page function (for wait_for_function), true once the app shows a finished run: no script
# running (the state starts as "initial", so a page that has not run yet does not count), the
# websocket up, and no element left stale (faded) from an earlier run.
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && document.querySelector('[data-stale="true"]') === null;
}"""


def shown(locator, timeout: float = 30_000):
    """`locator` once it is visible (for a wait of seconds: a fit, a first run). Not
    `expect(locator).to_be_visible()`: Playwright 1.65's expect renders an ARIA snapshot of
    the whole page on every poll that fails (microsoft/playwright#41098), which cost the
    renderer 2.2 CPU s over a 15 s wait against 0.5 s for `wait_for`, and slows the very app
    it waits on. Here the snapshot is taken once, if the wait fails: what the page showed."""
    try:
        locator.wait_for(state="visible", timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"not shown within {timeout / 1000:.0f} s: {locator}\n"
                             f"{what_it_shows(locator.page)}") from None
    return locator


def what_it_shows(page, limit: int = 6_000) -> str:
    """The page's address, whether a run is going on, and its main part as an ARIA snapshot
    (cut to `limit` characters): for a failed wait's message."""
    try:
        state = page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app ? app.getAttribute('data-test-script-state') + ', '
                         + app.getAttribute('data-test-connection-state') : 'no app'; }""")
        main = page.locator('[data-testid="stMain"]').aria_snapshot(timeout=5_000)
    except Exception as exc:  # a closed or crashed page: say so, do not hide the failure
        return f"the page ({page.url}) could not be read: {exc}"
    cut = main if len(main) <= limit else main[:limit] + "\n  …"
    return f"the page ({page.url}; the run: {state}) shows:\n{cut}"


def shows_text(locator, text: str, timeout: float = 30_000) -> None:
    """Wait until `locator` reads exactly `text` (see `shown`); if it never does, fail with
    what it read instead."""
    try:
        locator.filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first.wait_for(
            state="visible", timeout=timeout)
    except PlaywrightTimeout:
        got = locator.first.inner_text() if locator.count() else "nothing"
        raise AssertionError(f"expected {text!r}, the page shows {got!r}") from None


# Marks, in the page's own clock (performance.now()), when a drawing's answer shows: the
# Prediction metric appearing after window.__up (the finger or the mouse lifted) was set, by
# the caller or by the first `liftEvent` ("mouseup"), caught before the page's handlers.
# page.evaluate(ANSWER_WATCH, "mouseup" or None); then (window.__shown - window.__up) ms.
# In a page: count the app's runs that start after this (its "running" state, set on stApp).
COUNT_RUNS = """() => { window.__runs = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

ANSWER_WATCH = """(liftEvent) => {
    window.__up = null; window.__shown = null;
    if (liftEvent) {
        window.addEventListener(liftEvent, () => { window.__up = performance.now(); },
                                {capture: true, once: true});
    }
    const seen = () => {
        // a metric on screen (the Draw page keeps a hidden one: pages/shared/warmup.py)
        const v = Array.from(document.querySelectorAll('[data-testid="stMetricValue"]'))
            .find((m) => m.checkVisibility());
        if (v && window.__up !== null && window.__shown === null) {
            window.__shown = performance.now();
        }
    };
    new MutationObserver(seen).observe(document.body,
        {subtree: true, childList: true, characterData: true});
}"""


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app shows a finished run. Call it once something the action produced is on
    the page (a heading, a metric), so that its run has begun: right after a click the page can
    still show the last run as finished (the click's rerun reached it 30-300 ms later here)."""
    page.wait_for_function(IDLE_JS, timeout=timeout, polling=POLL_MS)


def go_to(page, title: str) -> None:
    """Click a page in the sidebar navigation (keeps the session, so the model travels)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    shown(page.locator("h1", has_text=title).first)  # not expect(): see `shown`
    wait_idle(page)


def train_fast(page, timeout: float = 120_000) -> None:
    """On the Train page, press the Fast preset, then Train, and wait for the scores."""
    go_to(page, "Train")
    # Nothing to wait for between the clicks: Fast changes nothing a person sees (a new visitor
    # starts from the Fast settings), and a click made while the app reruns is not lost:
    # Streamlit stops that run and starts one with the new press.
    page.get_by_role("button", name="Fast").click()
    page.get_by_role("button", name="Train", exact=True).click()
    shown(metric_value(page, "Test accuracy"), timeout=timeout)
    wait_idle(page, timeout=timeout)


# The <img> elements a screenshot shows: laid out (not in a hidden tab) and inside the viewport.
_PICTURES_IN_VIEW = """Array.from(document.images).filter(i => {
    const r = i.getBoundingClientRect();
    return i.getClientRects().length > 0 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth; })"""


def screenshot(page, name: str) -> Path:
    """Save the page as a person sees it: once every picture in view has loaded (a finished
    run has put the <img> elements there, but the pixels still come over the network). A
    picture in a hidden tab or below the fold is not in the shot, and a browser may not load
    it yet (loading="lazy")."""
    try:
        page.wait_for_function(f"() => {_PICTURES_IN_VIEW}.every(i => i.complete && "
                               "i.naturalWidth > 0)", polling=POLL_MS)
    except PlaywrightTimeout:  # say which picture a person would see broken or missing
        broken = page.evaluate(f"() => {_PICTURES_IN_VIEW}.filter(i => !(i.complete && "
                               "i.naturalWidth > 0)).map(i => [i.src.slice(0, 120), i.alt, "
                               "i.complete])")
        raise AssertionError(f"{name}: pictures not loaded (src, alt, complete): {broken}") \
            from None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# The drawing canvas: the app's own (pages/shared/canvas.py), or on the benchmarks' bare
# baseline page (benchmarks/bare_canvas_app.py) streamlit-drawable-canvas's layer that takes
# the pointer. Both sit in an open shadow root; Playwright's CSS locators pierce it.
CANVAS = "canvas.digitlab-canvas, canvas.upper-canvas"


def canvas(page):
    """The canvas that takes the pointer (CANVAS)."""
    return page.locator(CANVAS).first


# A canvas a person can draw on: its box the same as at the last look (a canvas Streamlit has
# just drawn afresh can stand elsewhere for seconds before it settles, and under a class's load
# benchmarks/load.py saw strokes drawn there reach no canvas), and a pointer at its centre
# landing on it. The box is kept in the page, so the next stroke on a still canvas goes at once.
CANVAS_SETTLED = """() => {
    const SELECTOR = '""" + CANVAS + """';
    const find = (root) => {
        const found = root.querySelector(SELECTOR);
        if (found) return found;
        for (const el of root.querySelectorAll('*')) {
            const inner = el.shadowRoot && find(el.shadowRoot);
            if (inner) return inner;
        }
        return null;
    };
    const c = find(document);
    if (!c) return false;
    const r = c.getBoundingClientRect();
    const box = [r.x, r.y, r.width, r.height].map(Math.round).join();
    const still = window.__canvasBox === box;
    window.__canvasBox = box;
    if (!still || !r.width) return false;
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    let hit = document.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
    }
    return hit === c;
}"""


def settled_canvas(page, timeout: float = 60_000) -> dict:
    """The canvas's box once a person could draw on it (CANVAS_SETTLED)."""
    try:
        page.wait_for_function(CANVAS_SETTLED, timeout=timeout, polling=POLL_MS)
    except PlaywrightTimeout:
        raise AssertionError("the canvas did not stand still where a pointer reaches it") \
            from None
    box = canvas(page).bounding_box()
    assert box is not None, "the canvas is not on the page"
    return box


def draw_stroke(page, points: list[tuple[float, float]], release: bool = True) -> None:
    """Drag the mouse through `points` (canvas pixels, 0..280) with the button held."""
    box = settled_canvas(page)
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x, y0 + y, steps=2)
    if release:
        page.mouse.up()


def digit_strokes(digit: int) -> list[list[tuple[float, float]]]:
    """Mouse paths that draw a plain `digit` on a 280x280 canvas, as a person would."""
    if digit == 1:
        return [[(150, 50 + 12 * k) for k in range(16)]]
    if digit == 0:
        return [[(140 + 62 * math.sin(2 * math.pi * k / 36),
                  140 - 92 * math.cos(2 * math.pi * k / 36)) for k in range(38)]]
    raise ValueError(f"no strokes for {digit}")


def draw_digit(page, digit: int) -> None:
    for stroke in digit_strokes(digit):
        draw_stroke(page, stroke)


def metric_value(page, label: str):
    """The locator of the value of the st.metric labelled `label`."""
    return page.locator('[data-testid="stMetric"]', has_text=label).locator(
        '[data-testid="stMetricValue"]')


def clear_canvas(page) -> None:
    """Press Clear and wait until the answer is gone (Clear empties the canvas in the browser;
    the page then says to draw a digit)."""
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("draw a digit").first).to_be_visible()
    expect(metric_value(page, "Prediction")).to_have_count(0)
    wait_idle(page)


PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}


# A finger's pace: a point per frame, and the finger still for a moment before it lifts
FINGER_STEP_S, FINGER_LIFT_S = 0.016, 0.1


def touch_stroke(page, cdp, points: list[tuple[float, float]]) -> None:
    """Drag one finger through `points` (canvas pixels) with Chromium's DevTools protocol
    (`cdp = context.new_cdp_session(page)` on a context made with has_touch=True), at a
    finger's pace. The events say so in their timestamps and go at once, not in real time.
    Events without timestamps all carry the moment they arrive: a flick at hundreds of pixels
    per millisecond, after which Chromium swallowed the next tap for a second or two (a tap on
    Save then made no click: 2 to 5 taps of 40 lost beside another browser test; none of 40
    with these timestamps)."""
    box = settled_canvas(page)
    at = [{"x": box["x"] + x, "y": box["y"] + y} for x, y in points]
    # after the last stroke's lift, which can be ahead of the clock
    start = max(time.time(), getattr(cdp, "finger_lifted_at", 0.0) + FINGER_STEP_S)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]],
                                          "timestamp": start})
    for k, point in enumerate(at[1:], 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point],
                                              "timestamp": start + k * FINGER_STEP_S})
    cdp.finger_lifted_at = start + (len(at) - 1) * FINGER_STEP_S + FINGER_LIFT_S
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": [],
                                          "timestamp": cdp.finger_lifted_at})


def touch_digit(page, cdp, digit: int) -> None:
    for stroke in digit_strokes(digit):
        touch_stroke(page, cdp, stroke)


def in_view(page, locator) -> bool:
    """Whether all of `locator`'s first element is inside the viewport (no scrolling)."""
    box = locator.first.bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])
