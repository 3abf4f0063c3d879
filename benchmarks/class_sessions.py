"""The browser side of benchmarks/class_train: one Chromium behind the server in CPU priority,
N sessions opened on a fresh server, their presses at once, and each page's own clock from its
press to its result; the server's process tree sampled meanwhile. Not a benchmark of its own
(run.py's bench list leaves it out)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil

from benchmarks.common import group_behind
from benchmarks.load import LOADING_AT_ONCE, PREDICTION, TIMEOUT_MS, Watch, idle
from digitlab.sweeps.spec import DEFAULT_CS
from pages.shared.timing import ENV as TIMING_ENV
from pages.shared.timing import PREFIX as TIMING_PREFIX
from pages.shared.timing import STEP, tag_of
from tests.support.browser import (
    CANVAS,
    CANVAS_SETTLED,
    POLL_MS,
    ROOT,
    VIEWPORT,
    AppServer,
    digit_strokes,
    launch_chromium,
)
from tests.support.procs import environment, fit_children

SAMPLE_S = 0.25  # memory samples
RENICE_EVERY = 4  # samples: the client's threads put back behind the server every second
POLL_S = 1.0  # reading each page's clock while the burst runs (the times are the page's own)
WARM_TIMEOUT_MS = 300_000  # a fresh server's first Draw fits the default model: minutes if busy
SWEEP_CHILD = ("digitlab.sweeps.child",)
STEP_PX = 3  # between two students' strokes on the 280 px canvas
# In the page, before the press: note the time (Date.now(), the machine's clock in every
# context) of the first pointerdown on the button whose text matches `press`, then of the first
# element matching `selector` whose text holds `text` (lower case), or of the first error
# (st.error, or a traceback) shown after the press, with its text. With a fourth and fifth
# (`rest`, its text), also the time the whole result is drawn: the first element matching
# `rest` whose text holds that text, after the first (train: the per-class report's title,
# drawn after the scores, the confusion matrix and the curve).
ARM = """([press, selector, text, rest, restText]) => {
    const pressed = new RegExp(press);
    window.__press = null; window.__done = null; window.__fail = null;
    window.__rest = null;
    document.addEventListener('pointerdown', (e) => {
        const b = e.target.closest ? e.target.closest('button') : null;
        if (b && window.__press === null && pressed.test(b.textContent.trim()))
            window.__press = Date.now();
    }, {capture: true});
    const seen = () => {
        if (window.__press !== null && window.__done === null && window.__fail === null) {
            for (const el of document.querySelectorAll(selector)) {
                if (el.textContent.toLowerCase().includes(text)) {
                    window.__done = [Date.now(), el.textContent.slice(0, 200)];
                    break;
                }
            }
            const err = window.__done === null && document.querySelector(
                '[data-testid="stAlertContentError"], [data-testid="stException"]');
            if (err) window.__fail = [Date.now(), err.textContent.slice(0, 300)];
        }
        // after the first, in the same look too: the whole result may come in the same change
        if (rest && window.__done !== null && window.__rest === null) {
            for (const el of document.querySelectorAll(rest)) {
                if (el.textContent.toLowerCase().includes(restText)) {
                    window.__rest = Date.now();
                    break;
                }
            }
        }
    };
    new MutationObserver(seen).observe(document.body,
        {subtree: true, childList: true, characterData: true});
}"""
STATE = "[window.__press, window.__done, window.__fail, window.__rest]"
# The test's pages draw no CSS animation (the running spinners, the progress bar's stripes),
# which one software-rendering Chromium would repaint in every page on the server's cores; on
# students' devices each page paints on its own. What a page shows, and when, is unchanged.
# Measured on a busy machine, it is not the client's main cost: the client took 1.6-2x the
# server tree's CPU with animations and 1.6-2x without (train bursts of 10 and 20: drawing the
# results, the confusion matrix, the tables); each burst prints both.
STILL = """document.addEventListener('DOMContentLoaded', () => {
    const style = document.createElement('style');
    style.textContent = '*, *::before, *::after { animation: none !important; '
        + 'transition: none !important; }';
    document.head.appendChild(style);
});"""
TRAIN = ("^Train( anyway|$)", '[data-testid="stMetric"]', "test accuracy",
         '[data-testid="stMarkdownContainer"] strong', "per-class report")
SWEEP = ("^Run sweep$", '[data-testid="stMarkdownContainer"]', "best test accuracy")
SAVE = ("Right: save as", '[data-testid="stAlertContentSuccess"]', "saved")


class Sampler(Watch):
    """benchmarks.load's Watch (CPU seconds of the server's tree and of the client, the load
    average at both ends), sampling the server's process tree every SAMPLE_S: RSS and PSS
    summed over the tree, the server's own RSS, and the sweep processes alive. Once `behind`
    is set, every RENICE_EVERY samples it puts the client's threads back behind the server:
    Chromium sets its threads' priorities itself (a burst's pages ran at 0 and -8 again)."""

    def __init__(self, server_pid: int):
        super().__init__(server_pid)
        self.tree_rss_mb = 0.0
        self.max_sweeps = 0
        self.start_rss_mb = self.server.memory_info().rss / 1e6
        self.seen: dict[int, psutil.Process] = {}  # every process of the tree, to stop later
        self.behind: int | None = None  # the client's nice value, once set

    def _sample(self) -> None:
        turn = 0
        while not self._done.wait(SAMPLE_S):
            rss = pss = 0
            tree = self._tree(self.server)
            turn += 1
            if self.behind is not None and turn % RENICE_EVERY == 0:
                renice(self.behind, {p.pid for p in tree})
            for p in tree:
                try:
                    info = p.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                self.seen.setdefault(p.pid, p)
                rss, pss = rss + info.rss, pss + info.pss
                if p.pid == self.server.pid:
                    self.peak_server_mb = max(self.peak_server_mb, info.rss / 1e6)
            self.tree_rss_mb = max(self.tree_rss_mb, rss / 1e6)
            self.peak_mb = max(self.peak_mb, pss / 1e6)
            with contextlib.suppress(psutil.NoSuchProcess):
                self.max_sweeps = max(self.max_sweeps, len(fit_children(
                    self.server.pid, SWEEP_CHILD, recursive=False)))


def renice(nice: int, skip: set[int]) -> None:
    """Every thread of this process's descendants (Playwright's driver, Chromium), except the
    pids in `skip` (the server's tree), to at least `nice` (Linux: nice is per thread). Their
    scheduling group is set once per burst (`group_behind`: a group's nice stays, and the
    processes Chromium starts later join it)."""
    for p in psutil.Process().children(recursive=True):
        if p.pid in skip:
            continue
        with contextlib.suppress(psutil.Error, OSError):
            for t in p.threads():
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, t.id,
                                   max(nice, os.getpriority(os.PRIO_PROCESS, t.id)))


def stop_leftovers(procs: dict[int, psutil.Process], server_pid: int) -> None:
    """End, by PID, any process of the server's tree still alive after the server stopped."""
    alive = []
    for pid, p in procs.items():
        if pid == server_pid:
            continue
        with contextlib.suppress(psutil.Error):
            if p.is_running():
                p.terminate()
                alive.append(p)
    _, still = psutil.wait_procs(alive, timeout=5)
    for p in still:
        with contextlib.suppress(psutil.Error):
            p.kill()


async def draw_one(page, dx: float) -> None:
    """A plain 1: digit_strokes(1)'s straight stroke, `dx` canvas pixels to the side, once the
    canvas stands still where a pointer reaches it."""
    await page.wait_for_function(CANVAS_SETTLED, timeout=WARM_TIMEOUT_MS, polling=POLL_MS)
    box = await page.locator(CANVAS).first.bounding_box()
    x0, y0 = box["x"] + dx, box["y"]
    stroke = digit_strokes(1)[0]
    await page.mouse.move(x0 + stroke[0][0], y0 + stroke[0][1])
    await page.mouse.down()
    for x, y in stroke[1:]:
        await page.mouse.move(x0 + x, y0 + y, steps=2)
    await page.mouse.up()


@dataclass
class Burst:
    """One burst's outcome: per session its seconds from press to result (None: no result by
    the timeout) and the error its page showed (""), plus the machine's figures."""

    scenario: str
    n: int
    times: list[float | None]
    errors: list[str]
    spread_s: float = 0.0  # first to last press
    tree_rss_mb: float = 0.0
    tree_pss_mb: float = 0.0
    server_rss_mb: float = 0.0
    start_rss_mb: float = 0.0
    max_sweeps: int = 0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    wall_s: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    client_nice: int = 0
    notes: dict = field(default_factory=dict)  # scenario-specific: records, messages, rbf


Ready = Callable[[object, int], Awaitable[None]]


class Client:
    """`async with Client(nice, port) as c:` one headless Chromium (its processes at `nice`),
    and the three bursts, each on a fresh app server (on `port`; 0: any free one)."""

    def __init__(self, nice: int, port: int = 0, profile: Path | None = None):
        self.nice = nice
        self.port = port
        self.profile = profile  # py-spy's raw stacks of the server during each burst, here
        self.said: dict = {}  # page -> its JavaScript errors and warnings, in order

    async def __aenter__(self) -> Client:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self.browser = await launch_chromium(self._pw)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.browser.close()
        await self._pw.stop()

    async def _open(self, url: str, title: str, ready: Ready | None, i: int, door):
        async with door:  # this machine's one browser loads a few pages at a time
            context = await self.browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(TIMEOUT_MS)
            await context.add_init_script(STILL)
            page = await context.new_page()
            said = self.said.setdefault(page, [])  # its errors, said beside a timeout
            page.on("pageerror", lambda exc: said.append(f"pageerror {exc}"[:600]))
            page.on("console", lambda m: said.append(f"console.{m.type} {m.text}"[:600])
                    if m.type in ("error", "warning") else None)
            await page.goto(url, timeout=TIMEOUT_MS)
            await page.locator("h1", has_text=title).first.wait_for(timeout=TIMEOUT_MS)
            await idle(page)
            if ready is not None:
                await ready(page, i)
            return page

    async def _warm(self, url: str, draw: bool = False) -> None:
        """One visit to Home (a fresh server's first deep link shows "Page not found"); with
        `draw`, Draw too (the server fits its default model there, once)."""
        page = await self._open(url, "DigitLab", None, 0, asyncio.Semaphore(1))
        if draw:
            await page.goto(f"{url}/draw", timeout=WARM_TIMEOUT_MS)
            await page.locator(CANVAS).first.wait_for(timeout=WARM_TIMEOUT_MS)
        await page.context.close()

    async def _burst(self, scenario: str, urls: Callable[[str], list[str]], title: str,
                     watch: tuple,
                     timeout: float, ready: Ready | None = None, draw: bool = False,
                     after: Callable[[Burst], None] | None = None) -> Burst:
        log = ROOT / "test-output" / f"class_train-{scenario}.log"
        app = AppServer(log=log, timeout=120)
        os.environ[TIMING_ENV] = "1"  # the server writes its own clock to `log` (read below)
        if self.port:  # a port of the caller's (AppServer picks a free one by default)
            app.port, app.url = self.port, f"http://127.0.0.1:{self.port}"
        seen: dict[int, psutil.Process] = {}
        with app:
            pid = app.proc.pid
            try:
                await self._warm(app.url, draw)
                door = asyncio.Semaphore(LOADING_AT_ONCE)
                addresses = urls(app.url)
                pages = await asyncio.gather(*(self._open(u, title, ready, i, door)
                                               for i, u in enumerate(addresses)))
                button = re.compile(watch[0])
                centres = []
                for page in pages:
                    await page.evaluate(ARM, list(watch))
                    box = await page.get_by_role("button", name=button).first.bounding_box()
                    centres.append((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
                with Sampler(pid) as w:
                    # The mouse, where each button already is: a press is then one input
                    # event per page, all sent at once (a locator's click waits for the
                    # button to be stable, frames apart: 15 s for ten pages on a busy machine).
                    await asyncio.gather(*(p.mouse.click(x, y) for p, (x, y)
                                           in zip(pages, centres)))
                    # Only then behind the server (a browser at a lower priority is slower to
                    # take the press): it must not hold back the fits while they run.
                    server_tree = {pid, *(c.pid for c in psutil.Process(pid).children(True))}
                    renice(self.nice, server_tree)
                    group_behind(self.nice, server_tree)
                    w.behind = self.nice
                    spy = self._spy(pid, scenario)
                    try:
                        states = await self._wait(pages, timeout, whole=len(watch) > 3)
                    finally:
                        if spy is not None:
                            spy.send_signal(signal.SIGINT)  # py-spy writes its file and ends
                            spy.wait(60)
                seen = w.seen
                # what a page with neither a result nor an error showed instead (a sentence
                # the watch does not know, a page still waiting): said beside its timeout
                late = {i: await shown_text(page, log.with_name(f"{log.stem}-late-{i}.png"))
                        for i, (page, s) in enumerate(zip(pages, states))
                        if s[1] is None and s[2] is None}
                for page in pages:
                    await page.context.close()
            finally:
                seen.setdefault(pid, psutil.Process(pid))
        stop_leftovers(seen, pid)
        b = outcome(scenario, states, w)
        b.notes["late"] = late
        logged = steps(log)  # each lesson link's C says whose steps are whose
        b.notes["steps"] = {i: logged.get(page_tag(addresses[i]), []) for i in late}
        b.notes["page_errors"] = {i: self.said.get(pages[i], []) for i in late}
        for page in pages:
            self.said.pop(page, None)
        b.client_nice = self.nice
        b.notes["server_times"] = server_times(log)
        if after is not None:
            after(b)
        return b

    def _spy(self, pid: int, scenario: str) -> subprocess.Popen | None:
        """py-spy sampling the server (every thread, native frames off, idle ones left out)
        from the presses to the last result, when `profile` names a folder; py-spy is looked
        up as $PY_SPY or on the PATH (not a requirement of the project)."""
        if self.profile is None:
            return None
        spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
        if spy is None:
            raise RuntimeError("--profile needs py-spy: put it on the PATH or in $PY_SPY")
        self.profile.mkdir(parents=True, exist_ok=True)
        out = self.profile / f"{scenario}-{pid}.spy.txt"
        return subprocess.Popen([spy, "record", "-p", str(pid), "-r", "20", "-f", "raw",
                                 "--nonblocking", "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def _wait(self, pages, timeout: float, whole: bool = False) -> list:
        """Each page's STATE, read every POLL_S until every page has its result or an error
        (and, with `whole`, its whole result too), or until `timeout`."""
        deadline = asyncio.get_running_loop().time() + timeout
        states = [[None, None, None, None] for _ in pages]
        while True:
            for i, page in enumerate(pages):
                with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                    states[i] = await asyncio.wait_for(page.evaluate(STATE), 30)
            finished = all(s[2] is not None
                           or (s[1] is not None and (s[3] is not None or not whole))
                           for s in states)
            if finished or asyncio.get_running_loop().time() > deadline:
                return states
            await asyncio.sleep(POLL_S)

    async def train(self, links: Callable[[str], list[str]], timeout: float) -> Burst:
        """Each lesson link (`links(server_url)`) on Train, then Train pressed on every page."""
        return await self._burst("train", links, "Train", TRAIN, timeout)

    async def sweep(self, n: int, timeout: float, own: bool = False) -> Burst:
        """n sessions on Sweep, then Run sweep pressed on every page: the page's default
        (identical sweeps: the server runs them once), or with `own` a sweep of each
        session's own (own_cs: nine C as many as the default's, none alike)."""
        async def ready(page, i: int) -> None:
            field = page.get_by_label(C_FIELD, exact=True)
            await field.fill(own_cs(i))
            await field.press("Enter")
            await idle(page)

        return await self._burst("sweep", lambda url: [f"{url}/sweep"] * n, "Sweep", SWEEP,
                                 timeout, ready if own else None)

    async def save(self, n: int, db: Path, timeout: float) -> Burst:
        async def ready(page, i: int) -> None:
            await page.locator(CANVAS).first.wait_for(timeout=TIMEOUT_MS)
            await idle(page)
            await draw_one(page, STEP_PX * (i - n // 2))
            await page.locator(PREDICTION).first.wait_for(timeout=TIMEOUT_MS)
            await idle(page)

        def count(b: Burst) -> None:
            from digitlab.classroom.classset import ClassSet

            b.notes["records"] = ClassSet(db).count()

        with environment(DIGITLAB_DB=str(db)):
            return await self._burst("save", lambda url: [f"{url}/draw"] * n, "Draw", SAVE,
                                     timeout, ready,
                                     draw=True, after=count)


C_FIELD = "Values of C (comma-separated)"  # the Sweep page's field (an English session)
OWN_STEP = 0.02  # session i's C: the default's, each times 1 + OWN_STEP * i


def own_cs(i: int) -> str:
    """Session i's own nine C for the Sweep page's field: the default's, scaled a little
    (session 0's are the default), so that no two sessions' sweeps are alike and each costs
    about what the default does."""
    return ", ".join(f"{c * (1 + OWN_STEP * i):g}" for c in DEFAULT_CS)


MAIN_TEXT = """() => [(document.querySelector('[data-testid="stMain"]') || document.body)
    .innerText.replace(/\\s+/g, ' ').slice(0, 400),
    !!document.querySelector('[data-testid="stStatusWidget"]')]"""


async def shown_text(page, picture: Path | None = None) -> str:
    """The start of what the page's main part shows, in one line, and whether Streamlit's
    "running" sign was on; or why it could not be read (a closed or hung page). With `picture`,
    a screenshot of the page there too."""
    try:
        text, running = await asyncio.wait_for(page.evaluate(MAIN_TEXT), 30)
    except Exception as exc:  # a closed or hung page
        return f"(the page did not answer: {type(exc).__name__})"
    if picture is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(page.screenshot(path=str(picture)), 30)
    return text + (" [Streamlit's running sign on]" if running else "")


def page_tag(url: str) -> str:
    """The Train page's tag in the server's steps (pages/shared/timing.py) for a lesson link,
    from its C; '' for a link without one."""
    c = parse_qs(urlsplit(url).query).get("C")
    try:
        return tag_of(float(c[0])) if c else ""
    except ValueError:
        return ""


def steps(log: Path) -> dict[str, list[str]]:
    """The server's steps (pages/shared/timing.py) by page tag, each in order: its seconds,
    step and job's state."""
    found: dict[str, list[str]] = {}
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            bits = line.split(maxsplit=3)
            if len(bits) == 4 and bits[0] == STEP:
                found.setdefault(bits[2], []).append(f"{bits[1]} {bits[3]}")
    return found


def server_times(log: Path) -> list[tuple[float, float]]:
    """(seconds from the press's run to the result drawn, of them queued) per result, by the
    server's clock (pages/shared/timing.py's lines in its log)."""
    times = []
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            bits = line.split()
            if len(bits) == 4 and bits[0] == TIMING_PREFIX:
                times.append((float(bits[2]), float(bits[3])))
    return times


def outcome(scenario: str, states: list, w: Sampler) -> Burst:
    """The Burst of each page's (press, done, fail, rest) clock readings and the sampler's
    figures."""
    times: list[float | None] = []
    whole: list[float | None] = []  # to the whole result drawn (train), where it was seen
    errors: list[str] = []
    said: dict[str, int] = {}
    for press, done, fail, rest in states:
        whole.append(None if rest is None or press is None else (rest - press) / 1000)
        if press is None:
            times.append(None)
            errors.append("its press did not reach the page")
        elif fail is not None:
            times.append((fail[0] - press) / 1000)
            errors.append(" ".join(str(fail[1]).split()))
        else:
            times.append(None if done is None else (done[0] - press) / 1000)
            errors.append("")
            if done is not None:
                text = str(done[1]).lower()
                kind = "already saved" if "already" in text else \
                    "saved again" if "again" in text else "saved"
                said[kind] = said.get(kind, 0) + 1
    presses = [s[0] for s in states if s[0] is not None]
    b = Burst(scenario, len(states), times, errors,
              spread_s=(max(presses) - min(presses)) / 1000 if presses else 0.0,
              tree_rss_mb=w.tree_rss_mb, tree_pss_mb=w.peak_mb,
              server_rss_mb=w.peak_server_mb, start_rss_mb=w.start_rss_mb,
              max_sweeps=w.max_sweeps, server_cpu_s=w.server_cpu, client_cpu_s=w.client_cpu,
              wall_s=w.wall, load=(w.load0, w.load1))
    if scenario == "save":
        b.notes["said"] = said
    if any(t is not None for t in whole):
        b.notes["whole_times"] = whole
    return b
