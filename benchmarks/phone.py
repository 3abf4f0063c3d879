"""A cheap phone in class: Chromium at 390x844 with touch and its CPU throttled 4x, opening the
Draw page and drawing on it with a finger, against a bare canvas page on the same terms.

    python -m benchmarks.phone [--rounds 3] [--drawings 5] [--base DIR] [--vary] [--json FILE]

Per round, one fresh visitor (a new browser context: a new Streamlit session) per page, the
pages taken in turn (bare canvas, then `--base`'s Draw page if given, then this checkout's),
so that a machine busy with other work slows every page alike; the report gives medians over
the rounds, their spread, and the first drawing against the later ones visit by visit. For
each visitor:
- **ready**: seconds from navigation to the canvas on screen with the first run finished;
- **first answer**: seconds from navigation to the first Prediction (the page opened, a "1"
  drawn with Input.dispatchTouchEvent as soon as the canvas is there, its answer shown);
- **1st drawing**: seconds from lifting the finger to the Prediction, for that first drawing;
- **later drawings**: the same for the next `--drawings` (Clear, then a "1"), their median;
- **busy 1st**, **cpu 1st**: the renderer's time (as below) for the first drawing, with
  whatever the page still had to do after it stood ready (it counts as the first drawing's);
- **CPU per drawing**: the renderer's main-thread busy time for one later drawing (CDP
  Performance.getMetrics TaskDuration, from the touch to the page settled: answer, pictures
  and charts drawn), median over the later drawings; with the CPU throttled 4x this counts
  the slowed time, so it reads as a phone's seconds. `cpu` beside it: the renderer processes'
  own CPU seconds (CDP SystemInfo.getProcessInfo), not slowed, as this machine spends them.

The Draw page's server is warmed first (its default model fitted, one unthrottled visit), as
it is by the time a class opens it. `--base DIR` is another checkout of DigitLab (e.g.
`git archive <commit> | tar -x -C DIR`) measured on the same terms: before/after, interleaved.
The canvas's own frontend waits 200 ms after the finger lifts before it sends, so no page
answers in less. A measurement, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.common import say
from tests.support.browser import (
    ANSWER_WATCH,
    PHONE,
    AppServer,
    canvas,
    digit_strokes,
    launch_chromium,
    metric_value,
    touch_stroke,
    wait_idle,
)

THROTTLE = 4  # Chromium's CPU slowdown: a class's cheap phones against this machine
SETTLED = """() => Array.from(document.images).every(i => i.complete)
    && Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
        .every(c => c.querySelector('svg, canvas'))"""


def renderer_cpu(browser_cdp) -> float:
    """CPU seconds of every renderer process so far (one page open at a time: this page's)."""
    info = browser_cdp.send("SystemInfo.getProcessInfo")
    return sum(p["cpuTime"] for p in info["processInfo"] if p["type"] == "renderer")


def task_seconds(cdp) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["TaskDuration"]


def lift(page, cdp, shift: float = 0.0) -> None:
    """Draw a "1" with one finger, `shift` canvas pixels to the right of the usual one, and
    note in the page when it lifted."""
    touch_stroke(page, cdp, [(x + shift, y) for x, y in digit_strokes(1)[0]])
    page.evaluate("window.__up = performance.now()")


def settle(page) -> None:
    """The answer and everything under it drawn (Streamlit idle, pictures decoded, charts
    drawn), then a moment for the last paint."""
    wait_idle(page, timeout=120_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    time.sleep(0.3)


LOST = {"strokes": 0}  # strokes that never got an answer (drawn again), counted for the report
PATIENCE = 45_000  # ms: a stroke with no answer by then was lost (a canvas not yet listening)


def drawing(page, cdp, browser_cdp, shift: float = 0.0) -> tuple[float, float, float]:
    """(seconds from lifting to the answer, TaskDuration, renderer CPU) of one "1". A stroke
    that got no answer (seen once with the machine's load at ~24 on 2 cores: the canvas was
    on screen but not yet taking touches) is counted in LOST and drawn again; its time
    counts, from the last lift."""
    page.evaluate(ANSWER_WATCH, None)
    busy, cpu = task_seconds(cdp), renderer_cpu(browser_cdp)
    for attempt in range(3):
        lift(page, cdp, shift)
        try:
            page.wait_for_function("window.__shown !== null", timeout=PATIENCE)
            break
        except PlaywrightTimeout:
            LOST["strokes"] += 1
            if attempt == 2:
                raise
    settle(page)
    answer = page.evaluate("(window.__shown - window.__up) / 1000")
    return answer, task_seconds(cdp) - busy, renderer_cpu(browser_cdp) - cpu


def clear(page) -> None:
    page.get_by_role("button", name="Clear").tap()
    page.get_by_text("draw a digit").first.wait_for(timeout=60_000)
    metric_value(page, "Prediction").first.wait_for(state="detached", timeout=60_000)
    settle(page)


# With --vary, drawing k of a visit is the "1" moved SHIFT * k px sideways (k = 0, 1, ...,
# alternating left and right): still a 1, but not the same pixels. Drawn the same every time,
# a later drawing's pictures and its 15 kB look-inside block are the same as the last one's:
# the server sends that block as a reference to the copy the browser keeps (Streamlit's
# message cache, a `ref_hash`), and the browser may reuse the pictures it decoded. The first
# drawing has neither, nor does a student's next digit.
SHIFT = 9


def shifts(drawings: int, vary: bool) -> list[float]:
    """The sideways shift of each drawing of a visit, the first included."""
    return [SHIFT * ((k + 1) // 2) * (-1) ** k if vary else 0.0 for k in range(drawings + 1)]


def visit(browser, browser_cdp, url: str, drawings: int, vary: bool = False) -> dict:
    """One fresh visitor on a throttled phone: open `url`, draw at once, then draw again."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    page.goto(url, wait_until="commit")
    canvas(page).wait_for(timeout=120_000)
    wait_idle(page, timeout=120_000)
    ready = page.evaluate("performance.now() / 1000")
    moves = shifts(drawings, vary)
    first, busy1, cpu1 = drawing(page, cdp, browser_cdp, moves[0])
    first_answer = page.evaluate("window.__shown / 1000")
    later, busy, cpu = [], [], []
    for k in range(drawings):
        clear(page)
        t, b, c = drawing(page, cdp, browser_cdp, moves[k + 1])
        later.append(t)
        busy.append(b)
        cpu.append(c)
    context.close()
    return {"ready": ready, "first_answer": first_answer, "first": first,
            "later": statistics.median(later), "busy1": busy1, "busy": statistics.median(busy),
            "cpu1": cpu1, "cpu": statistics.median(cpu)}


def warm(browser, url: str) -> None:
    """One unthrottled visit: the server fits its default model and fills its caches."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.goto(url)
    canvas(page).wait_for(timeout=300_000)
    wait_idle(page, timeout=300_000)
    context.close()


FIELDS = [("ready", "ready"), ("first_answer", "1st answer"), ("first", "1st drawing"),
          ("later", "later"), ("busy1", "busy 1st"), ("busy", "busy/drawing"),
          ("cpu1", "cpu 1st"), ("cpu", "cpu/drawing")]


def report(results: dict[str, list[dict]], rounds: int, drawings: int) -> None:
    print(f"Phone: 390x844, touch, CPU throttled {THROTTLE}x, Chromium headless; {rounds} "
          f"rounds, pages in turn; {drawings} later drawings a visit; medians over rounds, "
          "seconds")
    print(f"{'page':<22}" + "".join(f"{title:>13}" for _, title in FIELDS))
    medians = {}
    for name, visits in results.items():
        medians[name] = {key: statistics.median(v[key] for v in visits) for key, _ in FIELDS}
        print(f"{name:<22}" + "".join(f"{medians[name][key]:>12.2f}s" for key, _ in FIELDS))
    print("spread over rounds (min-max):")
    for name, visits in results.items():
        print(f"{name:<22}" + "".join(
            f"{min(v[key] for v in visits):>7.2f}-{max(v[key] for v in visits):<5.2f}"
            for key, _ in FIELDS))
    # The first drawing against the later ones of the same visit: in seconds to the answer
    # (what a student waits), and in the renderer's busy time (what it costs the phone, less
    # moved by the machine's other work than a wait is).
    for name, visits in results.items():
        for what, a, b in (("seconds", "first", "later"), ("busy", "busy1", "busy")):
            ratios = sorted(v[a] / v[b] for v in visits)
            print(f"{name}: 1st drawing / later, {what}, visit by visit: median "
                  f"{statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})")
    for name, m in medians.items():
        bare = medians.get("bare canvas" + name[len(name.split(",")[0]):])
        if bare and not name.startswith("bare canvas"):
            print(f"{name} / bare canvas: busy {m['busy'] / bare['busy']:.2f}x, cpu "
                  f"{m['cpu'] / bare['cpu']:.2f}x; 1st drawing / later "
                  f"{m['first'] / m['later']:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phone",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--drawings", type=int, default=5)
    parser.add_argument("--base", type=Path, default=None,
                        help="another DigitLab checkout to measure on the same terms")
    parser.add_argument("--json", type=Path, default=None, help="write every visit here")
    parser.add_argument("--vary", action="store_true",
                        help="also visit each page drawing every 1 a few pixels apart "
                             "(rows ', varied'; SHIFT says why), in the same rounds")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    pages = {"bare canvas": dict(script="benchmarks/bare_canvas_app.py", bare=True, path="")}
    if args.base:
        pages["Draw (base)"] = dict(script="app.py", root=args.base.resolve(), path="/draw")
    pages["Draw"] = dict(script="app.py", path="/draw")
    modes = [("", False), (", varied", True)] if args.vary else [("", False)]
    results: dict[str, list[dict]] = {name + tag: [] for tag, _ in modes for name in pages}
    servers = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        browser_cdp = browser.new_browser_cdp_session()
        try:
            for name, spec in pages.items():
                spec = dict(spec)
                path = spec.pop("path")
                log = Path("test-output") / f"phone-{len(servers)}.log"
                servers[name] = (AppServer(**spec, log=log, timeout=120).__enter__(), path)
                say(f"{name}: {servers[name][0].url}{path}, warming")
                warm(browser, servers[name][0].url + path)
            for r in range(args.rounds):
                for tag, vary in modes:
                    for name, (server, path) in servers.items():
                        results[name + tag].append(visit(browser, browser_cdp,
                                                         server.url + path, args.drawings,
                                                         vary))
                        say(f"round {r + 1} {name}{tag}: " + ", ".join(
                            f"{k} {v:.2f}" for k, v in results[name + tag][-1].items()))
        finally:
            for server, _ in servers.values():
                server.__exit__()
            browser.close()
    report(results, args.rounds, args.drawings)
    if LOST["strokes"]:
        print(f"strokes that got no answer within {PATIENCE / 1000:.0f} s and were drawn "
              f"again: {LOST['strokes']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
