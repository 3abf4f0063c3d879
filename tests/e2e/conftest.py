"""Browser fixtures: one `streamlit run app.py` server and one headless Chromium per session.

The browser tests need Debian's Chromium at /usr/bin/chromium (`python3 run.py test`, and so
`.ci/run`, installs it). Without it they fail with that sentence: a skip would hide the gap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .app_utils import CHROMIUM, SCREENSHOTS, AppServer, launch_chromium


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
