"""A class's load on one server: N browser sessions drawing at once, one training, one sweeping.

    python -m benchmarks.load [--sessions 10,30] [--rounds 6] [--think 30] [--max-seconds 400]
                              [--soak MINUTES] [--question-every S] [--browsers-nice N]
                              (from the repository's root; `python3 run.py bench load`)

For each N, starts the app on 127.0.0.1 (a free port) and opens N Chromium contexts (one
Chromium, each context its own visitor: a new Streamlit session, as each student's device). The
class comes in first: one student a second opens the class address, the Draw page (at most
LOADING_AT_ONCE pages loading at once: see there), draws a first digit (the server's default
model answers) and types its own name into the class-set draft; how long that took is printed.
When everyone is in, each student, `--rounds` times, clears the canvas, draws a 1 or a 0 with
the mouse (session i starts with i % 2, then alternates) and times, inside the page, mouse-up ->
the Prediction metric showing; then it looks at the answer for `--think` seconds (each pause
drawn between 0.5x and 1.5x of it, so that the class does not draw in step) before the next
drawing, as a student reads the answer and the panels under it. `--think 0` is a stress test:
every session draws again the moment its answer shows. Meanwhile one more session trains: the
Fast preset once (a model of its own), then, over and over, the Tutorial settings (sag, ~10 min
if left), stopped after 3 s; each Stop is timed until the fit's process is gone (its core free
again). And one more runs the Sweep page's default sweep (nine fits, in a child process of the
server: digitlab.sweeps.child) again and again. Fits and sweeps run at the lowest CPU priority
(digitlab.runtime.threads.lower_priority): they take the cores the class leaves idle; the server
runs above the test's browsers (SERVER_NICE says why).

The server runs in class mode (a class password, a class database of the run's own), as in a
lesson: every student page carries the class push (pages/shared/class_push.py), each student
types a name for the class, and the teacher (benchmarks/class_round.py) keeps the Class view
open in one page and, in another, poses a lesson question `--think` s after everyone is in
(and again every `--question-every` s, if set): each student answers it between two drawings
(in the box the push draws over Draw: an answer locked in, the result read, the box closed),
or after their last drawing, waiting for the first question if it has not come yet (it is for
the whole class); once all have answered, the teacher reveals the class's histogram.
`--soak MINUTES`: N = 30, drawing for MINUTES, a question every 4 minutes, the server's RSS
printed once the first question is revealed (warm) and at the end.

Bounded: `--rounds` per session, and each session stops drawing `--max-seconds` once everyone is
in; every wait on a page gives up after 90 s (counted as an error).

Prints, per N: how long coming in took; p50/p95/max mouse-up -> Prediction, and where the median
wait went (the browser before sending, the server, the browser drawing the answer); errors (a
round that timed out or raised, and any traceback element on a page); wrong answers (a
Prediction other than the digit drawn); session isolation (each page at the end shows its own
last digit, its own draft name, and the default model, not the trainer's); the server's peak
memory (its process; and with its child fits and sweeps, in PSS) and CPU share; the client's
(this process, Playwright's driver and Chromium) CPU share. CPU shares are of the whole machine
(all cores) over the measured span; the load average is printed beside them because other jobs
share the cores.

A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks import class_round
from benchmarks.class_round import Rounds
from benchmarks.common import group_behind, say
from digitlab.classroom.publish import STUDENTS_PAGE
from digitlab.runtime import threads
from tests.support.browser import (  # the browser tests' helpers: one way to drive the app
    ANSWER_WATCH,
    CANVAS,
    CANVAS_SETTLED,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE_JS,
    POLL_MS,
    ROOT,
    STOP_TRAINING,
    VIEWPORT,
    AppServer,
    digit_strokes,
)
from tests.support.procs import environment, fit_children

PREDICTION = '[data-testid="stMetric"]:has-text("Prediction") [data-testid="stMetricValue"]'
TIMEOUT_MS = 90_000
# The waits check the page every POLL_MS (the browser tests' own), not every frame: thirty
# pages polling at 60 Hz took CPU from the class they measure. The times themselves are taken
# in the page (ANSWER_WATCH's MutationObserver), so they are not rounded to the polling.
# Where a drawing's wait goes, timed in the page: the browser's WebSocket is wrapped (before the
# app's scripts run) to note the first message it sends after mouse-up (the canvas's value, for
# the server) and every message it receives after that. Then mouse-up -> sent is the browser's
# (the canvas encodes its pixels), sent -> the last message before the Prediction showed is the
# server's (its queue and script run; loopback adds ~nothing, but a busy browser notices the
# message late), and that message -> shown is the browser's again (it draws the answer).
WS_TIMES = """(() => {
    const Native = window.WebSocket;
    window.__wsGot = [];
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => {
                if (window.__sent != null) window.__wsGot.push(performance.now());
            });
        }
        send(data) {
            if (window.__up != null && window.__sent == null) window.__sent = performance.now();
            return super.send(data);
        }
    };
})()"""
SPLIT = """() => {
    const got = window.__wsGot.filter((t) => t <= window.__shown);
    const last = got.length ? got[got.length - 1] : window.__sent;
    return [(window.__sent - window.__up) / 1000, (last - window.__sent) / 1000,
            (window.__shown - last) / 1000];
}"""
ARRIVAL_S = 1.0  # between two students opening the app: a class arrives over half a minute
# ... but at most this many pages loading at once. A page load costs this machine's browser
# ~2.4 CPU seconds (Streamlit's scripts, parsed afresh in each context) and the server ~0.3
# (measured, one at a time): thirty at once on 2 cores queue for a minute and a half, which
# says nothing about the server. Each student's own device pays its share, so students wait
# at the door only for the test's one browser; the time the whole class took to arrive is
# printed.
LOADING_AT_ONCE = 2
# In a class the students' browsers run on their own devices; here thirty of them share the
# server's 2 cores, and each is a process as deserving as the server to the kernel: the server
# got ~1/30 of a core while they drew. So the server runs at a higher priority than the test's
# browsers (root only; otherwise as is, and the output says so), as if it had its machine to
# itself; the browsers get what it leaves, and their part of each wait is printed apart.
SERVER_NICE = -10 if hasattr(os, "geteuid") and os.geteuid() == 0 else 0
# ... but with autogroup on (Linux's default on a desktop; benchmarks.common.group_behind),
# Chromium starts a session of its own, a scheduling group the server's nice does not reach: the
# kernel shares the cores between the server's group and the browsers' half and half before any
# nice counts. `--browsers-nice` sets the browsers' group's nice: 0 by default, level with the
# server's (each side gets half the machine when both want more: the server as if it had one
# core to itself, the thirty pages sharing the other). Measured on 2026-12-04 (N=30, --rounds 2
# --think 5) with the browsers' group at 10, behind the server: the server's median share of a
# wait was 0.60 s, the browsers' 1.62 s (0.42 before sending, 1.20 from the answer's arrival to
# it shown), and in that run 9 of 58 drawings were read wrong and 2 Clears went unanswered in
# 90 s: a class's own devices are not starved by the server. The app's
# background fits and sweeps are groups of their own at 19 (threads.background_process): they
# take what both leave.
BROWSERS_NICE = 0
WARM_MIN = 5  # a soak's server is warm from this minute on (the first question revealed)
# A student who has drawn all their rounds waits this long for the teacher's first question
# (posed --think s after everyone is in, once the lesson's model is fitted).
QUESTION_WAIT_S = 300.0
# A student's look at an answer (the digit, its probabilities, why) before the next drawing:
# about two drawings a minute.
THINK_S = 30.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    splits: list[tuple[float, float, float]] = field(default_factory=list)  # browser/server/browser
    errors: list[str] = field(default_factory=list)
    wrong: int = 0
    misread: list[str] = field(default_factory=list)  # which, with a screenshot of the page
    rounds: int = 0
    isolation_failures: list[str] = field(default_factory=list)
    stops: list[float] = field(default_factory=list)  # Stop -> the fit's process gone, s
    trainer_notes: list[str] = field(default_factory=list)
    sweeps: int = 0  # sweeps the sweeping session finished while the class drew
    arrivals: list[float] = field(default_factory=list)  # s from opening the address to in
    opened: float = 0.0  # time.monotonic() when the first student opened the address
    all_in: float = 0.0  # s until the last student was in
    rounds_q: Rounds | None = None  # the question rounds (benchmarks/class_round.py)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (min, server RSS MB)
    reloads: int = 0  # full loads of a page after its first: the class script's blank-page reload
    ended: list[float] = field(default_factory=list)  # time.monotonic() as each latency was read


# What each page said went wrong in its own scripts (uncaught errors, console errors), and how
# many times it loaded: on_page prints the first, the summary the second.
PAGE_ERRORS: dict[object, list[str]] = {}
PAGE_LOADS: dict[object, int] = {}


# --- the server and the machine ----------------------------------------------------------------


class Watch:
    """Samples, every 0.2 s, the resident memory of the server and its child fits (peak), and
    counts the CPU seconds of the server's tree and of this process's other descendants (the
    client: Playwright's driver and Chromium)."""

    def __init__(self, server_pid: int):
        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()
        self.peak_mb = 0.0  # the server and its child fits, proportional set size (PSS)
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
            total = 0
            for p in self._tree(self.server):
                try:
                    if p.pid == self.server.pid:
                        one = p.memory_info().rss
                        self.peak_server_mb = max(self.peak_server_mb, one / 1e6)
                    # the tree in PSS: pages the fits share (Python, NumPy, scikit-learn's
                    # libraries; the features' shared file) counted once, not once a process
                    total += p.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_mb = max(self.peak_mb, total / 1e6)

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
    await page.wait_for_function(IDLE_JS, timeout=timeout, polling=POLL_MS)


async def nav(page, title: str, wait: bool = True) -> None:
    await page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    await page.locator("h1", has_text=title).first.wait_for(timeout=TIMEOUT_MS)
    if wait:
        await idle(page)


async def open_session(browser, url: str):
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)  # a class arriving at once on 2 shared cores
    await context.add_init_script(WS_TIMES)
    page = await context.new_page()
    noted = PAGE_ERRORS.setdefault(page, [])
    page.on("pageerror", lambda e: noted.append(f"uncaught {' '.join(str(e).split())[:160]}"))
    page.on("console", lambda m: m.type == "error" and "status of 404" not in m.text
            and noted.append(f"console {' '.join(m.text.split())[:160]}"))
    page.on("load", lambda _: PAGE_LOADS.__setitem__(page, PAGE_LOADS.get(page, 0) + 1))
    await page.goto(url, timeout=TIMEOUT_MS)
    await idle(page)
    return page


