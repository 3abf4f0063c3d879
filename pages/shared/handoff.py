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

The mend: a request that finds the session's runner stopped but not yet gone waits until it is
gone (its SHUTDOWN, the last event it posts: every message before it has then been handled);
then one new runner starts with the requests that came meanwhile, merged as Streamlit merges a
runner's pending requests (ScriptRequests: a full rerun covers the fragments, a pressed button
is kept). A full rerun does not wait (Streamlit's fastReruns): it starts at once and draws the
whole page again, with what was waiting merged into it.
"""

from __future__ import annotations

from typing import Any

import streamlit
from streamlit.runtime.app_session import AppSession, AppSessionState
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.runtime.scriptrunner_utils.script_requests import (
    RerunData,
    ScriptRequests,
    ScriptRequestType,
)

MENDED = "1.67.0"  # the Streamlit this mends (pinned in requirements.txt); see installed()
_WAITING = "_digitlab_waiting"  # on an AppSession: (the stopped runner, its waiting requests)
_INSTALLED = "_digitlab_handoff"


def install() -> None:
    """Mend AppSession (once per server: the class, so every session has it)."""
    if getattr(AppSession, _INSTALLED, False):
        return
    create = AppSession._create_scriptrunner
    handle = AppSession._handle_scriptrunner_event_on_event_loop
    stop = AppSession.request_script_stop

    def _create_scriptrunner(self: AppSession, initial_rerun_data: RerunData) -> None:
        waiting = getattr(self, _WAITING, None)
        if self._scriptrunner is not None:
            # request_rerun comes here with a runner still in place only when that runner
            # refused the request: it has stopped, and its last events may still be on the
            # loop. The request waits for its SHUTDOWN.
            if waiting is None:
                waiting = (self._scriptrunner, ScriptRequests())
                setattr(self, _WAITING, waiting)
            waiting[1].request_rerun(initial_rerun_data)
            return
        if waiting is not None:  # a full rerun took the stopped runner's place: it starts now
            setattr(self, _WAITING, None)
            waiting[1].request_rerun(initial_rerun_data)
            initial_rerun_data = waiting[1].on_scriptrunner_ready().rerun_data
        create(self, initial_rerun_data)

    def _handle_scriptrunner_event_on_event_loop(self: AppSession, sender: Any, event: Any,
                                                 *args: Any, **kwargs: Any) -> None:
        handle(self, sender, event, *args, **kwargs)
        waiting = getattr(self, _WAITING, None)
        if event != ScriptRunnerEvent.SHUTDOWN or waiting is None or sender is not waiting[0]:
            return
        setattr(self, _WAITING, None)  # the stopped runner is gone, its messages handed on
        if self._state == AppSessionState.SHUTDOWN_REQUESTED or self._scriptrunner is not None:
            return
        request = waiting[1].on_scriptrunner_ready()
        if request.type == ScriptRequestType.RERUN:
            create(self, request.rerun_data)

    def request_script_stop(self: AppSession) -> None:
        setattr(self, _WAITING, None)  # a Stop (or the session closing) drops what waited
        stop(self)

    AppSession._create_scriptrunner = _create_scriptrunner  # type: ignore[method-assign]
    AppSession._handle_scriptrunner_event_on_event_loop = (  # type: ignore[method-assign]
        _handle_scriptrunner_event_on_event_loop)
    AppSession.request_script_stop = request_script_stop  # type: ignore[method-assign]
    setattr(AppSession, _INSTALLED, True)


def installed() -> bool:
    """Whether the mend is in place, on the Streamlit it was written for (a test says so when
    an upgrade makes it worth checking again)."""
    return bool(getattr(AppSession, _INSTALLED, False)) and streamlit.__version__ == MENDED
