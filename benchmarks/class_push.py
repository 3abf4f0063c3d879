"""What the class's push costs: students' pages left open, class mode against not.

    python -m benchmarks.class_push [--students 10] [--seconds 60]   (from the repository's root)

In class mode every student's page learns of a pause or a question within about a second
(pages/shared/class_push.py). It asks the server's class address every second and runs the
push's fragment only when the class changed (pages/shared/class_signal.py); a server started
without that address (`streamlit run app.py`, bare) runs the fragment every second instead, as
the app did before. This starts the app three times on free ports, with `--students` pages (each
a browser context of its own, as each student's device) open on Home and left alone for
`--seconds`: without a class password (no push: the baseline), as a class (the push on a
change), and as a class served bare (the push every second). It counts the CPU seconds of the
server's own process and of the browser (every Chromium process) over that time, and in each
page how many runs the app made (its "running" state, seen by a MutationObserver). The
differences from the baseline are the push's cost, per student per minute.

A measurement, not a test: it prints the three side by side. On a shared machine the CPU
seconds count only what the server and the browser did, but a busy machine still stretches
each run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.common import say
from tests.support.browser import COUNT_RUNS, AppServer, launch_chromium, wait_idle
from tests.support.procs import environment


def cpu_seconds(pids) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:  # a renderer that closed: its time is not counted
            continue
        total += t.user + t.system
    return total


def browser_pids(server_pid: int) -> list[int]:
    """This process's descendants that are not the server's tree: Playwright's driver and
    Chromium's processes."""
    server = {server_pid, *(c.pid for c in psutil.Process(server_pid).children(recursive=True))}
    return [c.pid for c in psutil.Process().children(recursive=True) if c.pid not in server]


def measure(browser, env: dict, students: int, seconds: float,
            bare: bool = False) -> tuple[float, float, float]:
    """(server CPU seconds, the browser's CPU seconds, the app's runs per page per minute)
    over `seconds`, with `students` pages open on Home of a server started with `env`
    (`bare`: with `streamlit run`, which serves no class address)."""
    with environment(**env), AppServer(bare=bare) as server:
        assert server.proc is not None
        pages = []
        try:
            for _ in range(students):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(server.url)
                wait_idle(page, timeout=120_000)
                pages.append(page)
            time.sleep(3.0)  # the last page's first runs settle
            for page in pages:
                page.evaluate(COUNT_RUNS)
            clients = browser_pids(server.proc.pid)
            cpu0, client0 = cpu_seconds([server.proc.pid]), cpu_seconds(clients)
            t0 = time.monotonic()
            time.sleep(seconds)
            wall = time.monotonic() - t0
            cpu = cpu_seconds([server.proc.pid]) - cpu0
            client = cpu_seconds(clients) - client0
            runs = sum(page.evaluate("window.__runs") for page in pages)
        finally:
            for page in pages:
                page.context.close()
    return cpu, client, runs / students / (wall / 60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch_chromium(p)
        db = str(Path(tmp) / "class.sqlite3")
        rows = []
        for label, password, bare in (("baseline (no class)", "", False),
                                      ("class, push on a change", "bench-push", False),
                                      ("class, push every second", "bench-push", True)):
            say(f"{args.students} pages open for {args.seconds:.0f} s: {label}")
            rows.append((label, *measure(browser, {"DIGITLAB_CLASS_PASSWORD": password,
                                                   "DIGITLAB_DB": db},
                                         args.students, args.seconds, bare)))
        browser.close()
    minutes = args.seconds / 60
    print(f"\nCPU over {args.seconds:.0f} s, {args.students} idle pages on Home "
          f"(load average {os.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores):")
    print(f"  {'':28}{'server CPU s':>13}{'browser CPU s':>14}{'runs/page/min':>15}")
    for label, cpu, client, runs in rows:
        print(f"  {label:28}{cpu:13.2f}{client:14.2f}{runs:15.1f}")
    _, base_cpu, base_client, _ = rows[0]
    for label, cpu, client, _ in rows[1:]:
        server = (cpu - base_cpu) / args.students / minutes
        page = (client - base_client) / args.students / minutes
        print(f"{label}: per student per minute, {server * 1000:.0f} ms of server CPU and "
              f"{page * 1000:.0f} ms of browser CPU (30 students: {30 * server / 60 * 100:.0f} % "
              f"and {30 * page / 60 * 100:.0f} % of one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
