"""Gallery: browse the test set through the model: index, quick buttons, filters, grid."""

from __future__ import annotations

import numpy as np

from pages.shared import nav, state

from .page_utils import image_captions, open_app


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_gallery_without_a_model_of_ones_own_uses_the_default_model(mnist):
    at = open_app("gallery")
    assert any("Answering: **the default model" in c.value for c in at.caption)
    assert "Predicted" in metrics(at)


def test_gallery_shows_and_navigates_the_test_set(small_model, tutorial_split):
    _, _, _, y_test = tutorial_split
    ev = small_model.evaluation
    at = open_app("gallery", {state.TRAINED: small_model})
    m = metrics(at)
    assert m["True label"] == str(y_test[0]) and m["Predicted"] == str(ev.yhat[0])
    assert m["Confidence"] == f"{ev.confidence[0]:.1%}"  # recomputed: the same to 0.1%
    next(b for b in at.button if b.label == "Next ▶").click().run()
    assert metrics(at)["True label"] == str(y_test[1])
    next(b for b in at.button if b.label == "99th").click().run()
    assert metrics(at)["True label"] == str(y_test[98])
    assert any("x_test[98]" in c for c in image_captions(at))


def test_mistakes_filter_shows_only_mistakes_of_the_chosen_class(small_model, tutorial_split):
    _, _, _, y_test = tutorial_split
    at = open_app("gallery", {state.TRAINED: small_model})
    at.session_state["g_show"] = "Mistakes only"
    at.selectbox(key="g_true").set_value(9).run()
    m = metrics(at)
    assert m["True label"] == "9" and m["Predicted"] != "9"
    wrong9 = np.flatnonzero((y_test == 9) & (small_model.evaluation.yhat != 9))
    assert f"0–{len(wrong9) - 1}" in at.number_input(key="g_pos").label


def test_grid_view_renders_a_page_of_digits(small_model):
    at = open_app("gallery", {state.TRAINED: small_model, "g_view": "Grid"})
    assert not at.metric
    assert len(image_captions(at)) == 1
    assert "of 263" in at.number_input(key="g_page").label  # 10,500 test images / 40


def test_the_gallery_keeps_its_place_across_pages(small_model):
    at = open_app("gallery", {state.TRAINED: small_model})
    next(b for b in at.button if b.label == "99th").click().run()
    at.switch_page(nav.PAGES["train"].file).run()
    at.switch_page(nav.PAGES["gallery"].file).run()
    assert at.number_input(key="g_pos").value == 98