async def draw(page, digit: int) -> None:
    """A person's drawing: once the canvas stands still where a pointer reaches it."""
    await page.wait_for_function(CANVAS_SETTLED, timeout=TIMEOUT_MS, polling=POLL_MS)
    box = await page.locator(CANVAS).first.bounding_box()
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
    """The draft name in the Name popover, opened unless it is open still (set_name's Escape
    does not always close it, and a student who stays on Draw keeps it open: a click on Name
    would close it)."""
    from playwright.async_api import Error as PlaywrightError

    field = page.get_by_label("Name or nickname")
    for _attempt in range(3):  # a click during a run of the page can open nothing: again
        if await field.is_visible():
            break
        await idle(page)
        await page.get_by_role("button", name="Name").click()
        with contextlib.suppress(PlaywrightError):  # not open yet: the next try
            await field.wait_for(state="visible", timeout=5_000)
    value = await field.input_value()
    await page.keyboard.press("Escape")
    return value


@dataclass
class Room:
    """The class's choreography: students come in through a door that lets LOADING_AT_ONCE
    pages load at a time, each draws a first digit and types a name, and the drawing rounds
    begin when everyone is in (as a teacher waits for the class before "now draw a 7")."""

    n: int
    door: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(LOADING_AT_ONCE))
    everyone_in: asyncio.Event = field(default_factory=asyncio.Event)
    seated: int = 0

    def sit(self) -> None:
        """One more student is in (or gave up at the door)."""
        self.seated += 1
        if self.seated == self.n:
            self.everyone_in.set()


