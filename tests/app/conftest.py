"""Fixtures for the AppTest page tests: a small trained model to hand to the pages."""

from __future__ import annotations

import logging

import pytest
import streamlit  # noqa: F401  (sets up its loggers; the next line quiets one of them)

# Outside `streamlit run`, declaring a cached function logs "No runtime found" once per function.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

from digitlab.training import session as training  # noqa: E402

from .page_utils import SMALL  # noqa: E402


@pytest.fixture(scope="session")
def small_model(mnist, tutorial_split) -> training.Trained:
    X_train, X_test, y_train, y_test = tutorial_split
    split = training.Split.of(X_train, X_test, y_train, y_test, mnist.name, mnist.side)
    job = training.TrainingJob(SMALL, split).start()
    assert job.wait(120) and job.error is None, job.error
    return job.result
