"""Warn before a reload or a closed tab loses what lives only in this browser session.

A Streamlit session lives as long as its page: a reload starts a new one, and the teacher's
unlock, runs and comparisons are gone. Rather than keep them on the server for a browser that
may never come back, the page asks first: while `armed`, the browser's own "Leave site?"
question comes before a reload, a closed tab or another address (browsers show their own
words, not ours; moving between the app's pages is not leaving).

Browsers driven by a test (navigator.webdriver) are not asked unless the test sets
window.__digitlabLeaveWarningInTests: many browser tests open another address on purpose.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ data }) {
  window.__digitlabLeaveArmed = !!(data && data.armed);
  if (window.__digitlabLeaveHook) return;
  window.__digitlabLeaveHook = true;
  window.addEventListener("beforeunload", (event) => {
    if (!window.__digitlabLeaveArmed) return;
    if (navigator.webdriver && !window.__digitlabLeaveWarningInTests) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  });
}
"""

_guard = st.components.v2.component("digitlab_leave_guard", js=_JS)


def warn_before_leaving(armed: bool) -> None:
    """Mount once per run: ask before leaving while `armed` (the session has something a
    reload would lose)."""
    _guard(key="digitlab_leave_guard", data={"armed": bool(armed)}, width="content")