async def drawer(browser, url: str, room: Room, i: int, rounds: int, think: float,
                 max_seconds: float, tally: Tally, asked: Rounds):
    """Session i: comes in (opens Draw, draws a first digit, types its own draft name), waits
    for the class, then `rounds` drawings `think` seconds apart on average (at most
    `max_seconds`), then the isolation check."""
    pauses = random.Random(i)  # the same pauses for session i in every run
    page = None
    try:
        try:
            t0 = time.monotonic()
            async with room.door:  # this machine's browser loads a few pages at a time
                page = await open_session(browser, f"{url}/{STUDENTS_PAGE}")  # class address
                await page.locator(CANVAS).first.wait_for(timeout=TIMEOUT_MS)
                await class_round.join_class(page, f"student-{i:02d}")
            await draw(page, 1)  # a first answer, so the Name popover is on the page
            await page.locator(PREDICTION).first.wait_for(timeout=TIMEOUT_MS)
            await idle(page)
            await set_name(page, f"student-{i:02d}")
            tally.arrivals.append(time.monotonic() - t0)
            if i % 10 == 0:
                say(f"  student {i} is in ({time.monotonic() - t0:.0f} s)")
        finally:
            room.sit()
        await room.everyone_in.wait()
        await asyncio.sleep(think * pauses.uniform(0, 1))  # not all at the same moment
        digit, last = i % 2, 1
        deadline = time.monotonic() + max_seconds
        for _ in range(rounds):
            if time.monotonic() > deadline:
                break
            digit = 1 - digit
            if asked.posed.is_set() and i not in asked.presses:  # the teacher's question
                await answer(page, i, asked, tally)
            try:
                await clear(page)
                await page.evaluate(ANSWER_WATCH, "mouseup")
                await page.evaluate("window.__sent = null; window.__wsGot = []")
                await draw(page, digit)
                last = digit
                await page.wait_for_function("window.__shown !== null", timeout=TIMEOUT_MS,
                                             polling=POLL_MS)
                await idle(page)
                tally.latencies.append(
                    await page.evaluate("(window.__shown - window.__up) / 1000"))
                tally.ended.append(time.monotonic())
                if await page.evaluate("window.__sent != null"):
                    tally.splits.append(tuple(await page.evaluate(SPLIT)))
                answered = (await page.locator(PREDICTION).first.inner_text()).strip()
                tally.rounds += 1
                if answered != str(digit):
                    tally.wrong += 1
                    tally.misread.append(f"session {i} drew a {digit}, read as {answered}"
                                         + await on_page(page, f"misread-{i}"))
                await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
            except Exception as exc:  # noqa: BLE001 - counted, and the session goes on
                tally.errors.append(f"session {i}: {said(exc)}")
        await stay_for_the_question(page, i, last, asked, tally)
        await isolation(page, i, last, tally)
    except Exception as exc:  # noqa: BLE001 - a session that never got going
        tally.errors.append(f"session {i} setup: {said(exc)}")
    finally:
        if page is not None:
            tally.reloads += max(0, PAGE_LOADS.pop(page, 1) - 1)
            PAGE_ERRORS.pop(page, None)
            await page.context.close()


