"""pages/shared/session_lock.py: a session's runners share one lock on its state, so a run that
ends while a click's new run starts (Streamlit's fast reruns) cannot change the state the new
run is walking (a class's load run once showed `dictionary changed size during iteration`).

Streamlit's own ScriptRunner objects (made, never started) on Streamlit's own SessionState: the
old runner's end and the new runner's start, the two steps that raced, in two threads."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest
from streamlit import config
from streamlit.runtime import app_session
from streamlit.runtime.fragment import MemoryFragmentStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner import ScriptRunner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.state import SessionState

from pages.shared import session_lock


@pytest.fixture
def runner(tmp_path):
    """runner(session id, state): a ScriptRunner as AppSession makes one (not started)."""
    session_lock.install()
    script = tmp_path / "app.py"
    script.write_text("")
    loop = asyncio.new_event_loop()

    def make(session_id: str, state: SessionState) -> ScriptRunner:
        return ScriptRunner(session_id=session_id, main_script_path=str(script),
                            session_state=state,
                            uploaded_file_mgr=MemoryUploadedFileManager("/u"),
                            script_cache=ScriptCache(), initial_rerun_data=RerunData(),
                            user_info={}, fragment_storage=MemoryFragmentStorage(),
                            pages_manager=PagesManager(str(script)), event_loop=loop)

    yield make
    loop.close()


def test_a_sessions_runners_share_one_lock_and_two_sessions_do_not(runner):
    state = SessionState()
    old, new = runner("session-a", state), runner("session-a", state)
    other = runner("session-b", SessionState())
    assert old._session_state._lock is new._session_state._lock
    assert other._session_state._lock is not old._session_state._lock


def test_the_new_run_waits_while_the_old_run_is_ending(runner):
    state = SessionState()
    old, new = runner("session-c", state), runner("session-c", state)
    started = threading.Event()
    done = threading.Event()

    def new_run_starts() -> None:
        started.set()
        new._session_state.on_script_will_rerun(None)  # walks the state's dictionaries
        done.set()

    with old._session_state._lock:  # the old run is in on_script_finished, changing them
        worker = threading.Thread(target=new_run_starts)
        worker.start()
        assert started.wait(10)
        assert not done.wait(0.3), "the new run walked the state while the old one changed it"
    assert done.wait(10)  # its turn came as soon as the old run's end let go
    worker.join()


def test_the_old_run_ends_while_the_new_run_starts_without_a_fault(runner):
    """The race itself, many times over: one thread writes the state as the old run's end does
    (under the old runner's lock), the other starts the new run (the state copied over, under
    the new runner's). A state of many keys and threads that take turns every 10 microseconds
    make the two meet inside one walk (unmended: RuntimeError within a few rounds)."""
    state = SessionState()
    for i in range(20_000):
        state[f"value_{i}"] = i
    old, new = runner("session-d", state), runner("session-d", state)
    faults: list[BaseException] = []

    def repeat(step) -> None:
        try:
            for n in range(40):
                step(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            faults.append(exc)

    def end(n: int) -> None:
        with old._session_state._lock:
            for i in range(2_000):
                state[f"end_{n}_{i}"] = i  # keys come and go ...

    def start(n: int) -> None:
        new._session_state.on_script_will_rerun(None)  # ... while the new run walks them

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=repeat, args=(step,)) for step in (end, start)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not faults, faults


def test_an_ended_session_lets_its_lock_go(tmp_path):
    """Streamlit's own AppSession, made and shut down on a loop of its own (as the server does)."""
    session_lock.install()
    watcher = config.get_option("server.fileWatcherType")
    config.set_option("server.fileWatcherType", "none")
    script = tmp_path / "app.py"
    script.write_text("")
    loop = asyncio.new_event_loop()
    counts: list[int] = []

    async def open_and_end() -> None:
        s = app_session.AppSession(ScriptData(str(script)), MemoryUploadedFileManager("/u"),
                                   ScriptCache(), None, {})
        session_lock.lock_for(s.id)  # its first runner made it
        counts.append(session_lock.sessions())
        s.shutdown()
        counts.append(session_lock.sessions())

    try:
        worker = threading.Thread(target=loop.run_until_complete, args=(open_and_end(),))
        worker.start()
        worker.join()
    finally:
        config.set_option("server.fileWatcherType", watcher)
        loop.close()
    assert counts[1] == counts[0] - 1


def test_the_mend_is_in_place_on_the_streamlit_it_was_written_for():
    session_lock.install()
    assert session_lock.installed(), f"written for Streamlit {session_lock.MENDED}: check again"
