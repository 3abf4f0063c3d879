"""A class writing to the class set at once: how long a write waits, and how many are refused.

    python3 run.py bench class_writes [--writers 30] [--busy 6] [--seconds 15] [--timeout 10]

In a lesson, thirty students' sessions write to the one SQLite file all the time: the roster's
"still here" every few seconds, "drawing" with each drawing (in the Draw page's run, before
the rest of its answer is drawn), an answer when a question is locked in. Meanwhile the
server's threads run pages (Python code that holds the interpreter's lock). This benchmark
runs `--writers` threads, each writing every 0.2 s (half a heartbeat, half a "drawing" mark,
as digitlab.classroom.live does them) for `--seconds`, beside `--busy` threads that only
compute, on a fresh file, and prints the median, p95 and longest wait of a write and how many
were refused as "busy" (after `--timeout` seconds, the app's default 10 s).

Beside it, in the same run: the same writers each writing its own transaction, durable (how
the app wrote before the roster's lines were written behind the pages), and one such writer
alone (the floor), all at Python's default switch interval. After the app's run, whether every
student's latest line is in the file.

Then the answers: `--writers` students lock in an answer to one question at once (each its own
durable transaction, as Questions.answer writes it) beside the same busy threads, at the
server's switch interval (digitlab.runtime.threads.SWITCH_S, which app.py sets) and at
Python's default (5 ms): each lock-in's wait, how many were refused, how many were stored.

A measurement, not a test: it exits non-zero only when it could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from digitlab.classroom.classdb import ClassSetError
from digitlab.classroom.classset import TEACHER, Who
from digitlab.classroom.live import DRAWING, Live
from digitlab.classroom.question import choice
from digitlab.classroom.questions import Questions
from digitlab.runtime.threads import SWITCH_S

EVERY_S = 0.2  # each writer's pause between two writes


@contextlib.contextmanager
def busy_threads(n: int) -> Iterator[None]:
    """`n` threads that only compute (a class's page runs holding Python's lock), for the
    length of the block."""
    stop = threading.Event()

    def compute() -> None:
        while not stop.is_set():
            sum(range(2000))

    threads = [threading.Thread(target=compute) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()


def all_at_once(target: Callable[[int], None], n: int) -> None:
    """target(0) ... target(n - 1), each in a thread of its own, started together; returns
    when every one has."""
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(writers: int, busy: int, seconds: float, timeout: float,
        behind: bool = True) -> tuple[list[float], int, bool]:
    """(every write's wait in seconds, how many were refused, whether each writer's last line
    is in the file at the end) for `writers` threads writing beside `busy` computing threads,
    on a fresh file; `behind`: as the app writes (Live.heartbeat, Live.mark), else each write
    its own durable transaction."""
    with tempfile.TemporaryDirectory() as folder:
        live = Live(Path(folder) / "class.sqlite3", timeout=timeout)
        for i in range(writers):
            live.join(f"s{i}", f"student {i}")
        waits: list[float] = []
        refused = [0]
        last: dict[str, float] = {}

        def own_transaction(sid: str, state: str | None) -> None:
            with live._file.transaction() as conn:
                conn.execute("UPDATE live_students SET state = coalesce(?, state), seen = ? "
                             "WHERE sid = ?", (state, time.time(), sid))

        def write(i: int) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                start = time.perf_counter()
                sid = f"s{i}"
                try:
                    if not behind:
                        own_transaction(sid, None if i % 2 else DRAWING)
                    elif i % 2:
                        live.heartbeat(sid)
                    else:
                        live.mark(sid, DRAWING)
                except ClassSetError:
                    refused[0] += 1
                last[sid] = time.time()
                waits.append(time.perf_counter() - start)
                time.sleep(EVERY_S)

        with busy_threads(busy):
            all_at_once(write, writers)
        seen = {s.sid: s.seen for s in live.roster(TEACHER)}  # writes what waits, first
        whole = all(seen.get(sid, 0.0) >= at - 1.0 for sid, at in last.items())
        return waits, refused[0], whole


def answers(students: int, busy: int, timeout: float, switch_s: float) -> tuple[list[float],
                                                                              int, int]:
    """(each lock-in's wait, refused, stored) for `students` answering one question at once
    beside `busy` computing threads, with the interpreter's switch interval `switch_s`."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(switch_s)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "class.sqlite3"
            board = Questions(path, timeout=timeout)
            posed = board.pose([choice("Which digit?", [str(d) for d in range(10)], "7")],
                               TEACHER)
            qid = posed.questions[0].id
            waits: list[float] = []
            refused = [0]

            def lock_in(i: int) -> None:
                start = time.perf_counter()
                try:
                    Questions(path, timeout=timeout).answer(
                        posed.id, {qid: str(i % 10)}, Who(author=f"s{i}"), f"student {i}")
                except ClassSetError:
                    refused[0] += 1
                waits.append(time.perf_counter() - start)

            with busy_threads(busy):
                all_at_once(lock_in, students)
            return waits, refused[0], board.count(posed.id)
    finally:
        sys.setswitchinterval(before)


def line(label: str, waits: list[float], refused: int) -> str:
    waits = sorted(waits)
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    return (f"  {label:44s} {len(waits):5d} {statistics.median(waits) * 1000:8.0f} "
            f"{p95 * 1000:8.0f} {waits[-1] * 1000:8.0f} {refused:7d}")


def options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 run.py bench class_writes",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=30, help="sessions writing (30)")
    parser.add_argument("--busy", type=int, default=6, help="threads computing beside (6)")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each runs (15)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds a write may wait before 'busy' (the app's: 10)")
    args = parser.parse_args(argv)
    for name, low, high in (("writers", 1, 200), ("busy", 0, 64), ("seconds", 1, 600),
                            ("timeout", 0.1, 600)):
        value = getattr(args, name)
        if not low <= value <= high:
            parser.error(f"--{name} must be from {low} to {high}, not {value}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = options(argv)
    print(f"class_writes: {args.writers} writers every {EVERY_S} s beside {args.busy} busy "
          f"threads, {args.seconds:.0f} s each, a write refused after {args.timeout:.0f} s; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(f"  {'':44s} {'writes':>5s} {'median':>8s} {'p95':>8s} {'max':>8s} {'refused':>7s}")
    print("  " + " " * 44 + "           ms       ms       ms")
    rows = [("the app: written behind the pages", True, args.writers),
            ("before: a transaction each, durable", False, args.writers),
            ("the floor: one such writer alone", False, 1)]
    for label, behind, writers in rows:
        waits, refused, whole = run(writers, args.busy if writers > 1 else 0, args.seconds,
                                    args.timeout, behind)
        print(line(label, waits, refused) + ("" if whole else "  (lines missing at the end)"),
              flush=True)
    print(f"{args.writers} lock-ins at once beside {args.busy} busy threads")
    for label, switch_s in ((f"the app: switch interval {SWITCH_S * 1000:g} ms", SWITCH_S),
                            ("before: Python's default, 5 ms", 0.005)):
        waits, refused, stored = answers(args.writers, args.busy, args.timeout, switch_s)
        print(line(label, waits, refused) + f"  stored {stored} of {args.writers}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
