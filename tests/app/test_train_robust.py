"""Train page: the augment toggle, the feature-map choice and the Robust preset (deskew, RBF,
printed and fat-pen digits) describe a TrainConfig like every other setting; an RBF model
trains here and draws on the Draw page."""

from __future__ import annotations

from digitlab.model import features
from digitlab.model.pipeline import has_pixel_weights
from digitlab.training import session as training
from pages.shared import state

from .page_utils import button, canvas_state, drawn, open_app

CANVAS = "canvas-0"



def test_the_robust_preset_sets_deskew_rbf_printed_and_fat_pen_digits_without_augmentation(
        mnist):
    at = open_app("train")
    assert at.radio(key="cfg_features").value == features.PIXELS
    at.toggle(key="cfg_augment").set_value(True).run()  # on by hand: the preset turns it off
    button(at, "Robust").click().run()
    assert at.toggle(key="cfg_deskew").value and not at.toggle(key="cfg_augment").value
    assert training.presets()["Robust"] == training.presets()["Best"].replace(
        features=features.RBF_WIDE_NAME, printed=training.ROBUST_PRINTED,
        fat_pen=training.ROBUST_FAT_PEN)
    assert at.radio(key="cfg_features").value == features.RBF_WIDE_NAME
    assert at.select_slider(key="cfg_printed").value == training.ROBUST_PRINTED > 0
    assert at.select_slider(key="cfg_fat_pen").value == training.ROBUST_FAT_PEN > 0
    help_text = button(at, "Robust").help
    assert f"{features.RBF_WIDE_NAME} features" in help_text and "printed" in help_text
    assert "fat-pen" in help_text
    assert "augment" not in help_text


def test_augmenting_switches_to_a_solver_that_can(mnist):
    at = open_app("train")
    at.selectbox(key="cfg_solver").set_value("lbfgs").run()
    at.toggle(key="cfg_augment").set_value(True).run()
    assert at.selectbox(key="cfg_solver").value == "digitlab-fast"
    assert not at.error
    at.selectbox(key="cfg_solver").set_value("lbfgs").run()  # chosen after: said, not hidden
    assert "choose solver 'digitlab-fast'" in at.error[0].value


def test_an_rbf_model_trains_here_and_reads_a_drawing(mnist):
    at = open_app("train")
    at.radio(key="cfg_features").set_value("rbf")
    at.toggle(key="cfg_deskew").set_value(True)
    at.select_slider(key="cfg_train_size").set_value(5000).run()
    button(at, "Train").click().run()
    assert not at.exception and not at.error
    trained = at.session_state[state.TRAINED]
    assert trained.config.features == "rbf" and not has_pixel_weights(trained.fit.model)
    assert float(next(m.value for m in at.metric if m.label == "Test accuracy")) > 0.9
    at = open_app("draw", {state.TRAINED: trained})
    at.session_state[CANVAS] = canvas_state(drawn(1))
    at.run()
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Prediction").value == "1"
