"""Browser fixtures: one headless Chromium and one app server (`python app.py`) per session, and
a fresh page (a browser context of its own: a new visitor, a new Streamlit session) per test.

The browser tests need Debian's Chromium at /usr/bin/chromium (`python3 run.py test`, and so
`.ci/run`, installs it). Without it they fail with that sentence: a skip would hide the gap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    CHROMIUM,
    SCREENSHOTS,
    AppServer,
    launch_chromium,
    new_page,
    train_fast,
)

# What a person waits for on a busy machine: a page run, a fit of the Fast preset.
expect.set_options(timeout=30_000)


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
def trained(page):
    """A new visitor's page with a model: it trains the Fast preset on the Train page (about a
    second; a second visitor's identical fit comes from the server's store at once)."""
    train_fast(page)
    return page
