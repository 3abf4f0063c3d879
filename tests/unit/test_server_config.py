"""The server's settings a class depends on (.streamlit/config.toml; run.py serves from the
repository's root, where Streamlit reads it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shipped() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_full_garbage_collection_after_every_script_run():
    """Streamlit's default collects all of the server's heap after each script run, holding
    the GIL: with 30 students drawing, each answer waited behind the others' collections."""
    assert shipped()["runner"]["postScriptGC"] is False


def test_no_watching_of_the_source_files():
    """Streamlit's default watches the app's files for edits: each new session's first run then
    walked every imported module's path on the event loop that serves every session."""
    assert shipped()["server"]["fileWatcherType"] == "none"
