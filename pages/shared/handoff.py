"""One mend to the Streamlit server (1.67), installed by app.py: a run's last messages reach the
page before the next run of the same session starts.

How Streamlit loses them. A session's ScriptRunner runs the script in its own thread and posts
each message of a run to the server's event loop, which sends them on. When the run is over and
no request waits, the runner stops. A request that comes after that gets a new runner, and from
then on AppSession ignores every event of the old one that the loop has not handled yet ("a
non-current ScriptRunner"): the end of the run that had just finished, its "finished" message
included. The window is as long as the loop is behind: milliseconds on a quiet server, seconds with
a class on 2 cores. And the class push (pages/shared/class_push.py) sends a request every
second from every student's page, whatever the page is doing, so under load a run's end was
lost now and then. The push's own run draws only the push, so nothing drew that end again:
benchmarks/load.py saw "Lock in my answer" store the answer while the page kept showing the
button, and Clear empty the canvas while the Prediction stayed (issue 22). Streamlit's own
comment in AppSession.request_rerun names this window for a fragment that a full run has
removed (streamlit/streamlit#9921: such requests are dropped); the push is never removed, so
for it the window stays open.

The mend: the stopped runner's events that are still on the loop are handled as Streamlit
handles a current runner's (its messages, its "finished", the session's running/not running),
all but its SHUTDOWN, which would take the new runner's place; the request starts its runner at
once, as in Streamlit. Order is kept: the stopped runner posted all its events but SHUTDOWN
before it refused the request, and the loop handles events in the order they were posted, so
the page gets the finished run's end, then the new run, as on a quiet server. A runner that a
full rerun stops (Streamlit's fastReruns: it may be mid-run, and the whole page is drawn again)
is dropped as before.

The first version of this mend made the request wait for the stopped runner's SHUTDOWN
instead: a request then waited as long as the loop was behind, and the slowest answers seemed
slower with it (benchmarks/load.py, N=30: p95 8 s without the mend, 12-13 s with it). Measured
again side by side, two runs each, the difference was within the runs' spread (p95 14.4 and
12.6 s waiting, 20.8 and 12.0 s handing on), and one waiting run lost a drawing's answer:
handing on keeps Streamlit's own timing and waits for nothing.
"""

from __future__ import annotations

from typing import Any

import streamlit
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

MENDED = "1.67.0"  # the Streamlit this mends (pinned in requirements.txt); see installed()
_STOPPED = "_digitlab_stopped"  # on an AppSession: runners that stopped and were replaced
_INSTALLED = "_digitlab_handoff"


def install() -> None:
    """Mend AppSession (once per server: the class, so every session has it)."""
    if getattr(AppSession, _INSTALLED, False):
        return
    create = AppSession._create_scriptrunner
    handle = AppSession._handle_scriptrunner_event_on_event_loop

    def _create_scriptrunner(self: AppSession, initial_rerun_data: RerunData) -> None:
        if self._scriptrunner is not None:
            # request_rerun comes here with a runner still in place only when that runner
            # refused the request: it has stopped, and its last events may still be on the loop
            stopped = getattr(self, _STOPPED, None)
            if stopped is None:
                stopped = []
                setattr(self, _STOPPED, stopped)
            stopped.append(self._scriptrunner)
        create(self, initial_rerun_data)

    def _handle_scriptrunner_event_on_event_loop(self: AppSession, sender: Any, event: Any,
                                                 *args: Any, **kwargs: Any) -> None:
        stopped = getattr(self, _STOPPED, None)
        if not stopped or sender is None or sender is self._scriptrunner or \
                not any(sender is runner for runner in stopped):
            handle(self, sender, event, *args, **kwargs)
            return
        if event == ScriptRunnerEvent.SHUTDOWN:  # its last event: every message is handed on
            stopped[:] = [runner for runner in stopped if runner is not sender]
            return
        current = self._scriptrunner
        self._scriptrunner = sender  # handled as the current runner's: the page gets it
        try:
            handle(self, sender, event, *args, **kwargs)
        finally:
            self._scriptrunner = current

    AppSession._create_scriptrunner = _create_scriptrunner  # type: ignore[method-assign]
    AppSession._handle_scriptrunner_event_on_event_loop = (  # type: ignore[method-assign]
        _handle_scriptrunner_event_on_event_loop)
    setattr(AppSession, _INSTALLED, True)


def installed() -> bool:
    """Whether the mend is in place, on the Streamlit it was written for (a test says so when
    an upgrade makes it worth checking again)."""
    return bool(getattr(AppSession, _INSTALLED, False)) and streamlit.__version__ == MENDED
