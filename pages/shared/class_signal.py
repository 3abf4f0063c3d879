"""How a student's page learns that the class changed (a pause, a question posed, revealed or
ended) without running anything on the page every second: one small address on the app's own
server, `/_digitlab/class`, that a script in the page asks every SIGNAL_S seconds. It answers
with the class's state in a few bytes (pages/shared/class_push.py: `signal`), and writes the
student's heartbeat for the roster. Only when that state differs from the one the page last
drew does the page run the class push (a click on its hidden button), which draws the pause
screen or the link to the question as before.

Why not the fragment that ran every second (st.fragment(run_every=1)), as before: each of its
runs is a script run that the browser follows (a new run, its end, the page's "running" state),
and measured on one student's page at rest on Draw, that cost the browser 4.9 % of a core,
against 0.9 % outside class mode (and the server 1.1 % against 0.5 %): thirty such pages took
1.5 of this machine's 2 cores while the class only looked at its answers, and on a phone four
times slower, a fifth of its core all lesson long. A fetch of a few bytes a second costs the
page next to nothing.

The address is added to Streamlit's own routes (Streamlit 1.67 serves with Starlette; its
st.App takes routes too, but starting the app through it would change how app.py starts the
server). `install()` is called by app.py's launcher, before the server starts; where it did
not run (a bare `streamlit run app.py`, AppTest), `served()` is False and the class push keeps
running every second as before. The address is on the page's own server (nothing asks another
host), reads the pause flag from memory and the current question with one indexed read, and
runs in Starlette's thread pool, not on the server's event loop.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit
from streamlit import config

MENDED = "1.67.0"  # the Streamlit whose route list this extends (pinned in requirements.txt)
PATH = "_digitlab/class"
SIGNAL_S = 1.0  # how often a page asks: a pause or a question shows within ~1 s + a run
MAX_SID = 64  # a student's id, as identity.py makes them, is shorter
_state = {"served": False}


def path() -> str:
    """The address's path on this server (under server.baseUrlPath, as Streamlit's own)."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{PATH}" if base else f"/{PATH}"


def served() -> bool:
    """Whether this server answers at path() (install() ran before it started)."""
    return _state["served"]


def install() -> None:
    """Add the address to the routes Streamlit serves (app.py's launcher, once)."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from streamlit.web.server.starlette import starlette_app

    if served():
        return
    make = starlette_app.create_streamlit_routes

    def answer(request: Any) -> PlainTextResponse:
        # a plain function: Starlette runs it in its thread pool (the class database is read)
        from pages.shared import class_push

        sid = str(request.query_params.get("s", ""))[:MAX_SID]
        response = PlainTextResponse(class_push.signal(sid))
        response.headers["Cache-Control"] = "no-store"
        return response

    def create_streamlit_routes(runtime: Any) -> list:
        return [Route(path(), answer, methods=["GET"]), *make(runtime)]

    starlette_app.create_streamlit_routes = create_streamlit_routes
    _state["served"] = True


def installed() -> bool:
    """Whether the address is served by the Streamlit it was written for (a test says so when
    an upgrade makes it worth checking again)."""
    return served() and streamlit.__version__ == MENDED


# The page's side. Asks every SIGNAL_S; when the answer differs from the state the class push
# last drew (its marker's data-state), clicks the push's hidden button, at most once per state
# every RETRY_MS (a run under way has not drawn the new state yet), and only while no run is
# under way (not "nothing stale" too: an element left stale would block the push for good).
# During a run (a page switch above all) the marker and the button may be the last page's, and
# a click on them asks for a fragment the server has already dropped (it logs "does not exist
# anymore" and answers nothing); the next tick asks again. One timer per browser tab, whatever
# the page: a page run sends this again only when its text changes (a new student id).
# It also brings back a page gone blank: if the app's page is empty (nothing left under its
# root element, as when the app's code fails and unmounts it) for BLANK_TICKS ticks in a row
# while the server answers (one look at a count, no layout), the page reloads
# itself, at most once every RELOAD_GAP_MS (sessionStorage remembers when). A page went white
# once in a 20-minute soak of 30 students (benchmarks/load.py), on its way back from Questions
# to Draw, and never came back; a student's browser keeps their id (identity.py), so a reload
# finds their name and the class's state again.
_SCRIPT = """<script>(() => {
const w = window;
w.__dlClass = %(config)s;
if (w.__dlClassTimer) return;
let poked = {state: null, at: 0};
let blank = 0;
const atRest = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute("data-test-script-state") !== "running"
    && app.getAttribute("data-test-connection-state") === "CONNECTED";
};
const comeBack = () => {
  const root = document.getElementById("root");
  blank = root && root.childElementCount === 0 ? blank + 1 : 0;
  if (blank < w.__dlClass.blankTicks) return;
  const key = "dlClassReloaded", last = Number(sessionStorage.getItem(key) || 0);
  if (Date.now() - last < w.__dlClass.reloadGap) return;
  sessionStorage.setItem(key, String(Date.now()));
  location.reload();
};
w.__dlClassTimer = setInterval(async () => {
  const c = w.__dlClass;
  try {
    const r = await fetch(c.url + "?s=" + encodeURIComponent(c.sid), {cache: "no-store"});
    if (!r.ok) return;
    comeBack();
    const state = await r.text();
    const drawn = document.querySelector(".st-key-" + c.marker + " [data-state]");
    if (!drawn || drawn.dataset.state === state || !atRest()) return;
    if (poked.state === state && Date.now() - poked.at < c.retry) return;
    const button = document.querySelector(".st-key-" + c.button + " button");
    if (!button) return;
    poked = {state, at: Date.now()};
    button.click();
  } catch (e) { /* the server is away for a moment: the next tick asks again */ }
}, %(every)d);
})();</script>"""
RETRY_MS = 3000
BLANK_TICKS = 3  # seconds of an empty page before it reloads itself
RELOAD_GAP_MS = 60_000  # at most one such reload a minute


def script(sid: str, marker: str, button: str) -> str:
    """The page's script for one student (`marker`, `button`: the push's element keys)."""
    config = {"url": path(), "sid": sid, "marker": marker, "button": button, "retry": RETRY_MS,
              "blankTicks": BLANK_TICKS, "reloadGap": RELOAD_GAP_MS}
    words = json.dumps(config).replace("<", "\\u003c")  # nothing in it ends the script early
    return _SCRIPT % {"config": words, "every": int(SIGNAL_S * 1000)}
