"""AppTest helpers: run the real app.py (navigation, sidebar and all) and switch pages; draw
canvas states the way the browser component would send them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import cv2
import numpy as np
from streamlit.testing.v1 import AppTest

from digitlab.classroom import publish as classroom
from digitlab.model.config import TrainConfig
from digitlab.training import session as training
from pages.shared import canvas, nav

APP = str(Path(__file__).resolve().parents[2] / "app.py")

# Small and quick (about a second), yet good enough to read a clean 1 and 0.
SMALL = TrainConfig(solver="sag", max_iter=5, scaling="unit", train_size=10_000)


def button(at: AppTest, label: str):
    """The first button whose label starts with `label`."""
    return next(b for b in at.button if b.label.startswith(label))


def labels(at: AppTest) -> list[str]:
    """Every button's label, in page order."""
    return [b.label for b in at.button]


def open_app(page: str | None = None, state: dict | None = None) -> AppTest:
    """The app at `page` ("train", "gallery", "draw"; None = Home) after one run."""
    # A bound for a hung run, not a measure: a page that fits (a sweep) took over 60 s on a
    # 2-core machine running the suite on both cores beside other work.
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(nav.PAGES[page].file).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def serve_page(page: str, monkeypatch) -> None:
    """A page listed only on a class server (nav.Page.for_class) gets one: a class password
    set for this test (and its class set file is the test's own: the `store` fixture)."""
    if nav.PAGES[page].for_class:
        monkeypatch.setenv(classroom.PASSWORD_ENV, "a-test-password")


def canvas_state(image_rgba: np.ndarray) -> dict:
    """What the canvas (pages/shared/canvas.py) sends after a stroke: its picture as a PNG data
    URL."""
    import base64

    ok, png = cv2.imencode(".png", cv2.cvtColor(image_rgba, cv2.COLOR_RGBA2BGRA))
    assert ok
    return {canvas.STATE: "data:image/png;base64," + base64.b64encode(png.tobytes()).decode()}


def drawn(digit: int | None) -> np.ndarray:
    """A 280x280 RGBA canvas, white ink on black (alpha 255 everywhere), with `digit` drawn the
    way a mouse would: a 20 px brush. None gives an empty canvas."""
    img = np.zeros((280, 280, 4), np.uint8)
    img[..., 3] = 255
    white = (255, 255, 255, 255)
    if digit == 1:
        cv2.line(img, (150, 50), (140, 230), white, 20, cv2.LINE_AA)
    elif digit == 0:
        cv2.ellipse(img, (140, 140), (60, 90), 0, 0, 360, white, 20, cv2.LINE_AA)
    elif digit is not None:
        raise ValueError(digit)
    return img


def image_captions(at) -> list[str]:
    """One caption per picture shown with st.image (a list of images counts each)."""
    return [c for element in at.get("image") for c in element.captions]


def html_captions(at) -> list[str]:
    """The captions of the pictures shown as HTML (pages/shared/pictures.py)."""
    return [html.unescape(c) for h in at.get("html")
            for c in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", str(h.proto.body))]


def html_tables(at) -> list[list[list[str]]]:
    """The tables shown as HTML (pages/shared/tables.py), in page order: each a list of rows
    (the header first), each row its cells' text."""
    tables = []
    for h in at.get("html"):
        for body in re.findall(r"<table[^>]*>(.*?)</table>", str(h.proto.body), flags=re.S):
            tables.append([[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
                           for row in re.findall(r"<tr>(.*?)</tr>", body)])
    return tables


def html_table(at, first: str) -> dict[str, dict[str, str]]:
    """The HTML table whose first header cell is `first`, as {row's first cell: {column: cell}}."""
    rows = next(t for t in html_tables(at) if t and t[0][0] == first)
    return {row[0]: dict(zip(rows[0][1:], row[1:])) for row in rows[1:]}


def html_alts(at) -> list[str]:
    """The alternative texts of the pictures shown as HTML, in page order."""
    return [html.unescape(a) for h in at.get("html")
            for a in re.findall(r'<img [^>]*alt="([^"]*)"', str(h.proto.body))]


def trained(config: TrainConfig, mnist, tutorial_split) -> training.Trained:
    """`config` fitted on the tutorial's split, as the Train page's job fits it."""
    X_train, X_test, y_train, y_test = tutorial_split
    split = training.Split.of(X_train, X_test, y_train, y_test, mnist.name, mnist.side)
    job = training.TrainingJob(config, split).start()
    assert job.wait(120) and job.error is None, job.error
    return job.result
