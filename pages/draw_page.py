"""Draw: a canvas (or an uploaded picture) read by the trained model, live, with the steps that
turn a drawing into the 28x28 image the model sees, and under them a look inside: why this
answer (and the maths), the training images it looks like, and can you fool it.

Speed: the canvas and everything that depends on it sit in one st.fragment, so a stroke reruns
only that fragment (not the page); the model comes from session state (no fitting, no loading),
and the Prediction metric is drawn before the slower images so it reaches the browser first.
"""

import time

import numpy as np
import streamlit as st

from digitlab.data import preprocess
from digitlab.model.predict import predict_digit
from digitlab.plots import alt
from digitlab.training.fitting import FitResult
from pages.panels import (
    classset_panel,
    digitmap_panel,
    explain_panel,
    fool_panel,
    neighbours_panel,
)
from pages.shared import (
    browser,
    canvas,
    class_push,
    figures,
    frame,
    i18n,
    nav,
    pictures,
    projector,
    state,
    tabs,
    uploader,
    warmup,
)
from pages.shared.i18n import N_, _, label

# MNIST strokes are ~2.5 px wide in a 20 px tall digit; a digit drawn ~200 px tall on this canvas
# therefore needs a ~20 px brush to look like MNIST after the 20x20 fit.
BRUSH = 20
CLEARS = "draw_clears"  # bumping this gives a fresh, empty canvas (Clear's fallback)
# The look-inside tabs, in order: a title (marked for translation) and a panel's
# `drawing_tab(fit, image, prepared)` (the FitResult, the picture as drawn or uploaded, its
# preprocess.Prepared), which runs only while its tab is open. A new tab is one panel file with
# that function and one entry here.
TABS = {
    N_("Why this answer"): explain_panel.drawing_tab,
    N_("Looks like…"): neighbours_panel.drawing_tab,
    N_("On the map"): digitmap_panel.drawing_tab,
    N_("Can you fool it?"): fool_panel.drawing_tab,
}
TAB = "draw_tab"  # its choice is kept under "draw_tab_kept" (pages/shared/tabs.py)
# Seconds the script pauses before the tabs, so that the server's event loop (which needs
# the GIL this script thread would hold) sends the Prediction metric first. On the shared
# 2-core machine the tabs' ~20 ms of work otherwise delayed the metric by up to ~50 ms
# (median mouse-up -> metric 0.35 s instead of 0.29 s under load); with the pause the page
# was level with the page without them (benchmarks/draw_latency.py; see the issue-9 report).
SEND_FIRST = 0.05
# Seconds the script pauses right after the Prediction metric, so that it travels alone and a
# phone draws it before the rest of the answer arrives. Sent together with the save row, the
# bars and the steps (a few milliseconds of the server's work), it waited until the phone had
# taken in all of them: on a phone (CPU throttled 4x, benchmarks/phone.py) the first drawing's
# Prediction showed 0.41 s after the finger lifted and a later one's 0.20 s; with the pause
# 0.17 and 0.11 s (40 ms was enough there). The rest of the answer comes that much later.
PREDICTION_ALONE = 0.05
STEP_REM = 8.125  # the steps' pictures: 130 px wide at the page's 16 px, more on a projector


def canvas_key() -> str:
    return f"canvas-{st.session_state.get(CLEARS, 0)}"


def clear() -> None:
    st.session_state[CLEARS] = st.session_state.get(CLEARS, 0) + 1


def read_canvas():
    """The canvas as an RGBA array (None until a stroke has ended on it)."""
    return canvas.read(canvas_key(), BRUSH, _("Drawing canvas: draw one digit here with the "
                                              "mouse, a pen or a finger"))


PICTURES = ["png", "jpg", "jpeg", "bmp", "webp", "gif"]


def read_upload():
    file = uploader.file_uploader(_("A picture of one digit (PNG or JPEG)"), key="draw_upload",
                                  type=PICTURES)
    # A file the browser refused (not a picture, too large) is said here, by the uploader, and
    # the previous picture's answer goes: it is no longer the picture the student sent.
    if refusal := uploader.refused("draw_upload", PICTURES):
        st.error(refusal, icon=":material/error:")
        return None
    if file is None:
        return None
    try:
        image = preprocess.read_image(file.getvalue())
    except preprocess.PreprocessError as exc:
        st.error(_("{exc} Try a PNG or JPEG of a single digit.", exc=i18n.error_text(exc)))
        return None
    st.image(image, caption=_("Your picture"), width=280,
             alt=_("The picture you uploaded; the model's reading is beside it."))
    return image


