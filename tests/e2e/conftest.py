"""Browser fixtures: one headless Chromium and one app server (`python app.py`) per session, and
a fresh page (a browser context of its own: a new visitor, a new Streamlit session) per test.
A test that only needs a model to draw with, or to look at, opens Draw or Gallery with the
server's default model (`visitor_at`); only a test about a model of one's own trains one
(`trained`: the Train page with its fit costs a browser more than any other page).

The browser tests need Debian's Chromium at /usr/bin/chromium (`python3 run.py test`, and so
`.ci/run`, installs it). Without it they fail with that sentence: a skip would hide the gap."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    CHROMIUM,
    SCREENSHOTS,
    SERVER_LOGS,
    VIEWPORT,
    AppServer,
    canvas,
    launch_chromium,
    new_page,
    shown,
    train_fast,
    wait_idle,
)

# What a person waits for on a busy machine: a page run, a fit of the Fast preset.
expect.set_options(timeout=30_000)
STARTED = pytest.StashKey[float]()
LOG_LINES = 40


def pytest_configure(config):
    """Only this run's server logs (one file per server and port: they would pile up). On the
    controller, before any worker starts a server."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(SERVER_LOGS, ignore_errors=True)


def pytest_runtest_setup(item):
    item.stash[STARTED] = time.time()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the last lines of every app server log written while it ran
    (the server's side of the failure: a traceback, a lost run), beside what the page showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or STARTED not in item.stash:
        return
    for log in sorted(SERVER_LOGS.glob("streamlit-*.log")):
        if log.stat().st_mtime >= item.stash[STARTED]:
            lines = log.read_text(errors="replace").splitlines()[-LOG_LINES:]
            report.sections.append((f"app server log {log.name}, its last lines",
                                    "\n".join(lines)))


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `python3 run.py test` installs it "
                    "(Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pictures
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_server(mnist):
    """The app on 127.0.0.1:<free port>; `mnist` makes sure the data cache exists first."""
    with AppServer() as server:
        yield server


@pytest.fixture
def page(chromium, app_server):
    """The app's Home page, opened by a new visitor."""
    page = new_page(chromium, app_server.url)
    yield page
    page.context.close()


@pytest.fixture
def visitor_at(chromium, app_server):
    """`visitor_at("draw")`: a new visitor's page opened at that address (a deep link, as a
    student opens it), answering with the server's default model (the Fast preset, fitted once
    per server by the first page that needs it)."""
    pages = []

    def opened(path: str):
        page = chromium.new_context(viewport=VIEWPORT).new_page()
        pages.append(page)
        page.goto(f"{app_server.url}/{path}")
        wait_idle(page, timeout=120_000)  # a server's first Draw fits the default model
        if path.startswith("draw"):  # a stroke before the canvas is there is lost
            shown(canvas(page))
            wait_idle(page)
        return page

    yield opened
    for page in pages:
        page.context.close()


@pytest.fixture
def trained(page):
    """A new visitor's page with a model: it trains the Fast preset on the Train page (about a
    second; a second visitor's identical fit comes from the server's store at once)."""
    train_fast(page)
    return page
