"""See inside the model, on the pages: the weight images after a fit, a clicked confusion cell
leads to exactly its test images, "why this answer" adds up on the Draw page and in the Gallery,
the maths panel opens with live numbers, the nearest training images, and the sliders that
try to fool the model."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from digitlab.data import preprocess
from digitlab.lab import explain
from digitlab.training import evaluate
from digitlab.training import session as training
from pages.panels import confusion_panel, explain_panel
from pages.shared import state

from .page_utils import canvas_state, drawn, html_captions, open_app

CANVAS = "canvas-0"
SUM = re.compile(r"Σ map ([+-][\d.]+)\s+\+\s+b\S+ ([+-][\d.]+)\s+=\s+z\S+ ([+-][\d.]+)")


def select_cell(at, true: int, pred: int):
    """Click a heatmap cell the way the browser reports it: the chart's selection state.
    AppTest has no chart widget to click, so the run gets that state directly."""
    chart = next(e for e in at.get("vega_lite_chart")
                 if e.proto.id.endswith(confusion_panel.KEY))
    states: WidgetStates = at._tree.get_widget_states()
    clicked = states.widgets.add()
    clicked.id = chart.proto.id
    clicked.string_value = json.dumps({"selection": {confusion_panel.PARAM: [
        {confusion_panel.TRUE: str(true), confusion_panel.PRED: str(pred)}]}})
    return at._run(states)


def drawing(small_model, digit: int = 1, tab: str | None = None):
    state_ = {state.TRAINED: small_model}
    if tab is not None:
        state_["draw_tab"] = tab  # the Draw page's tabs (draw_page.TAB)
    at = open_app("draw", state_)
    at.session_state[CANVAS] = canvas_state(drawn(digit))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def softmax_column(at, column: str) -> list[str]:
    """A column of the softmax table (an HTML table in st.html), as printed on the page."""
    table = next(str(h.proto.body) for h in at.get("html") if "dl-table" in str(h.proto.body)
                 and column in str(h.proto.body))
    rows = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]
    at_ = rows[0].index(column)
    return [r[at_] for r in rows[1:]]


def shows_probabilities(at, proba: np.ndarray) -> bool:
    """The softmax table prints exactly these probabilities (to its precision)."""
    return softmax_column(at, "probability") == [explain_panel._number(p) for p in proba]


# --- Train -------------------------------------------------------------------------------------


def test_train_shows_ten_weight_images_and_the_zero_share(small_model):
    at = open_app("train", {state.TRAINED: small_model})
    assert not at.exception
    assert any("What the model learned" in m.value for m in at.markdown)
    share = next(m for m in at.metric if m.label == "Weights exactly 0")
    _, overall = explain.zero_share(explain.pixel_weights(small_model.fit.model).coef)
    assert share.value == f"{overall:.1%}"


def test_a_clicked_heatmap_cell_shows_exactly_that_cells_images(small_model, tutorial_split):
    at = open_app("train", {state.TRAINED: small_model})
    cm = small_model.evaluation.confusion
    true, pred = np.unravel_index(np.argmax(cm - np.diag(np.diag(cm))), cm.shape)  # top mistake
    before = len(at.get("image"))
    select_cell(at, int(true), int(pred))
    assert not at.exception
    heading = next(m.value for m in at.markdown if m.value.startswith("**True "))
    assert heading.startswith(f"**True {true}, predicted {pred}: {cm[true, pred]:,} test images")
    assert len(at.get("image")) == before + 1  # the cell's grid
    y_test = tutorial_split[3]
    idx = evaluate.select(small_model.evaluation, y_test, true=int(true), predicted=int(pred))
    assert len(idx) == cm[true, pred]
    assert (y_test[idx] == true).all() and (small_model.evaluation.yhat[idx] == pred).all()
    # and the way on: the Gallery, filtered to this cell
    next(b for b in at.button if b.label == "Open these in the Gallery").click().run()
    assert at.session_state["g_true"] == true and at.session_state["g_pred"] == pred
    assert any(t.value == "Gallery" for t in at.title)


def test_no_cell_clicked_shows_no_cell_images(small_model):
    at = open_app("train", {state.TRAINED: small_model})
    assert not any(m.value.startswith("**True ") for m in at.markdown)


# --- Draw: why this answer ----------------------------------------------------------------------


def test_why_this_answer_adds_up_and_its_softmax_is_the_shown_probabilities(small_model):
    at = drawing(small_model, 1)
    prepared = preprocess.to_mnist(drawn(1))
    proba = small_model.fit.model.predict_proba(prepared.image28.reshape(1, -1))[0]
    z = small_model.fit.model.decision_function(prepared.image28.reshape(1, -1))[0]
    assert np.allclose(explain.softmax(z), proba, atol=1e-6)  # softmax(scores) = proba
    assert softmax_column(at, "score z") == [explain_panel._number(v) for v in z]
    assert shows_probabilities(at, proba)
    sums = [SUM.search(c) for c in html_captions(at)]
    sums = [m for m in sums if m]
    assert len(sums) == 2  # the answer's evidence and the runner-up's
    for m in sums:  # the printed numbers add up, to the printed precision
        evidence, intercept, score = (float(v) for v in m.groups())
        assert abs(evidence + intercept - score) <= 0.011
        assert any(abs(score - v) < 0.006 for v in z)
    assert f"z₁ {z[1]:+.2f}" in " ".join(html_captions(at))  # the answer's score, as tabled


def test_the_maths_panel_is_collapsed_and_opens_with_live_numbers(small_model):
    at = drawing(small_model, 0)
    assert not at.get("latex")  # collapsed: nothing computed
    at.session_state["draw_maths"] = True  # open it, as a click does
    at.run()
    assert len(at.get("latex")) >= 4  # sigma, logit, softmax, the loss
    text = " ".join(m.value for m in at.markdown)
    p0 = small_model.fit.model.predict_proba(
        preprocess.to_mnist(drawn(0)).image28.reshape(1, -1))[0][0]
    assert f"({p0:.4f})" in text  # sigma of the margin is the probability shown
    steps = next(t.value for t in at.table if "step size" in t.value.columns)
    assert any("(this model)" in s for s in steps.index)


def test_a_model_without_pixel_weights_gets_a_sentence_not_a_picture(small_model,
                                                                     tutorial_split):
    split = training.Split.of(*tutorial_split, training.data_name(small_model.data_key), 28)
    config = small_model.config.replace(features="rbf", train_size=2000)  # the kernel map
    job = training.TrainingJob(config, split).start()
    assert job.wait(120) and job.result is not None, job.error
    other = job.result
    at = drawing(other, 1)
    assert any("no weight belongs to one pixel" in i.value for i in at.info)
    assert shows_probabilities(at, other.fit.model.predict_proba(
        preprocess.to_mnist(drawn(1)).image28.reshape(1, -1))[0])
    train = open_app("train", {state.TRAINED: other})
    assert any("no weight belongs to one pixel" in i.value for i in train.info)
    assert not any(m.label == "Weights exactly 0" for m in train.metric)


# --- Draw: looks like, can you fool it ---------------------------------------------------------


def test_looks_like_shows_the_nearest_training_images_with_labels(small_model):
    at = drawing(small_model, 1, tab="Looks like…")
    heading = next(m.value for m in at.markdown if m.value.startswith("**Your "))
    assert heading.startswith("**Your 1 looks most like")
    images = next(e for e in at.get("image") if len(e.captions) == 8)
    labels = [int(c.split(" · ")[0]) for c in images.captions]
    distances = [float(c.split(" · ")[1].replace(",", "")) for c in images.captions]
    assert distances == sorted(distances) and labels.count(1) >= 5


def model_input(at) -> np.ndarray:
    element = next(e for e in at.get("image") if "What the model gets" in e.captions)
    return element.proto.imgs[0]


@pytest.mark.parametrize("slider, value, changes", [("fool_angle", 60, True),
                                                    ("fool_dx", 20, False)])
def test_a_rotation_slider_changes_the_models_input_and_a_shift_does_not(small_model, slider,
                                                                        value, changes):
    at = drawing(small_model, 1, tab="Can you fool it?")
    before = model_input(at)
    assert next(m for m in at.metric if m.label == "Answer after the changes").value == "1"
    at.slider(key=slider).set_value(value).run()
    assert not at.exception and not at.error
    after = model_input(at)
    assert (after.url != before.url) == changes
    reach = next(m.value for m in at.markdown if m.value.startswith("**What reached"))
    assert ("reaches the model" in reach) == changes
    at.button(key="fool_reset").click().run()
    assert at.slider(key=slider).value == 0 and model_input(at).url == before.url


# --- Gallery -----------------------------------------------------------------------------------


def test_the_gallery_explains_the_image_it_shows(small_model, tutorial_split):
    at = open_app("gallery", {state.TRAINED: small_model})
    assert not at.exception
    X_test = tutorial_split[1]
    proba = small_model.fit.model.predict_proba(X_test[:1])[0]  # x_test[0] is shown first
    assert shows_probabilities(at, proba)
    at.session_state["gallery_maths"] = True
    at.run()
    true = int(tutorial_split[3][0])
    text = " ".join(m.value for m in at.markdown)
    assert f"for its true label {true}: −log p = **{-np.log(proba[true]):.4f}**" in text
