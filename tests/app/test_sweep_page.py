"""Sweep: the widgets describe a sweep; Run fits it (a small one here) and shows the figure,
the downloads and the numbers; a bad grid is a sentence, not a traceback."""

from __future__ import annotations

from digitlab.sweeps import spec as sweep
from pages import sweep_page

from .page_utils import open_app


def small(at, cs: str = "0.01, 0.1, 1"):
    at.text_input(key="sweep_cs").set_value(cs)
    at.select_slider(key="sweep_train_size").set_value(500)
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_small_validation_curve_runs_and_shows_figure_downloads_and_numbers(mnist):
    at = small(open_app("sweep")).run()
    assert not at.exception and not at.error
    assert "3 fits" in " ".join(c.value for c in at.caption)
    button(at, "Run sweep").click().run()
    assert not at.exception and not at.error
    result = at.session_state[sweep_page.RESULT]
    assert [p.x for p in result.points] == [0.01, 0.1, 1.0] and not result.stopped
    assert all(0.5 < p.test_accuracy <= p.train_accuracy + 0.05 for p in result.points)
    png = at.session_state[sweep_page.PNG]
    assert png.startswith(b"\x89PNG")
    assert len(at.get("download_button")) == 2  # the figure (these very bytes) and the CSV
    captions = " ".join(c.value for c in at.caption)
    assert "Ran on" in captions and "local cores" in captions
    assert "lbfgs runs to convergence" in captions and "tol=1e-06" in captions
    rows = at.dataframe[0].value
    assert list(rows["C"]) == [0.01, 0.1, 1.0] and "test_accuracy" in rows.columns


def test_a_bad_grid_is_refused_with_a_sentence(mnist):
    at = small(open_app("sweep"), "0.1, -1").run()
    assert not at.exception
    assert "C must be positive" in at.error[0].value
    assert button(at, "Run sweep").disabled
    at.text_input(key="sweep_cs").set_value(" , ").run()
    assert "empty" in at.error[0].value


def test_the_learning_curve_and_comparisons_describe_their_sweep(mnist):
    at = open_app("sweep")
    at.radio(key="sweep_x").set_value("train_size").run()
    at.text_input(key="sweep_sizes").set_value("100, 200")
    at.selectbox(key="sweep_compare").set_value("deskew").run()
    assert not at.exception and not at.error
    assert "4 fits" in " ".join(c.value for c in at.caption)
    at.selectbox(key="sweep_compare").set_value("l1_ratio").run()
    assert not at.error and "6 fits" in " ".join(c.value for c in at.caption)
    assert "sweep_solver" not in [s.key for s in at.selectbox]  # saga, said in a caption
    at.text_input(key="sweep_l1").set_value("0, 2").run()
    assert "l1_ratio must be between 0 (L2) and 1 (L1)" in at.error[0].value


def test_the_default_sweep_is_the_documented_grid():
    assert sweep.DEFAULT_CS == (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4)


def test_a_live_frame_that_fails_is_skipped_and_the_follow_loop_goes_on():
    """pyplot is shared by every session's thread: a frame that fails to draw must not end the
    loop that turns the Run button back on."""
    from pages.shared import figures

    shown = []

    class Slot:
        def image(self, png, **kw):
            shown.append(png)

    def broken():
        raise RuntimeError("pyplot was busy")

    assert figures.live_image(Slot(), broken) is False and shown == []
    assert figures.live_image(Slot(), lambda: b"png", width=10) is True and shown == [b"png"]


def test_a_sweep_that_waits_shows_its_place_and_can_leave_the_queue(mnist, monkeypatch):
    """Every sweep worker busy: Run sweep queues the sweep, the page says its place in large
    type, Run sweep stays pressable (a press replaces it), and Leave takes it out: nothing
    runs for it, and the busy ones go on."""
    from digitlab.runtime.fairqueue import Request
    from pages.shared import state

    # Served, the page redraws the place until the turn comes or the browser goes; AppTest's
    # session counts as held, so say there is no browser: the page draws the place once.
    monkeypatch.setattr(state, "session_alive", lambda: None)
    at = small(open_app("sweep")).run()
    state.sweep_store().clear()  # an identical sweep run by another test is not shown again
    queue = state.sweep_queue()
    busy = [queue.submit(Request(f"busy {i}", "elsewhere")) for i in range(queue.workers)]
    try:
        button(at, "Run sweep").click().run()
        assert not at.exception, [e.message for e in at.exception]
        job = at.session_state[sweep_page.JOB]
        assert job.waiting() is not None
        text = " ".join(m.value for m in at.markdown)
        assert "Yours is next: it starts when a running sweep ends" in text, text
        assert f"Running now: {queue.workers}." in text
        assert not button(at, "Run sweep").disabled  # a press would replace the waiting one
        button(at, "Leave the queue").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert not job.running and job.result is None and job.points == []
        assert any("Left the queue" in i.value for i in at.info)
        assert queue.counts() == (queue.workers, 0)  # the busy ones, nobody waiting
        assert sweep_page.RESULT not in at.session_state
    finally:
        for ticket in busy:
            queue.done(ticket)


def test_a_live_frame_is_skipped_not_waited_for_while_another_session_draws():
    """A follow loop never waits on matplotlib's one lock: while another thread holds it, the
    frame is skipped at once (the loop draws it at a later turn)."""
    import threading

    from digitlab.plots.render import RENDERING
    from pages.shared import figures

    held, release = threading.Event(), threading.Event()

    def other_session():
        with RENDERING:
            held.set()
            release.wait(10)

    drawer = threading.Thread(target=other_session)
    drawer.start()
    asked = []
    try:
        assert held.wait(10)
        assert figures.live_image(None, lambda: asked.append(1) or b"png") is False
        assert asked == []  # not even built
    finally:
        release.set()
        drawer.join()


def test_a_sweep_that_ran_here_already_is_shown_at_once_and_says_so(mnist):
    """Identical sweeps run once on a server (digitlab.sweeps.job): a second student who asks
    for the same sweep gets its results, and is told whose they are."""
    cs = "0.02, 0.2, 2"  # a grid no other test sweeps
    first = small(open_app("sweep"), cs).run()
    button(first, "Run sweep").click().run()
    ran = first.session_state[sweep_page.RESULT]
    assert not first.exception and not any("ran here earlier" in i.value for i in first.info)
    second = small(open_app("sweep"), cs).run()
    button(second, "Run sweep").click().run()
    assert not second.exception and not second.error
    assert second.session_state[sweep_page.RESULT] is ran
    assert any("The same sweep ran here earlier" in i.value for i in second.info)
