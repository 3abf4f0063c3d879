"""The Draw page's "Can you fool it?": sliders that shift, rotate, scale and thicken the drawing
before it reaches the model, the answer following live, what the preprocessing undid, and
where along a full turn the answer flips. The maths is digitlab.lab.fool's.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from digitlab.lab import fool
from digitlab.lab.fool import Change
from digitlab.plots import alt
from digitlab.plots import charts as plots
from pages.shared import figures, i18n
from pages.shared.i18n import N_, _

# Slider keys and their resting values (the Reset button puts these back).
SLIDERS = {"fool_dx": 0, "fool_dy": 0, "fool_angle": 0, "fool_scale": 100, "fool_pen": 0}
CANVAS = 280  # pen widths are given in pixels of the Draw page's 280 px canvas
SWEEP = tuple(range(-90, 91, 10))  # degrees tried for "where does it flip?"
SWEEP_KEY = "fool_sweep"  # this session's last sweep: (what it was for, its result)
PX = 140


def reset() -> None:
    st.session_state.update(SLIDERS)


def sliders() -> Change:
    for key, value in SLIDERS.items():
        st.session_state.setdefault(key, value)
    c = st.columns([1, 1, 1, 1, 1, 0.7], vertical_alignment="bottom")
    c[0].slider(_("Shift right (%)"), -40, 40, step=5, key="fool_dx",
                help=_("Percent of the picture's width; negative moves it left."))
    c[1].slider(_("Shift down (%)"), -40, 40, step=5, key="fool_dy")
    c[2].slider(_("Rotate (°)"), -90, 90, step=5, key="fool_angle",
                help=_("Counter-clockwise; negative turns it clockwise."))
    c[3].slider(_("Scale (%)"), 40, 160, step=5, key="fool_scale")
    c[4].slider(_("Pen width (± px)"), -10, 30, step=2, key="fool_pen",
                help=_("Pixels added to the pen's width on the 280 px canvas."))
    c[5].button(_("Reset"), on_click=reset, icon=":material/restart_alt:", key="fool_reset")
    s = st.session_state
    return Change(shift_x=s["fool_dx"] / 100, shift_y=s["fool_dy"] / 100,
                  angle=float(s["fool_angle"]), scale=s["fool_scale"] / 100,
                  thicken=s["fool_pen"] / CANVAS)


def sweep(model, image: np.ndarray, change: Change, deskew: bool, model_id: int) -> list:
    """The rotation sweep for this drawing and the other sliders, kept for the session: moving
    only the rotation slider does not redo it."""
    what = (hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest(), change.shift_x,
            change.shift_y, change.scale, change.thicken, deskew, model_id)
    kept = st.session_state.get(SWEEP_KEY)
    if kept is None or kept[0] != what:
        kept = (what, fool.rotation_sweep(model, image, change, SWEEP, deskew))
        st.session_state[SWEEP_KEY] = kept
    return kept[1]


def sweep_chart(points: list, original: int, angle: float) -> None:
    """The answer at each angle: a dot per angle at its probability, labelled with the digit,
    red where it is not the unchanged drawing's answer; the slider's angle marked."""
    rows = [{"angle": a, "p": p, "digit": "–" if d is None else str(d),
             "flipped": d != original} for a, d, p in points]
    axis = {"labelFontSize": 13, "titleFontSize": 14}
    x = {"field": "angle", "type": "quantitative", "scale": {"domain": [-92, 92]},
         "axis": {**axis, "title": N_("rotation (°, counter-clockwise)"), "values": list(SWEEP)}}
    y = {"field": "p", "type": "quantitative", "scale": {"domain": [0, 1.25]},
         "axis": {**axis, "title": "probability", "format": "%", "values": [0, 0.5, 1]}}
    spec = {
        "description": _(alt.turned([a for a, _d, _p in points], [d for _a, d, _p in points],
                                    original)),
        "height": 170,
        "layer": [
            {"data": {"values": [{"angle": angle}]},  # the slider's angle: full height
             "mark": {"type": "rule", "strokeDash": [4, 3], "color": plots.ACCENT,
                      "strokeWidth": 2},
             "encoding": {"x": x}},
            {"data": {"values": rows}, "mark": {"type": "line", "color": plots.NEUTRAL},
             "encoding": {"x": x, "y": y}},
            {"data": {"values": rows}, "mark": {"type": "circle", "size": 90, "opacity": 1},
             "encoding": {"x": x, "y": y, "color": {
                 "condition": {"test": "datum.flipped", "value": plots.WRONG},
                 "value": plots.RIGHT}}},
            {"data": {"values": rows}, "mark": {"type": "text", "dy": -13, "fontSize": 14,
                                                "fontWeight": "bold"},
             "encoding": {"x": x, "y": y, "text": {"field": "digit"}}},
        ],
    }
    st.vega_lite_chart(figures.vega(spec), width="stretch")


def describe(change: Change) -> str:
    """What was done to the drawing, in words, for the changed picture's caption."""
    bits = []
    if change.shift_x or change.shift_y:
        bits.append(_("shifted {shift_x:+.0%} right, {shift_y:+.0%} down", shift_x=change.shift_x,
                      shift_y=change.shift_y))
    if change.angle:
        bits.append(_("turned {angle:+.0f}°", angle=change.angle))
    if change.scale != 1:
        bits.append(_("scaled to {scale:.0%}", scale=change.scale))
    if change.thicken:
        bits.append(_("pen {thicken:+.0f} px", thicken=change.thicken * CANVAS))
    return _("Your drawing, ") + (", ".join(bits) if bits else _("unchanged"))


