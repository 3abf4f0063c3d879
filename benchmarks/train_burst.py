"""A class presses Train at once: the server's memory and the time until every session has its
model, for N sessions beside one session, in one run.

    python -m benchmarks.train_burst [--sessions 10] [--root OTHER_CHECKOUT]

Each measurement starts a fresh app server on 127.0.0.1 (so no fit is stored yet),
opens the sessions in headless Chromium (a browser context each), puts the Fast preset on each
Train page, then clicks Train on every page as fast as the browser allows (well inside the
~1 s a Fast fit takes) and waits until every page shows its Test accuracy. The server's
memory is read from /proc (resident set, and its peak, VmHWM) before the clicks and after.
`--root` runs another checkout's app the same way (say, an older commit, to compare).
A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import status_kb
from tests.support.browser import ROOT, AppServer, go_to, launch_chromium, metric_value, new_page


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of a process, in MB (Linux /proc)."""
    return status_kb("VmRSS", pid) / 1024, status_kb("VmHWM", pid) / 1024


def burst(browser, sessions: int, root: Path) -> dict:
    with AppServer(root=root, bare=root != ROOT) as app:  # an older app.py: streamlit run
        pages = [new_page(browser, app.url) for _ in range(sessions)]
        for page in pages:
            go_to(page, "Train")
            page.get_by_role("button", name="Fast").click()
        time.sleep(1.0)  # let every rerun settle before the baseline reading
        rss0, peak0 = memory_mb(app.proc.pid)
        t0 = time.perf_counter()
        for page in pages:
            page.get_by_role("button", name="Train", exact=True).click(no_wait_after=True)
        clicked = time.perf_counter() - t0
        done = []
        for page in pages:
            metric_value(page, "Test accuracy").wait_for(timeout=300_000)
            done.append(time.perf_counter() - t0)
        rss1, peak1 = memory_mb(app.proc.pid)
        accuracies = {metric_value(p, "Test accuracy").inner_text() for p in pages}
        for page in pages:
            page.close()
    return {"sessions": sessions, "clicks_s": clicked, "all_done_s": max(done),
            "rss_before": rss0, "rss_after": rss1, "peak_before": peak0, "peak_after": peak1,
            "accuracies": sorted(accuracies)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose app to run (default: this one)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        rows = [burst(browser, 1, args.root), burst(browser, args.sessions, args.root)]
        browser.close()
    print(f"Train pressed at once on the Fast preset, fresh server each ({args.root})")
    print(f"{'sessions':>8} {'clicks s':>9} {'all done s':>11} {'RSS before':>11} "
          f"{'RSS after':>10} {'peak':>7} {'peak rise':>10}  accuracy shown")
    for r in rows:
        print(f"{r['sessions']:>8} {r['clicks_s']:>9.2f} {r['all_done_s']:>11.2f} "
              f"{r['rss_before']:>9.0f}MB {r['rss_after']:>8.0f}MB {r['peak_after']:>5.0f}MB "
              f"{r['peak_after'] - r['rss_before']:>8.0f}MB  {', '.join(r['accuracies'])}")
    one, many = (r["peak_after"] - r["rss_before"] for r in rows)
    print(f"peak rise, {args.sessions} sessions / 1 session: {many / max(one, 1.0):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
