"""pages/shared/handoff.py: a session's finished run hands its last messages on before the next
run starts (issue 22: under a class's load, the class push's request every second made
Streamlit drop the end of the run before it, and a student's locked-in answer or Clear never
showed).

Streamlit's own AppSession, driven in the order the race takes on a busy server: the runner has
finished its run (it refuses requests), a request comes in, and only then does the loop reach
the run's last messages. The runner's thread is a stand-in that records what it was asked to
run; everything else is Streamlit's."""

from __future__ import annotations

import asyncio
import threading

import pytest
from streamlit import config
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import app_session
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner_utils.run_descriptor import RunDescriptor
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.signal_util import Signal

from pages.shared import handoff

PUSH = "the-class-push-fragment"  # a fragment the session holds (the push, run every second)
LOCKED = "Your answer, locked in: **3**"


class Runner:
    """Stands in for a ScriptRunner's thread: records the run it was made for."""

    made: list[Runner] = []

    def __init__(self, initial_rerun_data: RerunData | None = None, **_):
        self.rerun_data = initial_rerun_data or RerunData()
        self.on_event = Signal()
        self.accepting = True
        Runner.made.append(self)

    def start(self) -> None:
        pass

    def request_rerun(self, rerun_data) -> bool:
        return self.accepting  # a runner whose run is over refuses: a new one is needed

    def request_stop(self) -> None:
        self.accepting = False


def on_thread(loop: asyncio.AbstractEventLoop, coro):
    """`loop.run_until_complete(coro)` in a thread of its own: the test's thread may already
    have a running loop (Playwright's sync API leaves one behind in a pytest worker that ran a
    browser test first), and asyncio refuses to run a second there."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = loop.run_until_complete(coro)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test's thread
            out["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.fixture
def session(tmp_path, monkeypatch):
    """An AppSession on a loop of its own, whose runner has just finished a run."""
    handoff.install()
    monkeypatch.setattr(app_session, "ScriptRunner", Runner)
    monkeypatch.setattr(Runner, "made", [])
    watcher = config.get_option("server.fileWatcherType")
    config.set_option("server.fileWatcherType", "none")
    script = tmp_path / "app.py"
    script.write_text("")
    loop = asyncio.new_event_loop()

    async def make():
        return app_session.AppSession(ScriptData(str(script)), MemoryUploadedFileManager("/u"),
                                      ScriptCache(), None, {})

    s = on_thread(loop, make())
    s.has_fragment = lambda fragment_id: True  # the push is on the page
    finished = Runner()
    finished.accepting = False
    s._scriptrunner = finished  # pyright: ignore[reportAttributeAccessIssue]
    Runner.made.clear()

    def on_loop(step):  # AppSession handles its events on its own loop only
        async def call():
            step()
        on_thread(loop, call())

    yield s, finished, on_loop
    config.set_option("server.fileWatcherType", watcher)
    loop.close()


def run_end(s, runner, body: str = LOCKED, where: int = 5) -> None:
    """The loop reaches the finished run's last messages: the result drawn, then "finished"."""
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = [0, where]
    msg.delta.new_element.markdown.body = body
    s._handle_scriptrunner_event_on_event_loop(runner, ScriptRunnerEvent.ENQUEUE_FORWARD_MSG,
                                               msg)
    s._handle_scriptrunner_event_on_event_loop(runner,
                                               ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS)


def sent(s) -> list[str]:
    out = []
    for m in s._browser_queue.flush():
        kind = m.WhichOneof("type")
        out.append(m.delta.new_element.markdown.body if kind == "delta" else kind)
    return out


def push_request() -> ClientState:
    return ClientState(fragment_id=PUSH, is_auto_rerun=True)


def started(s, runner) -> None:
    """The loop reaches the push's run's start (Streamlit's new_session message)."""
    s._handle_scriptrunner_event_on_event_loop(
        runner, ScriptRunnerEvent.SCRIPT_STARTED, page_script_hash="p",
        fragment_ids_this_run=[PUSH], run_descriptor=RunDescriptor.create([PUSH]))


def test_a_run_finished_before_the_push_asked_again_still_reaches_the_page(session):
    s, finished, on_loop = session
    s.request_rerun(push_request())  # the push's request, handled before the run's end
    assert [r.rerun_data.fragment_id for r in Runner.made] == [PUSH]  # at once
    push = Runner.made[0]
    on_loop(lambda: run_end(s, finished))
    on_loop(lambda: started(s, push))
    # the finished run's end, then the push's run: the order of a quiet server
    assert sent(s)[:3] == [LOCKED, "script_finished", "new_session"], \
        "the end of the finished run was dropped"
    on_loop(lambda: s._handle_scriptrunner_event_on_event_loop(finished,
                                                               ScriptRunnerEvent.SHUTDOWN))
    assert s._scriptrunner is push, "the stopped runner's SHUTDOWN took the new one's place"
    assert handoff.installed(), f"written for Streamlit {handoff.MENDED}: check it again"


def test_two_runners_in_a_row_both_hand_their_ends_on(session):
    s, finished, on_loop = session
    s.request_rerun(push_request())
    push = Runner.made[0]
    push.accepting = False  # the push's run is over too before the loop caught up
    s.request_rerun(push_request())
    assert len(Runner.made) == 2
    on_loop(lambda: run_end(s, finished))
    on_loop(lambda: run_end(s, push, "the class push", 9))
    assert sent(s) == [LOCKED, "script_finished", "the class push", "script_finished"]
    for runner in (finished, push):
        on_loop(lambda runner=runner: s._handle_scriptrunner_event_on_event_loop(
            runner, ScriptRunnerEvent.SHUTDOWN))
    assert s._scriptrunner is Runner.made[1]


def test_a_full_rerun_starts_at_once_and_draws_the_whole_page(session):
    s, finished, on_loop = session
    s.request_rerun(ClientState(page_name="questions"))  # Streamlit's fastReruns
    assert len(Runner.made) == 1 and Runner.made[0].rerun_data.fragment_id is None
    assert s._scriptrunner is Runner.made[0]
