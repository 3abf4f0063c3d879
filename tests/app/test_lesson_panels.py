"""Issue 23's panels render: the Train page's flipbook (and its Play) and calibration view, the
Draw page's map with the drawing on it, the Gallery's order of mistakes."""

from __future__ import annotations

import pytest

from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.training import session as training
from pages.panels import movie_panel
from pages.shared import state

from .page_utils import canvas_state, drawn, open_app, trained

FAST = TrainConfig(solver=solvers.FAST, scaling="unit", train_size=5000, max_iter=6)


@pytest.fixture(scope="module")
def fast_model(mnist, tutorial_split) -> training.Trained:
    return trained(FAST, mnist, tutorial_split)


# The Train page's look-inside tab last chosen (pages/train_page.py INSIDE_KEPT: a page file
# is not imported); the weights' tab is open otherwise.
INSIDE = "train_inside_kept"


def test_train_page_opens_one_look_inside_tab_and_builds_only_that_one(fast_model):
    at = open_app("train", {state.TRAINED: fast_model})
    assert not at.exception and not at.error
    assert any(m.label == "Weights exactly 0" for m in at.metric)  # the first tab, open
    assert not any(s.key == movie_panel.FRAME for s in at.select_slider)  # the others: not built
    assert not any(m.label == "Calibration error" for m in at.metric)
    assert [t.label for t in at.tabs] == ["What the model learned", "Training as a movie",
                                          "How sure, when wrong?"]


def test_train_page_shows_the_flipbook_ending_on_the_model_and_plays_it(fast_model):
    at = open_app("train", {state.TRAINED: fast_model, INSIDE: "Training as a movie"})
    assert not any(m.label == "Weights exactly 0" for m in at.metric)  # one tab built
    assert not at.exception and not at.error
    movie = fast_model.fit.movie
    slider = at.select_slider(key=movie_panel.FRAME)
    assert slider.value == len(movie) - 1  # the final model first
    assert "(the model kept)" in slider.format_func(slider.value)
    frame = [e for e in at.get("image") if e.captions == [slider.format_func(slider.value)]]
    assert len(frame) == 1  # the ten weight images of the frame, in one picture
    next(b for b in at.button if b.key == "movie_play").click().run()
    assert not at.exception
    # Play at the last frame starts again from the first, then moves on one frame a run
    assert at.select_slider(key=movie_panel.FRAME).value == 0
    assert next(b for b in at.button if b.key == "movie_play").label == "Pause"
    at.run()
    assert at.select_slider(key=movie_panel.FRAME).value == 1


def test_train_page_shows_the_reliability_diagram_and_calibration_error(fast_model):
    at = open_app("train", {state.TRAINED: fast_model, INSIDE: "How sure, when wrong?"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Calibration error"].endswith("%")
    assert int(metrics["Sure and wrong"].replace(",", "")) >= 0
    chart = next(e for e in at.get("vega_lite_chart") if "Reliability diagram" in e.proto.spec)
    assert '"y2"' in chart.proto.spec  # bars that rise from 0


def test_a_sklearn_model_has_no_movie_and_says_why(small_model):
    at = open_app("train", {state.TRAINED: small_model, INSIDE: "Training as a movie"})
    assert not at.exception
    assert any("Only DigitLab's own solver" in c.value for c in at.caption)


def test_draw_page_puts_the_drawing_on_the_map(fast_model):
    at = open_app("draw", {state.TRAINED: fast_model, "draw_tab": "On the map"})
    at.session_state["canvas-0"] = canvas_state(drawn(1))
    at.run()
    assert not at.exception and not at.error
    chart = next(e for e in at.get("vega_lite_chart") if "your drawing" in e.proto.spec)
    assert "black star" in chart.proto.spec  # its description
    said = "**On this map your drawing sits among the "
    assert any(m.value.startswith(said) for m in at.markdown)
    first = at.session_state["map_trail"][1][-1]
    at.session_state["canvas-0"] = canvas_state(drawn(0))
    at.run()
    trail = at.session_state["map_trail"][1]
    assert len(trail) == 2 and trail[0] == first and trail[1] != first  # the star moved


def test_gallery_orders_the_mistakes_least_sure_first_on_request(fast_model, tutorial_split):
    at = open_app("gallery", {state.TRAINED: fast_model})
    at.segmented_control(key="g_show").set_value("Mistakes only").run()
    confidence = [float(m.value.rstrip("%")) for m in at.metric if m.label == "Confidence"]
    at.segmented_control(key="g_order").set_value("least sure first").run()
    assert not at.exception
    least = [float(m.value.rstrip("%")) for m in at.metric if m.label == "Confidence"]
    assert least[0] < confidence[0]
