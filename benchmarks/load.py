"""A class's load on one server: N browser sessions drawing at once, one training, one sweeping.

    python -m benchmarks.load [--sessions 10,30] [--rounds 6] [--max-seconds 240]
                              (from the repository's root; `python3 run.py bench load`)

For each N, starts the app on 127.0.0.1 (a free port) and opens N Chromium contexts (one
Chromium, each context its own visitor: a new Streamlit session, as each student's device).
Each session goes to Draw (it answers with the server's default model), types its own name
into the class-set draft, then, `--rounds` times, clears the canvas, draws a 1 or a 0 with the
mouse (session i starts with i % 2, then alternates) and times, inside the page, mouse-up ->
the Prediction metric showing. Meanwhile one more session trains: the Fast preset once (a
model of its own), then, over and over, the Tutorial settings (sag, ~10 min if left), stopped
after 3 s; each Stop is timed until the fit's process is gone (its core free again). And one
more runs the Sweep page's default sweep (nine fits on the server's cores) again and again.

Bounded: `--rounds` per session, and each session stops drawing `--max-seconds` after it is
set up; every wait on a page gives up after 90 s (counted as an error).

Prints, per N: p50/p95/max mouse-up -> Prediction; errors (a round that timed out or raised,
and any traceback element on a page); wrong answers (a Prediction other than the digit drawn);
session isolation (each page at the end shows its own last digit, its own draft name, and the
default model, not the trainer's); the server's peak memory (its process and its child fits)
and CPU share; the client's (this process, Playwright's driver and Chromium) CPU share. CPU
shares are of the whole machine (all cores) over the measured span; the load average is
printed beside them because other jobs share the cores.

A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

import psutil

from benchmarks.common import say
from benchmarks.draw_latency import WATCH  # mouse-up -> the Prediction metric, in the page
from tests.e2e.app_utils import _IDLE as IDLE  # the browser tests' helpers: one way to drive
from tests.e2e.app_utils import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    VIEWPORT,
    AppServer,
    digit_strokes,
)
from tests.unit.procs import fit_children

PREDICTION = '[data-testid="stMetric"]:has-text("Prediction") [data-testid="stMetricValue"]'
TIMEOUT_MS = 90_000
ARRIVAL_S = 1.0  # between two students opening the app: a class arrives over half a minute


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: int = 0
    rounds: int = 0
    isolation_failures: list[str] = field(default_factory=list)
    stops: list[float] = field(default_factory=list)  # Stop -> the fit's process gone, s
    trainer_notes: list[str] = field(default_factory=list)
    sweeps: int = 0  # sweeps the sweeping session finished while the class drew


# --- the server and the machine ----------------------------------------------------------------


class Watch:
    """Samples, every 0.2 s, the resident memory of the server and its child fits (peak), and
    counts the CPU seconds of the server's tree and of this process's other descendants (the
    client: Playwright's driver and Chromium)."""

    def __init__(self, server_pid: int):
        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()
        self.peak_mb = 0.0  # the server and its child fits
        self.peak_server_mb = 0.0  # the server's own process
        self._cpu: dict[int, float] = {}  # pid -> last CPU seconds seen (live processes)
        self._done = threading.Event()

    def _tree(self, proc: psutil.Process) -> list[psutil.Process]:
        try:
            return [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _cpu_of(self, procs) -> float:
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                continue
        return total

    def cpu(self) -> tuple[float, float]:
        """(server tree CPU seconds, client CPU seconds) so far. The server's own counters
        include its reaped child fits (children_user/system)."""
        server_tree = self._tree(self.server)
        server_pids = {p.pid for p in server_tree}
        try:
            st = self.server.cpu_times()
            reaped = st.children_user + st.children_system
        except psutil.NoSuchProcess:
            reaped = 0.0
        server = self._cpu_of(server_tree) + reaped
        client = self._cpu_of(p for p in self._tree(self.me) if p.pid not in server_pids)
        return server, client

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            rss = 0
            for p in self._tree(self.server):
                try:
                    one = p.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                rss += one
                if p.pid == self.server.pid:
                    self.peak_server_mb = max(self.peak_server_mb, one / 1e6)
            self.peak_mb = max(self.peak_mb, rss / 1e6)

    def __enter__(self) -> Watch:
        self.t0 = time.monotonic()
        self.cpu0 = self.cpu()
        self.load0 = os.getloadavg()[0]
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.monotonic() - self.t0
        server, client = self.cpu()
        self.server_cpu = server - self.cpu0[0]
        self.client_cpu = client - self.cpu0[1]
        self.load1 = os.getloadavg()[0]
        self._done.set()
        self._thread.join()

    def share(self, cpu_seconds: float) -> float:
        return 100 * cpu_seconds / (self.wall * psutil.cpu_count())


# --- one session ----------------------------------------------------------------------------------


async def idle(page, timeout: float = TIMEOUT_MS) -> None:
    await page.wait_for_function(IDLE, timeout=timeout)


async def nav(page, title: str, wait: bool = True) -> None:
    await page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    await page.locator("h1", has_text=title).first.wait_for(timeout=TIMEOUT_MS)
    if wait:
        await idle(page)


async def open_session(browser, url: str):
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)  # a class arriving at once on 2 shared cores
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    await idle(page)
    return page


async def draw(page, digit: int) -> None:
    box = await page.locator("canvas.upper-canvas").first.bounding_box()
    x0, y0 = box["x"], box["y"]
    for stroke in digit_strokes(digit):
        await page.mouse.move(x0 + stroke[0][0], y0 + stroke[0][1])
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(x0 + x, y0 + y, steps=2)
        await page.mouse.up()


async def clear(page) -> None:
    if await page.locator(PREDICTION).count():
        await page.get_by_role("button", name="Clear").click()
        await page.locator(PREDICTION).first.wait_for(state="detached", timeout=TIMEOUT_MS)
    await idle(page)


async def set_name(page, name: str) -> None:
    """The class-set draft: this session's name in the Name popover under the Prediction."""
    await page.get_by_role("button", name="Name").click()
    box = page.get_by_label("Name or nickname")
    await box.fill(name)
    await box.press("Enter")
    await idle(page)
    await page.keyboard.press("Escape")


async def read_name(page) -> str:
    await page.get_by_role("button", name="Name").click()
    value = await page.get_by_label("Name or nickname").input_value()
    await page.keyboard.press("Escape")
    return value


async def drawer(browser, url: str, i: int, rounds: int, max_seconds: float, tally: Tally):
    """Session i: Draw, its own draft name, then `rounds` drawings (at most `max_seconds`
    once it is set up), then the isolation check."""
    page = None
    try:
        page = await open_session(browser, url)
        await nav(page, "Draw")
        await page.locator("canvas.upper-canvas").first.wait_for(timeout=TIMEOUT_MS)
        await draw(page, 1)  # a first answer, so the Name popover is on the page
        await page.locator(PREDICTION).first.wait_for(timeout=TIMEOUT_MS)
        await idle(page)
        await set_name(page, f"student-{i:02d}")
        digit, last = i % 2, 1
        deadline = time.monotonic() + max_seconds
        for _ in range(rounds):
            if time.monotonic() > deadline:
                break
            digit = 1 - digit
            try:
                await clear(page)
                await page.evaluate(WATCH)
                await draw(page, digit)
                last = digit
                await page.wait_for_function("window.__shown !== null", timeout=TIMEOUT_MS)
                await idle(page)
                tally.latencies.append(
                    await page.evaluate("(window.__shown - window.__up) / 1000"))
                said = (await page.locator(PREDICTION).first.inner_text()).strip()
                tally.rounds += 1
                tally.wrong += said != str(digit)
            except Exception as exc:  # noqa: BLE001 - counted, and the session goes on
                tally.errors.append(f"session {i}: {type(exc).__name__}: {str(exc)[:80]}")
        await isolation(page, i, last, tally)
    except Exception as exc:  # noqa: BLE001 - a session that never got going
        tally.errors.append(f"session {i} setup: {type(exc).__name__}: {str(exc)[:80]}")
    finally:
        if page is not None:
            await page.context.close()


async def isolation(page, i: int, digit: int, tally: Tally) -> None:
    """At the end: this page shows its own last digit, its own draft name, the default model
    (not the trainer's), and no traceback."""
    await idle(page)
    said = (await page.locator(PREDICTION).first.inner_text()).strip()
    if said != str(digit):
        tally.isolation_failures.append(f"session {i} shows {said}, drew {digit}")
    if await page.get_by_text("Answering: the default model").count() == 0:
        tally.isolation_failures.append(f"session {i} answers with another model")
    name = await read_name(page)
    if name != f"student-{i:02d}":
        tally.isolation_failures.append(f"session {i} has the draft name {name!r}")
    if await page.locator('[data-testid="stException"]').count():
        tally.errors.append(f"session {i} shows a traceback")


async def trainer(browser, url: str, server_pid: int, stop_event: asyncio.Event,
                  tally: Tally) -> None:
    """Fast once, then the Tutorial settings started and stopped until the drawers finish."""
    page = None
    try:
        page = await open_session(browser, url)
        await nav(page, "Train")
        await page.get_by_role("button", name="Fast").click()
        await page.get_by_role("button", name="Train", exact=True).click()
        await page.locator('[data-testid="stMetric"]', has_text="Test accuracy").wait_for(
            timeout=300_000)
        await idle(page, 300_000)
        tally.trainer_notes.append("trained Fast")
        while not stop_event.is_set():
            await page.get_by_role("button", name="Tutorial settings").click()
            await page.get_by_role("button", name="Train anyway").click()
            await page.get_by_text("Training:").first.wait_for(timeout=TIMEOUT_MS)
            await asyncio.sleep(3.0)
            await page.get_by_role("button", name="Stop training").click()
            t0 = time.monotonic()
            while fit_children(server_pid) and time.monotonic() - t0 < 30:
                await asyncio.sleep(0.05)
            tally.stops.append(time.monotonic() - t0)
            await page.get_by_text("nothing was kept").first.wait_for(timeout=TIMEOUT_MS)
            await idle(page)
    except Exception as exc:  # noqa: BLE001 - counted
        tally.errors.append(f"trainer: {type(exc).__name__}: {str(exc)[:80]}")
    finally:
        if page is not None:
            await page.context.close()


async def sweeper(browser, url: str, stop_event: asyncio.Event, tally: Tally) -> None:
    """The Sweep page's default sweep (nine fits on 5,000 images, on the server's cores), run
    again and again until the drawers finish."""
    from playwright.async_api import expect

    page = None
    try:
        page = await open_session(browser, url)
        await nav(page, "Sweep")
        run = page.get_by_role("button", name="Run sweep")
        while not stop_event.is_set():
            await run.click()
            # the page shows the last sweep's results until the new one ends: wait for the
            # button to go off (a sweep is running) and on again (it has finished)
            await expect(run).to_be_disabled(timeout=TIMEOUT_MS)
            await expect(run).to_be_enabled(timeout=600_000)
            await idle(page, 600_000)
            tally.sweeps += 1
    except Exception as exc:  # noqa: BLE001 - counted
        tally.errors.append(f"sweeper: {type(exc).__name__}: {str(exc)[:80]}")
    finally:
        if page is not None:
            await page.context.close()


# --- one N ------------------------------------------------------------------------------------


async def run_n(n: int, rounds: int, max_seconds: float) -> tuple[Tally, Watch]:
    from playwright.async_api import async_playwright

    tally = Tally()
    log = ROOT / "test-output" / f"load-{n}.log"
    with AppServer(log=log, timeout=120) as app:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = await open_session(browser, app.url)  # the default model, fitted once
            await nav(warm, "Draw")
            await warm.locator("canvas.upper-canvas").first.wait_for(timeout=300_000)
            await warm.context.close()
            done = asyncio.Event()
            with Watch(app.proc.pid) as watch:
                train = asyncio.create_task(trainer(browser, app.url, app.proc.pid, done,
                                                    tally))
                sweep = asyncio.create_task(sweeper(browser, app.url, done, tally))
                drawers = []
                for i in range(n):  # a class arriving over a few seconds, not in one instant
                    drawers.append(asyncio.create_task(
                        drawer(browser, app.url, i, rounds, max_seconds, tally)))
                    await asyncio.sleep(ARRIVAL_S)
                await asyncio.gather(*drawers)
                done.set()
                await asyncio.wait_for(train, timeout=120)
                await asyncio.wait_for(sweep, timeout=600)
            left = fit_children(app.proc.pid)
            if left:
                tally.errors.append(f"{len(left)} fit process(es) still running at the end")
            await browser.close()
    return tally, watch


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,30", help="N values, comma-separated")
    parser.add_argument("--rounds", type=int, default=6, help="drawings per session")
    parser.add_argument("--max-seconds", type=float, default=180,
                        help="time limit of each session's drawing, once it is set up")
    args = parser.parse_args(argv)
    cores = psutil.cpu_count()
    print(f"A class's load: N drawing sessions (mouse strokes, the default Fast model) + 1 "
          f"session starting and stopping the Tutorial settings + 1 session running the Sweep "
          f"page's default sweep over and over; Chromium headless on the same {cores} cores.")
    print(f"{'N':>3} {'draws':>6} {'p50':>6} {'p95':>6} {'max':>6} {'errors':>6} "
          f"{'wrong':>5} {'isolated':>8} {'srv peak':>9} {'+fits':>8} {'srv CPU':>8} "
          f"{'client CPU':>10} {'stop->free':>10} {'load avg':>10}", flush=True)
    stops = []
    for n in (int(s) for s in args.sessions.split(",")):
        say(f"N = {n}: {n} drawing sessions + 1 training + 1 sweeping, {args.rounds} rounds "
            "each")
        t, w = asyncio.run(run_n(n, args.rounds, args.max_seconds))
        say(f"  sweeps finished meanwhile: {t.sweeps}")
        for e in t.errors[:5] + t.isolation_failures[:5]:
            say(f"  {e}")
        isolated = "yes" if not t.isolation_failures else f"NO ({len(t.isolation_failures)})"
        stop = f"{statistics.median(t.stops):.2f}s" if t.stops else "-"
        stops.append(len(t.stops))
        lat = t.latencies
        print(f"{n:>3} {t.rounds:>6} {pct(lat, .5):>5.2f}s {pct(lat, .95):>5.2f}s "
              f"{max(lat, default=float('nan')):>5.2f}s {len(t.errors):>6} {t.wrong:>5} "
              f"{isolated:>8} {w.peak_server_mb:>6.0f} MB {w.peak_mb:>5.0f} MB "
              f"{w.share(w.server_cpu):>7.0f}% {w.share(w.client_cpu):>9.0f}% {stop:>10} "
              f"{w.load0:>4.1f}->{w.load1:<4.1f}", flush=True)
    print("p50/p95/max: mouse-up -> Prediction in the page. srv peak: the app's process; "
          "+fits: with its child fits (the Tutorial fit holds its own copy of the features). "
          "CPU: share of all cores over the drawing span. stop->free: median Stop click -> "
          "the Tutorial fit's process gone (of " + ", ".join(map(str, stops)) + " stops). "
          "load avg: the machine's 1-minute load average at the start and end of the span.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