def show_answer(fitted, image, deskew: bool) -> tuple[preprocess.Prepared, str] | None:
    """The model's reading of `image`: its input (the prepared drawing) and the sentence that
    says what it reads (the alternative text of the steps' pictures), or None."""
    try:
        prepared = preprocess.to_mnist(image, deskew=deskew)
    except preprocess.PreprocessError as exc:
        st.error(i18n.error_text(exc))
        return None
    if prepared.empty:
        st.info(_(prepared.message))  # a sentence that says what to do (draw bigger, ...)
        return None
    # image28 is the centred image; a deskewing model straightens it inside its own pipeline
    # (the "deskewed" step is only there to show what that does).
    digit, proba = predict_digit(fitted.model, prepared.image28)
    st.container(key=projector.PREDICTION).metric(
        _("Prediction"), str(digit), delta=_("{percent} sure", percent=i18n.percent(proba[digit])),
        delta_color="off", delta_arrow="off", help=_("The digit with the highest probability."))
    time.sleep(PREDICTION_ALONE)
    classset_panel.offer_save(image, prepared, fitted, digit, proba)
    class_push.drew(fitted, prepared, digit, proba)  # class mode: the teacher may spotlight it
    figures.probability_chart(proba, digit)
    return prepared, alt.drawing(digit, proba[digit])


def show_steps(prepared: preprocess.Prepared, reading: str) -> None:
    """The strip of preprocessing steps and the sentence under it, as one block of HTML: five
    st.image captions were five renders of Streamlit's markdown per drawing on a phone
    (pages/shared/pictures.py)."""
    images, captions = figures.step_strip(prepared.steps)
    # What each step shows, and for the last (what the model is given) what it reads there.
    said = [_("Step {i}: {step}.", i=i, step=_(name)) for i, name in enumerate(prepared.steps, 1)]
    if said:
        said[-1] += " " + _(reading)
    message = _(prepared.message)
    message = message[:1].upper() + message[1:]
    note = _("{message}. MNIST digits were cropped to their ink, scaled to fit 20x20 and "
             "centred by their centre of mass in 28x28: a digit drawn in a corner is moved "
             "to the middle before the model sees it.", message=message)
    st.html(pictures.html(images, captions, said, STEP_REM) + pictures.note(note))


@st.fragment
def pad(fitted, deskew: bool) -> None:
    """Everything a stroke changes. A fragment: a canvas update reruns only this function."""
    with frame.guard(_("The drawing pad")):
        pad_body(fitted, deskew)


def pad_body(fitted, deskew: bool) -> None:
    source = st.segmented_control(_("Input"), [N_("Draw"), N_("Upload")], key="draw_input",
                                  format_func=label) or N_("Draw")
    left, right = st.columns([1, 1], gap="large")
    with left:
        image = read_canvas() if source == N_("Draw") else read_upload()
        if source == N_("Draw"):
            browser.clear_button(remount=clear)
    with right:
        if image is None:
            st.info(_("Draw a digit on the black square with the mouse or a finger; the model "
                    "reads it when you lift the pen.") if source == N_("Draw") else
                    _("Upload a picture of a single digit, dark on light or light on dark."))
            browser.announce("")
            warmup.answer_elements()  # the answer's element types, drawn once, hidden
            return
        answer = show_answer(fitted, image, deskew)
        browser.announce(_(answer[1]) if answer is not None else "")
    if answer is not None:
        prepared, reading = answer
        show_steps(prepared, reading)
        look_inside(fitted, image, prepared)  # why, looks like, can you fool it


def look_inside(fit: FitResult, image: np.ndarray, prepared: preprocess.Prepared) -> None:
    """Tabs that run only when open, so a stroke costs only what the open tab shows, and all
    of it after the Prediction metric has gone out."""
    time.sleep(SEND_FIRST)
    tabs.lazy_tabs(TABS, TAB, fit, image, prepared)


with frame.guard(_("The Draw page")):
    st.title(_("Draw"))
    ds = frame.need_data(state.dataset())
    if not ds.is_mnist:
        st.warning(_("Draw needs MNIST (28x28 images); the data loaded now is {name}. Fetch "
                     "MNIST on Home, then train a model.", name=ds.name))
        nav.link("home", _("Go to Home"))
        frame.stop()
    tr = frame.need_model(ds, state.trained())
    # The answer is the point of this page: a big digit that reads from the back of a room.
    st.html("<style>[data-testid='stMetricValue']{font-size:4.5rem;line-height:1.1}</style>"
            + warmup.CSS)
    st.session_state.setdefault("draw_input", N_("Draw"))
    pad(tr.fit, tr.config.deskew)
