"""Fixtures for the AppTest page tests: a small trained model to hand to the pages."""

from __future__ import annotations

import logging

import pytest
import streamlit  # noqa: F401  (sets up its loggers; the next line quiets one of them)

# Outside `streamlit run`, declaring a cached function logs "No runtime found" once per function.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

from digitlab.classroom.classset import ClassSet  # noqa: E402
from digitlab.training import session as training  # noqa: E402

from .page_utils import SMALL, trained  # noqa: E402


@pytest.fixture(scope="session")
def small_model(mnist, tutorial_split) -> training.Trained:
    return trained(SMALL, mnist, tutorial_split)


@pytest.fixture
def store(tmp_path, monkeypatch) -> ClassSet:
    """An empty class set of this test's own (the app opens $DIGITLAB_DB)."""
    path = tmp_path / "class.sqlite3"
    monkeypatch.setenv("DIGITLAB_DB", str(path))
    return ClassSet(path)
