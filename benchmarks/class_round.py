"""The teacher's side of benchmarks/load: the class view open all along, and question rounds
(pose, the students answer between two drawings, reveal), on a class server (a class password
and a class database of the run's own). Not a benchmark of its own (run.py's bench list leaves
it out): load.py calls it.

What is timed, each on this machine's wall clock (every page's Date.now() and this process's
time.time() read the same clock):
- last answer -> all on the teacher's page: the last student's press on "Lock in my answer" ->
  the teacher's Questions page showing "Answered" = the class (its count refreshes by itself,
  pages/panels/questions_panel.POLL_S);
- Reveal -> histogram: the teacher's press on "Reveal the answers" -> the class's histogram
  drawn on the teacher's page.
The class view's roster is read from the class database at the end of each round: one line per
student (the class view draws the same rows).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.common import say

PASSWORD = "load-benchmark"
ANSWER_TIMEOUT_S = 240.0  # the teacher waits this long for the whole class before revealing
CHART = '[data-testid="stVegaLiteChart"]'
# In the teacher's page: Date.now() when the "Answered" count first shows `n`.
COUNT_WATCH = """(n) => {
    window.__all = null;
    const seen = () => {
        if (window.__all !== null) return;
        for (const el of document.querySelectorAll('[data-testid="stMetric"]')) {
            const value = el.querySelector('[data-testid="stMetricValue"]');
            if (el.textContent.includes('Answered') && value
                    && value.textContent.trim() === String(n)) {
                window.__all = Date.now();
                return;
            }
        }
    };
    new MutationObserver(seen).observe(document.body,
        {subtree: true, childList: true, characterData: true});
    seen();
}"""


@dataclass
class Rounds:
    """The question rounds of one run, shared by the teacher and the students."""

    n: int
    db: Path
    posed: asyncio.Event = field(default_factory=asyncio.Event)
    key: str = ""  # the true answer of the round on screen
    number: int = 0  # rounds posed so far
    presses: dict[int, float] = field(default_factory=dict)  # this round: student -> press time
    all_shown: list[float] = field(default_factory=list)  # per round: last press -> count shown
    reveal: list[float] = field(default_factory=list)  # per round: Reveal -> histogram
    answered: list[int] = field(default_factory=list)  # per round: answers stored
    roster: list[int] = field(default_factory=list)  # per round: lines on the roster
    answer_s: list[float] = field(default_factory=list)  # a student's answer in the box, s
    errors: list[str] = field(default_factory=list)
    rss_after_first: float = 0.0  # the server's RSS, MB, once the first round is revealed
    spans: list[tuple[float, float]] = field(default_factory=list)  # monotonic: Pose -> chart

    def during(self, t: float) -> bool:
        """Whether time.monotonic() `t` fell in a round: from Pose to the histogram drawn."""
        return any(a <= t <= b for a, b in self.spans) or (
            bool(self.spans) and self.spans[-1][1] < 0 and t >= self.spans[-1][0])


async def unlock(page, button: str) -> None:
    """The teacher's password, in the page's own form (`button`: its label)."""
    from benchmarks.load import idle

    teacher = page.get_by_text("Teacher", exact=True)
    if await teacher.count():  # the Questions page keeps the field in an expander
        await teacher.first.click()
    await page.get_by_label("Class password (teacher)").fill(PASSWORD)
    await page.get_by_role("button", name=button).click()
    await idle(page)


async def join_class(page, name: str) -> None:
    """A student's name for the class (the form the class address asks it with)."""
    from benchmarks.load import idle

    box = page.get_by_role("textbox", name="Your name for this class")
    await box.fill(name)
    await page.get_by_role("button", name="Join the class").click()
    await box.wait_for(state="detached")
    await idle(page)


async def answer(page, i: int, rounds: Rounds) -> None:
    """Student i, between two drawings, where they are (the box the class push draws over
    Draw): the true answer picked (or the next digit, for half the class), locked in, their
    result read, the box closed."""
    from benchmarks.load import TIMEOUT_MS, idle

    t0 = time.monotonic()
    number = rounds.number
    box = page.locator(".st-key-class_question_link")
    choice = rounds.key if i % 2 == 0 else str((int(rounds.key) + 1) % 10)
    await box.get_by_text(choice, exact=True).first.click(timeout=TIMEOUT_MS)
    lock = box.get_by_role("button", name="Lock in my answer")
    await lock.wait_for(timeout=TIMEOUT_MS)
    pressed = time.time()
    await lock.click()
    await box.get_by_text("Your answer, locked in").first.wait_for(timeout=TIMEOUT_MS)
    if number == rounds.number:
        rounds.presses[i] = pressed
    await box.get_by_role("button", name="Close").click()
    await box.wait_for(state="detached", timeout=TIMEOUT_MS)
    await idle(page)
    rounds.answer_s.append(time.monotonic() - t0)


