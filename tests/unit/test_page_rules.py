"""Rules the pages keep: a page ends early with frame.stop(), never st.stop(), so that what
comes after every page (class mode: a student's name field and the push, app.py) is drawn
before the run ends (docs/architecture.md, "The app's side")."""

from __future__ import annotations

import re
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "pages"
FRAME = PAGES / "shared" / "frame.py"  # frame.stop() itself ends with st.stop()
ST_STOP = re.compile(r"\bst\.stop\(\)")


def pages_that_call_st_stop(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                  if p != FRAME and ST_STOP.search(p.read_text(encoding="utf-8")))


def test_pages_end_early_with_frame_stop_not_st_stop():
    assert pages_that_call_st_stop(PAGES) == []


def test_the_check_finds_a_page_that_calls_st_stop(tmp_path):
    (tmp_path / "a_page.py").write_text("import streamlit as st\nst.stop()\n")
    (tmp_path / "b_page.py").write_text("from pages.shared import frame\nframe.stop()\n")
    assert pages_that_call_st_stop(tmp_path) == ["a_page.py"]
