"""Draw: the canvas value goes through preprocessing to the model; AppTest cannot draw, so the
tests set the component's state to what the browser sends after a stroke."""

from __future__ import annotations

import re

import pytest

from pages.shared import state

from .page_utils import canvas_state, drawn, html_alts, html_captions, open_app

CANVAS = "canvas-0"


def steps(at) -> tuple[list[str], list[str]]:
    """The preprocessing strip's captions ("1. input grey", ...) and its pictures' alternative
    texts ("Step 1: input grey.", ...), as pages/shared/pictures.py writes them."""
    return ([c for c in html_captions(at) if re.match(r"\d+\. ", c)],
            [a for a in html_alts(at) if a.startswith("Step ")])


def test_draw_without_a_model_of_ones_own_is_answered_by_the_default_model(mnist):
    at = open_app("draw")
    assert any("Answering: **the default model" in c.value for c in at.caption)
    at.session_state[CANVAS] = canvas_state(drawn(1))
    at.run()
    assert next(m for m in at.metric if m.label == "Prediction").value == "1"


def guesses(at) -> list:
    """The metrics a person sees: not the hidden ones that prepay the answer's element types
    (pages/shared/warmup.py)."""
    return [m for m in at.metric if m.label != "·"]


def test_empty_canvas_shows_a_hint_not_a_guess(small_model):
    at = open_app("draw", {state.TRAINED: small_model})
    assert not guesses(at)
    assert "Draw a digit" in at.info[0].value
    at.session_state[CANVAS] = canvas_state(drawn(None))  # cleared: black, no ink
    at.run()
    assert not guesses(at)
    assert "draw a digit" in at.info[0].value.lower()


@pytest.mark.parametrize("digit", [1, 0])
def test_a_drawn_digit_is_predicted(small_model, digit):
    at = open_app("draw", {state.TRAINED: small_model})
    at.session_state[CANVAS] = canvas_state(drawn(digit))
    at.run()
    assert not at.exception and not at.error
    prediction = next(m for m in at.metric if m.label == "Prediction")
    assert prediction.value == str(digit)
    captions, alts = steps(at)
    assert len(captions) == len(alts) >= 4  # input, crop, 20x20 fit, centred 28x28
    assert captions[0] == "1. input grey" and alts[0] == "Step 1: input grey."
    assert captions[-1].endswith("→ the model")
    assert f"The model reads {digit}," in alts[-1]  # the model's input says what it reads
    # and under the strip, why: MNIST's own preprocessing, said as text
    assert any("centred by their centre of mass" in h.proto.body for h in at.get("html"))


def test_draw_needs_mnist(mnist):
    at = open_app("draw", {state.DATA_CHOICE: "digits"})
    assert "needs MNIST" in at.warning[0].value


def test_a_deskewing_model_shows_the_deskewed_step_last(small_model, tutorial_split):
    from digitlab.training import session as training

    split = training.Split.of(*tutorial_split, training.data_name(small_model.data_key), 28)
    job = training.TrainingJob(small_model.config.replace(deskew=True, train_size=3000), split)
    assert job.start().wait(60) and job.result is not None, job.error
    at = open_app("draw", {state.TRAINED: job.result})
    at.session_state[CANVAS] = canvas_state(drawn(1))
    at.run()
    assert next(m for m in at.metric if m.label == "Prediction").value == "1"
    captions, _ = steps(at)
    assert any("cropped ink" in c for c in captions)
    to_model = [c for c in captions if c.endswith("→ the model")]  # the steps' last one
    assert len(to_model) == 1 and to_model[0].endswith("deskewed → the model")
