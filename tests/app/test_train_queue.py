"""Train when the server's workers are all busy: the fit waits in the fair queue, the page says
its place and an estimate in large type, Train stays open to replace it, and "Leave the queue"
takes it out (nothing runs for it)."""

from __future__ import annotations

from digitlab.runtime.fairqueue import Request
from digitlab.training import session as training
from pages.shared import state

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