async def stay_for_the_question(page, i: int, digit: int, asked: Rounds, tally: Tally) -> None:
    """A student who has drawn all their rounds before the teacher's first question stays for
    it, as a class does (the question is for everyone, so the histogram can hold the whole
    class): answers it, then draws `digit` again, the page's last answer for the isolation
    check. At most QUESTION_WAIT_S for the question to come."""
    if asked.number == 0:
        try:
            await asyncio.wait_for(asked.posed.wait(), QUESTION_WAIT_S)
        except TimeoutError:
            return
    if not asked.posed.is_set() or i in asked.presses:
        return
    await answer(page, i, asked, tally)
    try:
        await clear(page)
        await draw(page, digit)
        await page.locator(PREDICTION).first.wait_for(timeout=TIMEOUT_MS)
        await idle(page)
    except Exception as exc:  # noqa: BLE001 - counted
        tally.errors.append(f"session {i}: {said(exc)}")


async def answer(page, i: int, asked: Rounds, tally: Tally) -> None:
    """Student i answers the teacher's question (benchmarks/class_round.py). If that fails
    (counted, with what the page showed), the student makes sure they are on Draw, as a person
    would, so that one failure is one error, not also every drawing after it."""
    try:
        await class_round.answer(page, i, asked)
    except Exception as exc:  # noqa: BLE001 - counted, and the session goes on
        tally.errors.append(f"session {i} answering: {said(exc)}"
                            f"{await on_page(page, f'answer-{i}')}")
        try:
            await nav(page, "Draw")
            await page.locator(CANVAS).first.wait_for(timeout=TIMEOUT_MS)
        except Exception:  # noqa: BLE001, S110 - the drawings after it say so
            pass


