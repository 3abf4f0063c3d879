"""Load the code of the Draw page's answer while the student draws, not after the first drawing.

Streamlit's browser code loads an element's JavaScript the first time such an element is on
the page. The Draw page shows no metric, picture or button until a digit is drawn, so the
first answer waited for their code (the Metric chunk with its number formatting, ~65 kB, the
picture list, the button), parsed on a busy main thread while the answer's other elements
arrived: on a phone with its CPU throttled 4x the first drawing took 3-6 s to its Prediction
against ~0.5-1.5 s for the next ones (benchmarks/phone.py). Importing the same files when the
browser is idle puts them in its module map, so the answer's elements render at once. "Idle"
waits at most 0.5 s: on a busy phone the browser was never idle before the first stroke
(the chunks were still fetched after it, with a load of 40 on this machine).

A components.v2 component (our few lines run in the page's document, no iframe); the files
are found by name in the installed Streamlit (their names carry a hash of their content), and
a file that is not there is skipped: at worst, nothing is warmed and the page works as before.
"""

from __future__ import annotations

import functools
import os

import streamlit as st

# The elements the first answer shows that the page before it does not: the Prediction
# (st.metric), the steps' pictures (st.image) and the save row's buttons (st.button); and
# the number formatting the Prediction imports only once it renders (formatNumber, which
# loads numbro and sprintf-js: seen fetched after the first drawing, on its critical path).
CHUNKS = ("Metric", "ImageList", "withFullScreenWrapper", "Button", "formatNumber", "numbro",
          "sprintfjs")

_JS = """
export default function ({ data }) {
  const main = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!main || !data || !data.files || window.__digitlabWarm) return;
  window.__digitlabWarm = true;  // once a page, however often the element is drawn again
  const load = () => data.files.forEach(
    (f) => import(new URL(f, main.src).href).catch(() => {}));
  (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(load, { timeout: 500 });
}
"""

_warm = st.components.v2.component("digitlab_warm_up", js=_JS)


@functools.cache
def files() -> tuple[str, ...]:
    """The installed Streamlit's files for CHUNKS (e.g. "Metric.MSVuxtnf.js")."""
    folder = os.path.join(os.path.dirname(st.__file__), "static", "static", "js")
    names = os.listdir(folder) if os.path.isdir(folder) else []
    return tuple(sorted(f for f in names if f.endswith(".js")
                        and any(f.startswith(chunk + ".") for chunk in CHUNKS)))


def answer_code(key: str = "draw_warm_up") -> None:
    """Mount the warm-up (takes no space); its imports start when the browser is idle."""
    _warm(key=key, data={"files": list(files())}, width="content")