def reach_sentence(reached: dict[str, float]) -> str:
    names = {"shift": N_("the shift"), "rotate": N_("the rotation"), "scale": N_("the new size"),
             "thicken": N_("the new pen width")}
    bits = []
    for name, share in reached.items():
        bits.append(_("{names}: {share:.0%} of the ink moved, {verdict}", names=names[name],
                      share=share, verdict=fool.verdict(share)))
    return "; ".join(bits)


def panel(model, image: np.ndarray, deskew: bool, original28: np.ndarray,
               answer: int, model_id: int) -> None:
    """Everything under the "Can you fool it?" tab."""
    change = sliders()
    tried = fool.attempt(model, image, change, deskew)
    pictures, right = st.columns([1, 1], gap="medium")
    with pictures:
        left, mid = st.columns(2)
        left.image(plots.enlarge(tried.picture, PX), width=PX, caption=describe(change),
                   output_format="PNG", alt=describe(change) + ".")
        if tried.digit is not None:
            model_input = tried.prepared.steps.get("deskewed", tried.prepared.image28)
            mid.image(plots.enlarge(model_input, PX), width=PX, caption=_("What the model gets"),
                      output_format="PNG", alt=_(alt.drawing(
                          tried.digit, tried.probabilities[tried.digit])))
        reached = fool.reached(image, change, original28, deskew)
        if reached:
            st.markdown(_("**What reached the model** (each change alone, against your "
                        "drawing's 28x28 input): ") + reach_sentence(reached) + ".")
        else:
            st.caption(_("Move a slider. The preprocessing centres the ink and fits it into "
                       "20x20, so a shift or a new size mostly never reaches the model, and it "
                       "moves the pen width toward MNIST's; a rotation it does not undo."))
    with right:
        if tried.digit is None:
            st.info(_("{message} (The change pushed the digit off the picture: move the sliders "
                      "back.)", message=tried.prepared.message))
            return
        flipped = tried.digit != answer
        st.metric(_("Answer after the changes"), str(tried.digit),
                  delta=(_("flipped from {answer}", answer=answer) if flipped
                         else _("not fooled")) + " · "
                  + _("{percent} sure", percent=i18n.percent(tried.probabilities[tried.digit])),
                  delta_color="inverse" if flipped else "normal", delta_arrow="off")
        figures.probability_chart(tried.probabilities, tried.digit)
    st.markdown(_("**Where does the answer flip?** The drawing turned from −90° to +90° "
                "(with the other sliders as set): red dots are a different answer."))
    sweep_chart(sweep(model, image, change, deskew, model_id), answer, change.angle)


def drawing_tab(fit, image: np.ndarray, prepared) -> None:
    """"Can you fool it?" for a drawing (an entry of the Draw page's TABS)."""
    answer = int(fit.model.predict(prepared.image28.reshape(1, -1))[0])
    panel(fit.model, image, fit.config.deskew, prepared.image28, answer, id(fit))