async def on_page(page, who: str) -> str:
    """What a page that went wrong shows: its error messages, and a screenshot kept in
    test-output/ (named in the text)."""
    if page is None:
        return ""
    try:
        shot = ROOT / "test-output" / f"load-{who}.png"
        await page.screenshot(path=str(shot), full_page=True)
        errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    except Exception:  # noqa: BLE001 - the page itself is gone
        return ""
    scripts = "; ".join(PAGE_ERRORS.get(page, [])[-3:]) or "none"
    return (f" [page: {' | '.join(e[:120] for e in errors) or 'no error shown'}; {shot.name}; "
            f"its scripts' errors: {scripts}]")


def said(exc: BaseException) -> str:
    """An error in one line: Playwright's first lines name the step and what it waited for."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


async def isolation(page, i: int, digit: int, tally: Tally) -> None:
    """At the end: this page shows its own last digit, its own draft name, the default model
    (not the trainer's), and no traceback."""
    await idle(page)
    shows = (await page.locator(PREDICTION).first.inner_text()).strip()
    if shows != str(digit):
        tally.isolation_failures.append(f"session {i} shows {shows}, drew {digit}")
    if await page.get_by_text("Answering: the default model").count() == 0:
        tally.isolation_failures.append(f"session {i} answers with another model")
    try:
        name = await read_name(page)
    except Exception as exc:  # noqa: BLE001 - counted, with what the page showed
        tally.errors.append(f"session {i} reading its draft name: {said(exc)}"
                            f"{await on_page(page, f'name-{i}')}")
        return
    if name != f"student-{i:02d}":
        tally.isolation_failures.append(f"session {i} has the draft name {name!r}")
    if await page.locator('[data-testid="stException"]').count():
        tally.errors.append(f"session {i} shows a traceback")


async def side_session(browser, url: str, who: str, tally: Tally, body) -> None:
    """One more session beside the class: `await body(page)` on a page of its own; an error
    is counted under `who` (the run goes on), and the page is closed either way."""
    page = None
    try:
        page = await open_session(browser, url)
        await body(page)
    except Exception as exc:  # noqa: BLE001 - counted
        tally.errors.append(f"{who}: {said(exc)}{await on_page(page, who)}")
    finally:
        if page is not None:
            await page.context.close()


async def trainer(page, server_pid: int, stop_event: asyncio.Event, tally: Tally) -> None:
    """Fast once, then the Tutorial settings started and stopped until the drawers finish."""
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
        await page.locator(STOP_TRAINING).filter(visible=True).first.click()  # not the toolbar's
        t0 = time.monotonic()
        while any(not ended(c) for c in tutorial_fits(server_pid)) and \
                time.monotonic() - t0 < 30:
            await asyncio.sleep(0.05)
        tally.stops.append(time.monotonic() - t0)
        # the fit ended: the page says nothing was kept, or, when this request had joined a
        # fit of the same settings still running (the last one, stopped, its process not yet
        # gone on a loaded machine), that nothing was fitted for it
        await page.get_by_text(re.compile("nothing was (kept|fitted)")).first.wait_for(
            timeout=TIMEOUT_MS)
        await idle(page)


def tutorial_fits(server_pid: int) -> list:
    """The server's own child fits (a sweep's child process, and its fits, are not these)."""
    return fit_children(server_pid, ("digitlab.model.solvers.child",), recursive=False)


def ended(proc) -> bool:
    """The fit's process has been killed: gone, or a SIGKILL is pending (Linux). A killed
    process runs no more of its code, but at nice 19 on a busy machine it may wait a while
    for the CPU slice in which the kernel ends it: that wait is the kernel's, not the app's."""
    try:
        with open(f"/proc/{proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return True
    pending = int(fields.get("SigPnd", "0"), 16) | int(fields.get("ShdPnd", "0"), 16)
    return bool(pending & (1 << (9 - 1)))  # SIGKILL is signal 9


async def sweeper(page, stop_event: asyncio.Event, tally: Tally) -> None:
    """The Sweep page's default sweep (nine fits on 5,000 images, in a child process), run
    again and again until the drawers finish."""
    from playwright.async_api import expect

    await nav(page, "Sweep")
    run = page.get_by_role("button", name="Run sweep")
    while not stop_event.is_set():
        await run.click()
        # the page shows the last sweep's results until the new one ends: wait for the
        # button to go off (a sweep is running) and on again (it has finished); when the
        # class is done, Stop the sweep rather than wait for it (at nice 19 on a busy
        # machine a sweep takes minutes)
        await expect(run).to_be_disabled(timeout=TIMEOUT_MS)
        while not await run.is_enabled():
            if stop_event.is_set():
                await page.get_by_role("button", name="Stop sweep").click()
                # Stop keeps the finished points; the sweep's process ends within ~1 s
                await expect(run).to_be_enabled(timeout=120_000)
                break
            await asyncio.sleep(0.5)
        else:
            tally.sweeps += 1
        await idle(page)


# --- one N ------------------------------------------------------------------------------------


async def memory(pid: int, tally: Tally, done: asyncio.Event, every: float = 60.0) -> None:
    """The server's RSS every `every` s (a soak's growth), until `done`."""
    t0 = time.monotonic()
    while True:
        try:
            rss = psutil.Process(pid).memory_info().rss / 1e6
        except psutil.NoSuchProcess:
            return
        tally.rss.append(((time.monotonic() - t0) / 60, rss))
        say(f"  server RSS {rss:.0f} MB at {(time.monotonic() - t0) / 60:.0f} min; "
            f"{tally.rounds} drawings, {len(tally.errors)} errors, p95 so far "
            f"{pct(tally.latencies, .95):.2f} s; load {os.getloadavg()[0]:.0f}")
        try:
            await asyncio.wait_for(done.wait(), every)
            return
        except TimeoutError:
            pass


# The teacher poses no question in the last LAST_QUESTION_S of the students' drawing time: a
# student whose time is over has left and would not answer (a soak whose class came in fast
# fitted a fifth question into its last minute, and 10 of 30 never saw it).
LAST_QUESTION_S = 60.0


async def run_n(n: int, rounds: int, think: float, max_seconds: float,
                question_every: float = 0.0, browsers_nice: int = 0) -> tuple[Tally, Watch]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="digitlab-load-") as tmp:
        db = Path(tmp) / "class.sqlite3"
        with environment(DIGITLAB_CLASS_PASSWORD=class_round.PASSWORD, DIGITLAB_DB=str(db)):
            return await _run_n(n, rounds, think, max_seconds, question_every, db,
                                browsers_nice)


async def _run_n(n: int, rounds: int, think: float, max_seconds: float,
                 question_every: float, db: Path, browsers_nice: int = 0) -> tuple[Tally, Watch]:
    from playwright.async_api import async_playwright

    tally = Tally()
    asked = tally.rounds_q = Rounds(n, db)
    log = ROOT / "test-output" / f"load-{n}.log"
    with AppServer(log=log, timeout=120, nice=SERVER_NICE) as app:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # the server's nice ranks its threads only within its scheduling group: Chromium's
            # own session is another (BROWSERS_NICE and benchmarks.common.group_behind say why)
            group_behind(browsers_nice, {app.proc.pid})
            warm = await open_session(browser, app.url)  # the default model, fitted once
            await nav(warm, "Draw")
            await warm.locator(CANVAS).first.wait_for(timeout=300_000)
            await warm.context.close()
            done = asyncio.Event()
            with Watch(app.proc.pid) as watch:
                train = asyncio.create_task(side_session(
                    browser, app.url, "trainer", tally,
                    lambda page: trainer(page, app.proc.pid, done, tally)))
                sweep = asyncio.create_task(side_session(
                    browser, app.url, "sweeper", tally,
                    lambda page: sweeper(page, done, tally)))
                drawers, room = [], Room(n)
                teach = asyncio.create_task(side_session(
                    browser, f"{app.url}/class", "teacher", tally,
                    lambda page: class_round.teacher(
                        page, browser, app.url, asked, room.everyone_in, done, max(think, 20.0),
                        question_every, app.proc.pid, open_session,
                        max_seconds - LAST_QUESTION_S)))
                mem = asyncio.create_task(memory(app.proc.pid, tally, done))
                tally.opened = time.monotonic()
                for i in range(n):  # a class arriving over half a minute, not in one instant
                    drawers.append(asyncio.create_task(
                        drawer(browser, app.url, room, i, rounds, think, max_seconds, tally,
                               asked)))
                    await asyncio.sleep(ARRIVAL_S)
                await room.everyone_in.wait()
                tally.all_in = time.monotonic() - tally.opened
                await asyncio.gather(*drawers)
                tally.rss.append((-1.0, psutil.Process(app.proc.pid).memory_info().rss / 1e6))
                done.set()
                await asyncio.wait_for(teach, timeout=300)
                await mem
                await asyncio.wait_for(train, timeout=120)
                await asyncio.wait_for(sweep, timeout=180)
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


def teacher_lines(t: Tally) -> None:
    """The question rounds and the server's memory over the run."""
    q = t.rounds_q
    if q is None:
        return
    shown = ", ".join(f"{x:.2f}s" for x in q.all_shown) or "-"
    reveal = ", ".join(f"{x:.2f}s" for x in q.reveal) or "-"
    print(f"      questions: {q.number} posed; answers stored per round {q.answered or '-'} of "
          f"{q.n}; roster lines {q.roster or '-'}; last answer -> all {q.n} on the teacher's "
          f"page: {shown} (goal <= 3 s); Reveal -> histogram: {reveal}; a student's answer "
          f"(the box over Draw: picked, locked in, result read, closed): median "
          f"{statistics.median(q.answer_s) if q.answer_s else float('nan'):.1f}s", flush=True)
    for e in q.errors[:5]:
        say(f"  {e}")
    if t.rss:
        steps = " ".join(f"{m:.0f}m:{r:.0f}" for m, r in t.rss if m >= 0)
        end = t.rss[-1][1]
        print(f"      server RSS (MB) each minute of the run: {steps}; at the end {end:.0f}"
              + (f"; once the first question was revealed {q.rss_after_first:.0f}, growth "
                 f"since {end - q.rss_after_first:+.0f} MB (goal <= 50 MB)"
                 if q.rss_after_first else ""), flush=True)
        # one sample swings by +-25 MB (a run's arrays come and go): medians of three are
        # steadier ends for a soak's growth
        warm = [r for m, r in t.rss if m >= WARM_MIN]
        if len(warm) >= 6:
            first, last = statistics.median(warm[:3]), statistics.median(warm[-3:])
            print(f"      the same, steadier: median of the first three minutes from minute "
                  f"{WARM_MIN} {first:.0f} MB, of the last three {last:.0f} MB: "
                  f"{last - first:+.0f} MB", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,30", help="N values, comma-separated")
    parser.add_argument("--rounds", type=int, default=6, help="drawings per session")
    parser.add_argument("--think", type=float, default=THINK_S,
                        help="seconds a student looks at an answer before drawing again "
                             "(0: a stress test, every session draws back to back)")
    parser.add_argument("--max-seconds", type=float, default=400,
                        help="time limit of each session's drawing, once it is set up")
    parser.add_argument("--question-every", type=float, default=0.0,
                        help="seconds between two of the teacher's questions (0: one question)")
    parser.add_argument("--soak", type=float, default=0.0, metavar="MINUTES",
                        help="a soak: N = 30 drawing for MINUTES (a question every 4 minutes); "
                             "prints the server's memory once warm and at the end")
    parser.add_argument("--browsers-nice", type=int, default=BROWSERS_NICE,
                        help="the browsers' scheduling group's nice, -20..19 (BROWSERS_NICE says "
                             "why 0: level with the server's)")
    args = parser.parse_args(argv)
    if not -20 <= args.browsers_nice <= 19:
        parser.error(f"--browsers-nice must be from -20 to 19, not {args.browsers_nice}")
    if args.soak:
        args.sessions, args.rounds, args.max_seconds = "30", 10**6, args.soak * 60
        args.question_every = args.question_every or 240.0
    cores = psutil.cpu_count()
    print(f"A class's load: N drawing sessions (mouse strokes, the default Fast model) + 1 "
          f"session starting and stopping the Tutorial settings + 1 session running the Sweep "
          f"page's default sweep over and over; Chromium headless on the same {cores} cores; "
          f"the server at nice {SERVER_NICE}, the browsers at 0 (their scheduling group at "
          f"{args.browsers_nice}: the server's at 0), the fits and sweeps at "
          f"{threads.BACKGROUND_NICE}.")
    print(f"{'N':>3} {'draws':>6} {'p50':>6} {'p95':>6} {'max':>6} {'errors':>6} "
          f"{'wrong':>5} {'isolated':>8} {'srv peak':>9} {'+fits':>8} {'srv CPU':>8} "
          f"{'client CPU':>10} {'stop->free':>10} {'load avg':>10}", flush=True)
    stops = []
    for n in (int(s) for s in args.sessions.split(",")):
        say(f"N = {n}: {n} drawing sessions + 1 training + 1 sweeping, {args.rounds} rounds "
            f"each, ~{args.think:g} s apart")
        t, w = asyncio.run(run_n(n, args.rounds, args.think, args.max_seconds,
                                 args.question_every, args.browsers_nice))
        say(f"  sweeps finished meanwhile: {t.sweeps}")
        if t.arrivals:
            a = t.arrivals
            say(f"  coming in (open the address, Draw up, a first digit read, a name typed): "
                f"p50 {pct(a, .5):.1f} s, p95 {pct(a, .95):.1f} s, max {max(a):.1f} s; all "
                f"{len(a)} in {t.all_in:.0f} s after the first opened it")
        for e in t.errors[:5] + t.isolation_failures[:5] + t.misread[:5]:
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
        if t.splits:
            before, server, after = (statistics.median(x) for x in zip(*t.splits))
            p95_server = pct([x[1] for x in t.splits], .95)
            print(f"      the wait, medians: browser {before:.2f}s (mouse-up -> its message "
                  f"sent), server {server:.2f}s (p95 {p95_server:.2f}s), browser {after:.2f}s "
                  f"(answer received -> shown)", flush=True)
        if t.rounds_q is not None and t.rounds_q.spans:
            q = t.rounds_q
            inside = [x for x, e in zip(lat, t.ended) if q.during(e)]
            outside = [x for x, e in zip(lat, t.ended) if not q.during(e)]
            p95 = {k: f"{pct(v, .95):.2f}s" if v else "-"
                   for k, v in (("in", inside), ("out", outside))}
            print(f"      drawings answered during a question round (Pose -> histogram): "
                  f"{len(inside)}, p95 {p95['in']}; the others: {len(outside)}, "
                  f"p95 {p95['out']}", flush=True)
        if t.reloads:
            print(f"      students' pages that went blank and reloaded themselves: {t.reloads} "
                  f"(pages/shared/class_signal.py)", flush=True)
        teacher_lines(t)
    print("p50/p95/max: mouse-up -> Prediction in the page. srv peak: the app's process; "
          "+fits: with its child fits and sweeps, in PSS (shared pages counted once: "
          "a child fit maps the server's copy of its features). "
          "CPU: share of all cores over the drawing span. stop->free: median Stop click -> "
          "the Tutorial fit's process killed (gone, or SIGKILL pending: it runs no more of "
          "its code; of " + ", ".join(map(str, stops)) + " stops). "
          "load avg: the machine's 1-minute load average at the start and end of the span.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
