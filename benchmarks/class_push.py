"""What the class's push costs the server: students' pages left open, class mode against not.

    python -m benchmarks.class_push [--students 10] [--seconds 60]   (from the repository's root)

In class mode every student's page runs one small fragment every second
(pages/shared/class_push.py: the pause screen and the roster's heartbeat). This starts the app
twice on free ports, with `--students` pages (each a browser context of its own, as each
student's device) open on Home and left alone for `--seconds`: first without a class password
(no push: the baseline), then as a class (the push on every page). It counts the CPU seconds of
the server's own process (not Chromium's) over that time, and in each page how many runs the
fragment made (the app's "running" state, seen by a MutationObserver). The difference is the
push's cost: CPU seconds per student per minute, and per fragment run.

A measurement, not a test: it prints both figures side by side. On a shared machine the CPU
seconds count only what the server did, but a busy machine still stretches each run.
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
from tests.support.browser import AppServer, launch_chromium, wait_idle
from tests.support.procs import environment

# In a page: count the app's runs that start after this (its "running" state, set on stApp).
COUNT_RUNS = """() => { window.__runs = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def cpu_seconds(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def measure(browser, env: dict, students: int, seconds: float) -> tuple[float, float]:
    """(server CPU seconds over `seconds`, the fragment's runs per page per minute) with
    `students` pages open on Home of a server started with `env`."""
    with environment(**env), AppServer() as server:
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
            cpu0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
            time.sleep(seconds)
            cpu, wall = cpu_seconds(server.proc.pid) - cpu0, time.monotonic() - t0
            runs = sum(page.evaluate("window.__runs") for page in pages)
        finally:
            for page in pages:
                page.context.close()
    return cpu, runs / students / (wall / 60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch_chromium(p)
        db = str(Path(tmp) / "class.sqlite3")
        say(f"{args.students} pages open for {args.seconds:.0f} s, without a class (baseline)")
        base_cpu, base_runs = measure(browser, {"DIGITLAB_CLASS_PASSWORD": "", "DIGITLAB_DB": db},
                                      args.students, args.seconds)
        say(f"{args.students} pages open for {args.seconds:.0f} s, as a class (the push on)")
        push_cpu, push_runs = measure(browser, {"DIGITLAB_CLASS_PASSWORD": "bench-push",
                                                "DIGITLAB_DB": db}, args.students, args.seconds)
        browser.close()
    minutes = args.seconds / 60
    per_student = (push_cpu - base_cpu) / args.students / minutes
    extra_runs = max(push_runs - base_runs, 1e-9)
    print(f"\nserver CPU over {args.seconds:.0f} s, {args.students} idle pages "
          f"(load average {os.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores):")
    print(f"  {'':28}{'CPU s':>8}{'runs/page/min':>15}")
    print(f"  {'baseline (no class)':28}{base_cpu:8.2f}{base_runs:15.1f}")
    print(f"  {'class mode (push on)':28}{push_cpu:8.2f}{push_runs:15.1f}")
    print(f"the push: {per_student * 1000:.0f} ms of server CPU per student per minute "
          f"({per_student / 60 * 100:.2f} % of one core per student; 30 students: "
          f"{30 * per_student / 60 * 100:.0f} %), {per_student / extra_runs * 1000:.1f} ms "
          "per fragment run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
