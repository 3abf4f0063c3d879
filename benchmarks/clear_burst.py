"""Clear, then draw at once: how many strokes are lost, with a class drawing at the same time.

    python -m benchmarks.clear_burst [--sessions 10] [--delays 0,0.1,0.4,1.5] [--rounds 2]
                                     [--baseline-ref main]       (from the repository's root)

Starts the app twice on free ports: the app of --baseline-ref (checked out into
a temporary folder with `git archive`; before issue 11 its Clear button gave the canvas a new
key, so the server sent a fresh canvas) and this checkout's (Clear empties the canvas in the
browser). In each, `--sessions` browser sessions (each its own context, as each student's
device) go to Draw, training the Fast preset first where the app has no default model. Then, per
round and per delay, every session draws a 1 and waits for the answer; then, session after
session, each presses Clear, waits `delay` seconds and draws a 0 with the mouse. Once the
server is idle (plus two seconds for any late canvas), each page is read: a Prediction of 0
means the stroke counted; anything else (no Prediction, or still the 1) means it was lost.

A measurement, not a test: it prints lost strokes per delay, side by side.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.common import say
from tests.support.browser import (
    CANVAS,
    ROOT,
    AppServer,
    clear_canvas,
    draw_digit,
    go_to,
    launch_chromium,
    metric_value,
    train_fast,
    wait_idle,
)


def checkout(ref: str, into: Path) -> Path:
    """The files of git `ref` in `into` (no .git: a plain copy to serve)."""
    archive = into / "ref.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=f, check=True)
    with tarfile.open(archive) as t:
        t.extractall(into / "app", filter="data")
    return into / "app"


def to_draw(browser, url: str):
    """A session of its own on the Draw page, with a model (trains Fast where it needs one)."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(url)
    wait_idle(page, timeout=120_000)
    go_to(page, "Draw")
    if page.get_by_text("No model is trained yet").count():
        train_fast(page, timeout=300_000)
        go_to(page, "Draw")
    page.wait_for_selector(CANVAS, timeout=120_000)
    wait_idle(page, timeout=120_000)
    return page


def answer(page) -> str:
    value = metric_value(page, "Prediction")
    return value.inner_text() if value.count() else "-"


def start(page, tries: int = 3) -> None:
    """A calm start: an empty canvas, then a 1 drawn and answered (what it reads does not
    matter; a canvas remounted late by the old Clear can swallow it, so try again)."""
    for i in range(tries):
        if answer(page) != "-":
            clear_canvas(page)
        page.wait_for_selector(CANVAS, timeout=60_000)
        wait_idle(page, timeout=120_000)
        draw_digit(page, 1)
        try:
            metric_value(page, "Prediction").wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            if i == tries - 1:
                raise


def burst(pages, delay: float) -> int:
    """One round at one delay; returns how many of the strokes after Clear were lost."""
    for page in pages:
        start(page)
    missed = set()
    for i, page in enumerate(pages):
        page.get_by_role("button", name="Clear").click()
        if delay:
            time.sleep(delay)  # the student's pause between Clear and the next stroke
        try:
            draw_digit(page, 0)
        except AssertionError:  # no canvas on the page at that moment: the stroke hit nothing
            missed.add(i)
    for page in pages:
        wait_idle(page, timeout=120_000)
    time.sleep(2.0)  # a fresh canvas from a slow server arrives late: give it time to land
    for page in pages:
        wait_idle(page, timeout=120_000)
    return sum(i in missed or answer(page) != "0" for i, page in enumerate(pages))


def measure(browser, root: Path, sessions: int, delays: list[float], rounds: int) -> dict:
    with AppServer(root=root, log=ROOT / "test-output" / f"clear_burst-{root.name}.log",
                   bare=root != ROOT) as app:
        warm = browser.new_page()  # a fresh server's first deep link shows a notice: not here
        warm.goto(app.url)
        wait_idle(warm, timeout=120_000)
        warm.close()
        pages = [to_draw(browser, app.url) for _ in range(sessions)]
        lost = {d: sum(burst(pages, d) for _ in range(rounds)) for d in delays}
        for page in pages:
            page.context.close()
    return lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.clear_burst",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--delays", default="0,0.1,0.4,1.5",
                        help="seconds between Clear and the next stroke, comma-separated")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline-ref", default="main",
                        help="the git ref whose app is the baseline (default: main)")
    args = parser.parse_args(argv)
    delays = [float(d) for d in args.delays.split(",")]
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory(prefix="digitlab-baseline-") as tmp, \
            sync_playwright() as p:
        browser = launch_chromium(p)
        for name, root in ((f"{args.baseline_ref} (baseline)", checkout(args.baseline_ref,
                                                                          Path(tmp))),
                           ("this checkout", ROOT)):
            say(f"measuring {name}: {args.sessions} sessions, delays {delays}")
            results[name] = measure(browser, root, args.sessions, delays, args.rounds)
        browser.close()
    n = args.sessions * args.rounds
    print(f"strokes lost after Clear, of {n} per delay ({args.sessions} sessions drawing, "
          f"{args.rounds} rounds), Chromium headless")
    names = list(results)
    print(f"{'pause after Clear':<18}" + "".join(f"{name:>24}" for name in names))
    for d in delays:
        print(f"{d:>16.1f}s " + "".join(f"{results[name][d]:>20} / {n:<2}" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
