"""Train when the server's workers are all busy: the fit waits in the fair queue, the page says
its place and an estimate in large type, Train stays open to replace it, and "Leave the queue"
takes it out (nothing runs for it). In class mode the unlocked teacher's fit goes first."""

from __future__ import annotations

from digitlab.classroom import publish as classroom
from digitlab.runtime.fairqueue import Request
from digitlab.training import session as training
from pages.shared import chrome, state

from .page_utils import open_app
from .test_train_page import button


def test_a_fit_that_waits_shows_its_place_and_estimate_and_can_leave_the_queue(mnist, monkeypatch):
    # Served, the page redraws the place until the turn comes or the browser goes; AppTest's
    # session counts as held, so say there is no browser: the page draws the place once.
    monkeypatch.setattr(state, "session_alive", lambda: None)
    at = open_app("train")
    at.select_slider(key="cfg_train_size").set_value(1000)
    at.number_input(key="cfg_max_iter").set_value(4)
    at.select_slider(key="cfg_C").set_value(0.03)  # a setting no other test fits
    config = training.presets()["Fast"].replace(train_size=1000, max_iter=4, C=0.03)
    state.fit_store().clear()
    queue = state.fit_queue()
    # a fit of this kind finished a moment ago: the estimate has a measurement to go by
    measured = queue.submit(training.queue_request(config, 59_500, "earlier"))
    queue.done(measured)
    busy = [queue.submit(Request(f"busy {i}", measured.request.kind, 1.0))
            for i in range(queue.workers)]
    try:
        button(at, "Train").click().run()
        assert not at.exception, [e.message for e in at.exception]
        job = at.session_state[state.JOB]
        assert job.waiting() is not None
        text = " ".join(m.value for m in at.markdown)
        assert "Yours is next" in text and "Your result in about" in text, text
        assert f"Running now: {queue.workers}." in text
        # the box says what the run waits for: the header's animated Running icon is hidden
        assert any(chrome.RUNNING_ICON in str(h.proto.body) for h in at.get("html"))
        assert not button(at, "Train").disabled  # a press would replace the waiting fit
        assert any("waits in the queue" in c.value for c in at.sidebar.caption)
        button(at, "Leave the queue").click().run()
        assert not job.running and job.result is None
        assert any("Left the queue" in i.value for i in at.info)
        assert queue.counts() == (queue.workers, 0)  # the busy ones, nobody waiting
        assert len(state.fit_store().fits) == 0  # nothing was fitted
    finally:
        for ticket in busy:
            queue.done(ticket)


def small_fit(at, C: float):
    """A quick fit's settings in the sidebar, with a C no other test fits."""
    at.select_slider(key="cfg_train_size").set_value(1000)
    at.number_input(key="cfg_max_iter").set_value(4)
    at.select_slider(key="cfg_C").set_value(C)
    return at


def test_the_teachers_fit_goes_ahead_of_the_class_waiting_fits(mnist, small_model, monkeypatch):
    monkeypatch.setattr(state, "session_alive", lambda: None)  # as above: drawn once
    monkeypatch.setenv(classroom.PASSWORD_ENV, "maple-42")
    state.fit_store().clear()
    queue = state.fit_queue()
    busy = [queue.submit(Request(f"busy {i}", "elsewhere")) for i in range(queue.workers)]
    jobs = []
    try:
        student = small_fit(open_app("train"), 0.3)
        button(student, "Train").click().run()
        assert not student.exception, [e.message for e in student.exception]
        jobs.append(student.session_state[state.JOB])
        assert jobs[0].waiting()[0].ahead == 0  # first in line, for now

        teacher = open_app("train", {state.TRAINED: small_model})
        teacher.text_input[0].input("maple-42")
        button(teacher, "Unlock publishing").click().run()
        button(small_fit(teacher, 3.0), "Train").click().run()
        assert not teacher.exception, [e.message for e in teacher.exception]
        jobs.append(teacher.session_state[state.JOB])
        assert jobs[1].waiting()[0].ahead == 0  # the teacher's, though it came second
        assert jobs[0].waiting()[0].ahead == 1
        assert "Yours is next" in " ".join(m.value for m in teacher.markdown)
        student.run()
        assert "Fits ahead of yours: 1" in " ".join(m.value for m in student.markdown)
        assert queue.counts() == (queue.workers, 2)
    finally:
        for job in jobs:
            job.leave()
            job.wait(5)
        for ticket in busy:
            queue.done(ticket)
    assert len(state.fit_store().fits) == 0  # nothing was fitted


def test_a_fit_that_ends_while_its_page_is_drawn_gets_a_run_that_shows_its_end(monkeypatch):
    """The page asks whether its fit waits, draws the rest, then keeps the place up to date
    (queue_panel.wait_turn). If in between the fit's turn came and the fit ended (a quick fit,
    a page drawn slowly in a class's burst), the page must run again to show the result: it
    kept its place box with no result, for good (seen once in a benchmark burst of twenty)."""
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import streamlit as st

        from pages.panels import queue_panel

        class Ended:  # waited when the page asked; done by the time the place was drawn
            running = False

            def waiting(self):
                return None

        st.session_state["runs"] = st.session_state.get("runs", 0) + 1
        if st.session_state["runs"] == 1:
            queue_panel.wait_turn(Ended(), st.empty(), "fit", "leave_fit_queue")

    monkeypatch.setattr(state, "session_alive", lambda: lambda: True)  # a browser holds it
    at = AppTest.from_function(page).run()
    assert not at.exception and at.session_state["runs"] == 2