async def teacher(view, browser, url: str, rounds: Rounds, everyone_in: asyncio.Event,
                  done: asyncio.Event, first_after: float, every: float, server_pid: int,
                  open_session, last_after: float = math.inf) -> None:
    """The class view open in one page (`view`, closed by the caller) all along; in another,
    Questions: a lesson question posed `first_after` s after everyone is in, then every
    `every` s (0: once) until `done`, none later than `last_after` s after everyone is in (the
    students' drawing time ends soon after: a question then would find them gone); each round
    revealed once the whole class answered (or after ANSWER_TIMEOUT_S), then ended."""
    from benchmarks.load import TIMEOUT_MS, idle
    from digitlab.classroom.classset import TEACHER
    from digitlab.classroom.live import Live
    from digitlab.classroom.questions import Questions

    ask = await open_session(browser, f"{url}/questions")
    try:
        await unlock(view, "Open the class view")
        await unlock(ask, "Unlock publishing")
        say("  teacher: the class view and Questions open, unlocked")
        await everyone_in.wait()
        last = time.monotonic() + last_after
        wait = first_after
        while True:
            try:
                await asyncio.wait_for(done.wait(), wait)
                return
            except TimeoutError:
                pass
            if time.monotonic() > last:  # the lesson's end: no new question
                await done.wait()
                return
            try:
                await one_round(ask, rounds, done, server_pid, Questions, Live, TEACHER,
                                TIMEOUT_MS, idle)
            except Exception as exc:  # what the Questions page showed, not the class view
                from benchmarks.load import on_page
                raise RuntimeError(f"{type(exc).__name__}: {exc}"[:300]
                                   + await on_page(ask, "teacher-questions")) from exc
            if not every:
                await done.wait()
                return
            wait = every
    finally:
        await ask.context.close()


async def one_round(ask, rounds: Rounds, done, server_pid, Questions, Live, TEACHER,
                    TIMEOUT_MS, idle) -> None:
    pose = ask.get_by_role("button", name="Pose this question")
    await pose.wait_for(timeout=300_000)  # the lesson tab's model, fitted on its first visit
    await idle(ask)
    rounds.spans.append((time.monotonic(), -1.0))  # open until the histogram is drawn
    await pose.click()
    reveal = ask.get_by_role("button", name="Reveal the answers")
    await reveal.wait_for(timeout=TIMEOUT_MS)
    live = Questions(rounds.db).current()
    rounds.presses = {}
    rounds.key = str(live.questions[0].question.key)
    rounds.number += 1
    await ask.evaluate(COUNT_WATCH, rounds.n)
    rounds.posed.set()
    say(f"  teacher: question {rounds.number} posed (true answer {rounds.key})")
    t0 = time.monotonic()
    while len(rounds.presses) < rounds.n and time.monotonic() - t0 < ANSWER_TIMEOUT_S \
            and not (done.is_set() and time.monotonic() - t0 > 60):
        await asyncio.sleep(0.5)
    rounds.posed.clear()
    if len(rounds.presses) == rounds.n:
        t1 = time.monotonic()
        while await ask.evaluate("window.__all") is None and time.monotonic() - t1 < 60:
            await asyncio.sleep(0.1)
        shown = await ask.evaluate("window.__all")
        if shown is None:
            rounds.errors.append(f"round {rounds.number}: the teacher's count never showed "
                                 f"{rounds.n}")
        else:
            rounds.all_shown.append(shown / 1000 - max(rounds.presses.values()))
    else:
        rounds.errors.append(f"round {rounds.number}: {len(rounds.presses)} of {rounds.n} "
                             f"answered in {ANSWER_TIMEOUT_S:.0f} s")
    await reveal.wait_for(timeout=TIMEOUT_MS)
    t = time.monotonic()
    await reveal.click()
    await ask.locator(CHART).first.wait_for(timeout=TIMEOUT_MS)
    rounds.reveal.append(time.monotonic() - t)
    rounds.spans[-1] = (rounds.spans[-1][0], time.monotonic())
    say(f"  teacher: question {rounds.number} revealed, {len(rounds.presses)} answered")
    rounds.answered.append(Questions(rounds.db).count(live.id))
    # the class's cards (the trainer's, the sweeper's and the warm-up's sessions are on the
    # roster too, without a name)
    rounds.roster.append(sum(s.name.startswith("student-")
                             for s in Live(rounds.db).roster(TEACHER)))
    if rounds.number == 1:
        rounds.rss_after_first = psutil.Process(server_pid).memory_info().rss / 1e6
    await idle(ask)
    await ask.get_by_role("button", name="End it").click()
    await idle(ask)
