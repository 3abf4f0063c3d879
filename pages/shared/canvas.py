"""The drawing canvas: a 280x280 black square a student draws a digit on in white, with a
finger, a pen or a mouse; its picture goes to the server the moment the finger lifts.

Our own st.components.v2 component: a <canvas> and a few lines of JavaScript in the page's own
document, no drawing library. It took the place of streamlit-drawable-canvas (Fabric.js), whose
code the browser compiled at a page's first stroke and which waited 200 ms after each stroke
before sending it: on a phone with its CPU throttled 4x (benchmarks/phone.py) a drawing's
answer came 0.22 s after the finger lifted against 0.39 s, and the page's renderer spent a
fifth less CPU per drawing. (The drawable canvas stays as the benchmarks' bare baseline page.)

What the server gets is what the student sees: the strokes drawn again, at the canvas's own
280x280, into a picture sent as a PNG (white ink on black, alpha 255: what the drawable canvas
sent, so preprocessing is unchanged); on screen they are drawn at the device's pixel density.
Undo and Clear work in the browser (pages/shared/browser.py's buttons call the canvas's
own functions), so a stroke begun right after one of them lands on the same canvas.
"""

from __future__ import annotations

import base64
import binascii

import cv2
import numpy as np
import streamlit as st

SIDE = 280  # the canvas's pixels, and its size on screen in CSS pixels
STATE = "png"  # the component's state: the picture as a data URL, or None when empty
# A 280x280 PNG of strokes is 3-15 kB; a URL longer than this is not the canvas's.
MAX_URL = 1_000_000

_HTML = """<canvas class="digitlab-canvas" role="img"></canvas>"""
_CSS = """
canvas { display: block; width: 280px; height: 280px; background: #000; touch-action: none;
  cursor: crosshair; user-select: none; -webkit-user-select: none; }
"""
# The strokes are kept as lists of points (canvas pixels); the screen canvas draws them at the
# device's pixel ratio, a hidden 280x280 one draws them again for the picture that is sent.
_JS = """
export default function ({ parentElement, data, setStateValue }) {
  const canvas = parentElement.querySelector("canvas");
  const side = 280, brush = (data && data.brush) || 20;
  canvas.setAttribute("aria-label", (data && data.label) || "");
  if (canvas.__digitlab) return;  // a later run: the drawing stays as it is
  const state = canvas.__digitlab = { strokes: [], drawing: null };
  const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  canvas.width = canvas.height = Math.round(side * ratio);
  const screen = canvas.getContext("2d");
  const picture = document.createElement("canvas");
  picture.width = picture.height = side;
  const paper = picture.getContext("2d");
  const blank = (ctx, scale) => {
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, side, side);
  };
  const ink = (ctx, points) => {
    ctx.strokeStyle = ctx.fillStyle = "#fff";
    ctx.lineWidth = brush; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath();
    if (points.length === 1) {
      ctx.arc(points[0][0], points[0][1], brush / 2, 0, 2 * Math.PI); ctx.fill(); return;
    }
    ctx.moveTo(points[0][0], points[0][1]);
    for (let i = 1; i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
    ctx.stroke();
  };
  const redraw = () => { blank(screen, ratio); state.strokes.forEach((s) => ink(screen, s)); };
  const send = () => {
    if (!state.strokes.length) { setStateValue("png", null); return; }
    blank(paper, 1);
    state.strokes.forEach((s) => ink(paper, s));
    setStateValue("png", picture.toDataURL("image/png"));
  };
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * side / box.width,
            (event.clientY - box.top) * side / box.height];
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    canvas.setPointerCapture(event.pointerId);
    state.drawing = [at(event)];
    ink(screen, state.drawing);
    // no preventDefault here: it would also cancel the mouse events that follow (mouseup...);
    // touch-action and user-select (the CSS) keep the page from scrolling or selecting
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!state.drawing) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of (events.length ? events : [event])) {
      const point = at(each);
      ink(screen, [state.drawing[state.drawing.length - 1], point]);
      state.drawing.push(point);
    }
    event.preventDefault();
  });
  const end = () => {
    if (!state.drawing) return;
    state.strokes.push(state.drawing);
    state.drawing = null;
    send();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.__digitlabClear = () => { state.strokes = []; state.drawing = null; redraw(); send(); };
  canvas.__digitlabUndo = () => {
    if (state.strokes.length) { state.strokes.pop(); redraw(); send(); }
  };
  redraw();
}
"""

_canvas = st.components.v2.component("digitlab_canvas", html=_HTML, css=_CSS, js=_JS)


def read(key: str, brush: int, label: str) -> np.ndarray | None:
    """Draw the canvas (its state under `key`; `label` is what a screen reader says it is) and
    return its picture: a SIDE x SIDE RGBA array, white ink on black, or None while it is
    empty."""
    # A canvas drawn anew (the page opened again, Upload and back) is empty, and so is its
    # state: Streamlit drops the state of a widget a run did not draw.
    result = _canvas(key=key, data={"brush": brush, "label": label},
                     on_png_change=lambda: None, width="content")
    return picture(result.get(STATE))


def picture(url) -> np.ndarray | None:
    """The RGBA array of a "data:image/png;base64,..." URL of SIDE x SIDE, or None for
    anything else (the state comes from a browser: never trusted to be what it should)."""
    if not isinstance(url, str) or not url.startswith("data:image/png;base64,"):
        return None
    if len(url) > MAX_URL:
        return None
    try:
        raw = base64.b64decode(url.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    # the size the PNG says it is (its IHDR), before anything is decoded: a small file can
    # unpack to gigabytes
    if len(raw) < 24 or raw[:8] != b"\x89PNG\r\n\x1a\n" or (
            int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")) != (SIDE, SIDE):
        return None
    image = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.shape[:2] != (SIDE, SIDE):
        return None
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGBA)
    if image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGBA)
    return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
