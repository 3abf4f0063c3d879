"""One mend to the Streamlit server (1.67), installed by app.py: a session's state has one lock,
whichever of the session's script runners touches it.

What broke. A click during a run makes Streamlit (its `runner.fastReruns`, on by default) ask
the running ScriptRunner to stop and start a new one at once. Each ScriptRunner wraps the
session's one SessionState in a SafeSessionState of its own, and each wrapper has its own lock.
The old runner goes on until it reaches a point where it notices it should stop, and then
finishes its run (`on_script_finished`: widget values reset, widgets the run did not draw
removed) under its own lock, while the new runner starts its run (`on_script_will_rerun`: the
state copied over, widget callbacks run) under the other. Two threads then change and walk the
same dictionaries at once. In a class's 20-minute load run (benchmarks/load.py --soak 20) the
teacher's Train page once showed Streamlit's "This app has encountered an error":
`RuntimeError: dictionary changed size during iteration` in `SessionState._compact_state`. A
lost or half-reset widget value is the quieter form of the same race.

The mend: every SafeSessionState a session's runners make shares the session's one lock (kept
by session id, let go when the session ends), so the old runner's end and the new runner's
start take turns, as Streamlit's own wrapper means them to. Fast reruns stay: turning them off
would make every click wait until the running script reaches its next Streamlit call (a figure
waiting for the rendering lock, a fit's poll)."""

from __future__ import annotations

import threading
from typing import Any

import streamlit
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunner

MENDED = "1.67.0"  # the Streamlit this mends (pinned in requirements.txt); see installed()
_INSTALLED = "_digitlab_session_lock"
_LOCKS: dict[str, threading.RLock] = {}  # session id -> the lock of that session's state
_GUARD = threading.Lock()  # around _LOCKS


def lock_for(session_id: str) -> threading.RLock:
    """The lock of `session_id`'s state (made on its first runner)."""
    with _GUARD:
        return _LOCKS.setdefault(session_id, threading.RLock())


def sessions() -> int:
    """How many sessions hold a lock here (the tests: one per live session, none left)."""
    with _GUARD:
        return len(_LOCKS)


def install() -> None:
    """Mend ScriptRunner and AppSession (once per server: the classes)."""
    if getattr(ScriptRunner, _INSTALLED, False):
        return
    init = ScriptRunner.__init__
    shutdown = AppSession.shutdown

    def __init__(self: ScriptRunner, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        # before start(): the runner's thread never sees a lock of its own
        object.__setattr__(self._session_state, "_lock", lock_for(self._session_id))

    def _shutdown(self: AppSession) -> None:
        try:
            shutdown(self)
        finally:
            with _GUARD:
                _LOCKS.pop(self.id, None)

    ScriptRunner.__init__ = __init__  # type: ignore[method-assign]
    AppSession.shutdown = _shutdown  # type: ignore[method-assign]
    setattr(ScriptRunner, _INSTALLED, True)


def installed() -> bool:
    """Whether the mend is in place, on the Streamlit it was written for (a test says so when
    an upgrade makes it worth checking again)."""
    return bool(getattr(ScriptRunner, _INSTALLED, False)) and streamlit.__version__ == MENDED
