"""pages/shared/canvas.py's picture(): what the browser sent as the canvas's state becomes the
RGBA array the Draw page reads, or None for anything that is not a 280x280 PNG (the state
comes from a browser: any value at all may arrive)."""

from __future__ import annotations

import base64
import zlib

import cv2
import numpy as np
import pytest

from pages.shared import canvas


def url_of(image: np.ndarray) -> str:
    ok, png = cv2.imencode(".png", image)
    assert ok
    return "data:image/png;base64," + base64.b64encode(png.tobytes()).decode()


def test_a_stroke_comes_back_as_rgba_white_on_black():
    bgra = np.zeros((canvas.SIDE, canvas.SIDE, 4), np.uint8)
    bgra[..., 3] = 255
    cv2.line(bgra, (140, 40), (140, 240), (255, 255, 255, 255), 20)
    image = canvas.picture(url_of(bgra))
    assert image is not None and image.shape == (canvas.SIDE, canvas.SIDE, 4)
    assert image[140, 140].tolist() == [255, 255, 255, 255]
    assert image[140, 20].tolist() == [0, 0, 0, 255]


@pytest.mark.parametrize("channels", [1, 3])
def test_grey_and_rgb_pngs_become_rgba(channels):
    shape = (canvas.SIDE, canvas.SIDE) + ((3,) if channels == 3 else ())
    image = canvas.picture(url_of(np.full(shape, 200, np.uint8)))
    assert image is not None and image.shape == (canvas.SIDE, canvas.SIDE, 4)


def bomb() -> str:
    """A PNG of a few kB that says it is 30000x30000 (900 MB decoded): refused before it is
    decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))
    ihdr = (30_000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    raw = b"".join(b"\x00" + bytes(30_000) for _ in range(64))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
           + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


BAD = [
    None, 7, 3.5, float("nan"), [], {}, b"data:image/png;base64,", "", "hello",
    "data:image/png;base64,", "data:image/png;base64,!!!not base64!!!",
    "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(),
    "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode(),
    "data:image/png;base64," + "A" * (canvas.MAX_URL + 4),
    bomb(),
]


@pytest.mark.parametrize("state", BAD, ids=range(len(BAD)))
def test_anything_else_is_no_picture(state, ledger):
    image, said = ledger.result_or_sentence(canvas.picture, state, sentence=())
    assert image is None and said is None


def test_a_png_of_another_size_is_no_picture(ledger):
    for side in (28, 279, 281, 2_800):
        image, _ = ledger.result_or_sentence(
            canvas.picture, url_of(np.zeros((side, side), np.uint8)), sentence=())
        assert image is None
