"""preprocess: every input kind -> a 28x28 MNIST-like image, "no ink" as a clear result.

Drawings here are made with OpenCV strokes (lines and ellipses with a round brush), the way a
canvas draws them (tests/support/drawings.py). Real MNIST digits, where the question is "does it
look like MNIST": tests/model/test_preprocess_on_mnist.py; deskew: test_deskew.py.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from benchmarks.canvas import plain_resize
from digitlab.data import preprocess as pp
from digitlab.data.preprocess import Prepared, PreprocessError
from tests.support.drawings import (
    draw_seven,
    draw_zero,
    rgba_canvas,
    similarity,
    transparent_canvas,
)


def test_similarity_tells_different_digits_apart():
    seven, zero = pp.to_mnist(draw_seven()).image28, pp.to_mnist(draw_zero()).image28
    assert similarity(seven, zero) < 0.8
    assert similarity(seven, np.roll(seven, 3, axis=1)) < 0.8  # 3 px off is not "the same"


def assert_mnist_like(p: Prepared) -> None:
    assert not p.empty, p.message
    img = p.image28
    assert img.shape == (28, 28) and img.dtype == np.uint8
    assert img.max() >= 240  # stroke cores (nearly) saturate like MNIST's
    # the digit fits the 20x20 box and its centre of mass is within a pixel of (14, 14)
    ys, xs = np.nonzero(img)
    assert max(np.ptp(ys), np.ptp(xs)) + 1 <= 21
    m = img.astype(np.float64)
    cy = (m.sum(1) * np.arange(28)).sum() / m.sum()
    cx = (m.sum(0) * np.arange(28)).sum() / m.sum()
    assert abs(cy - 14) <= 0.6 and abs(cx - 14) <= 0.6
    # nothing of the 20x20 fit was cut off at the field's edge
    assert abs(int(img.sum()) - int(p.steps["20x20 fit"].sum())) < 255
    for name, step in p.steps.items():
        assert step.dtype == np.uint8 and step.ndim == 2, name


# --- every input kind --------------------------------------------------------------------


def input_kinds() -> dict[str, np.ndarray]:
    seven = draw_seven()
    rgb_paper = np.dstack([255 - seven] * 3).astype(np.uint8)
    rgb_paper[:, :, 2] = np.maximum(rgb_paper[:, :, 2], 40)  # blue-black ink
    return {
        "grey white on black": seven,
        "grey dark on light": 255 - seven,
        "grey (H, W, 1)": seven[:, :, None],
        "RGB dark on light": rgb_paper,
        "RGBA with background": rgba_canvas(seven),
        "RGBA transparent, black ink": transparent_canvas(seven, (0, 0, 0)),
        "RGBA transparent, white ink": transparent_canvas(seven, (255, 255, 255)),
        "RGBA transparent, red ink": transparent_canvas(seven, (220, 30, 30)),
        "float 0..1": seven.astype(np.float32) / 255,
        "float 0..255": seven.astype(np.float64),
        "bool": seven > 127,
        "uint16": seven.astype(np.uint16) * 257,
        "large 1120x1120 dark on light": cv2.resize(255 - seven, (1120, 1120)),
        "small 35x35": cv2.resize(seven, (35, 35), interpolation=cv2.INTER_AREA),
    }


@pytest.mark.parametrize("kind", list(input_kinds()))
def test_every_input_kind_gives_the_same_mnist_like_seven(kind):
    reference = pp.to_mnist(draw_seven()).image28
    p = pp.to_mnist(input_kinds()[kind])
    assert_mnist_like(p)
    assert [s for s in p.steps if s != "strokes evened"] == [
        "input grey", "cropped ink", "20x20 fit", "centred 28x28"]
    # At 35x35 the digit is 27 px tall: rounding can put it one row off the large one's place.
    assert similarity(p.image28, reference) > (0.9 if "small" in kind else 0.95)


def test_ink_style_is_detected_and_said():
    assert pp.to_mnist(draw_seven()).info["ink"] == "white on black"
    p = pp.to_mnist(255 - draw_seven())
    assert p.info["ink"] == "dark on light" and "dark on light" in p.message


def test_inverted_ink_gives_the_same_image():
    a = pp.to_mnist(draw_zero()).image28
    b = pp.to_mnist(255 - draw_zero()).image28
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_small_in_a_corner_and_large_in_the_centre_give_nearly_the_same_image():
    # The same '7' at 1/4 of the canvas in the top-left corner (with a brush scaled to match)
    # and at 3/4 of it in the middle: MNIST's recipe removes both size and place.
    small = draw_seven(box=(10, 10, 60, 80), brush=5)
    large = draw_seven(box=(50, 35, 200, 245), brush=21)
    a, b = pp.to_mnist(small).image28, pp.to_mnist(large).image28
    assert similarity(a, b) > 0.95
    # ...while the plain resize sees two different pictures
    assert similarity(plain_resize(small), plain_resize(large)) < 0.3


def test_a_thick_brush_is_thinned_toward_mnist_pen_width():
    fat = pp.to_mnist(draw_zero(axes=(30, 45), brush=26))
    assert fat.info["stroke before"] > 4 and 2.0 <= fat.info["stroke after"] <= 3.2
    assert "thinned" in fat.message
    kept = pp.to_mnist(draw_zero(axes=(30, 45), brush=26), even_strokes=False)
    # measured on the 20x20 fit itself (the info field would only echo the switch)
    assert pp.stroke_width(kept.steps["20x20 fit"]) > 4 > pp.stroke_width(fat.steps["20x20 fit"])
    # thinner strokes cover less of the 28x28 field
    assert (fat.image28 > 127).sum() < (kept.image28 > 127).sum()


@pytest.mark.parametrize("side, pen", [(2000, 4), (600, 1)])
def test_a_fine_pen_on_a_large_photo_is_not_averaged_away(side, pen):
    # Shrinking a 4 px line from 2000 px to the 20 px box leaves a ghost; it must still come out
    # as a solid MNIST-width stroke (a regression: it once became a round blob).
    k = side / 280
    img = np.full((side, side), 235, np.uint8)
    corner = (int(200 * k), int(40 * k))
    cv2.line(img, (int(60 * k), int(40 * k)), corner, 30, pen, cv2.LINE_AA)
    cv2.line(img, corner, (int(106 * k), int(240 * k)), 30, pen, cv2.LINE_AA)
    p = pp.to_mnist(img)
    assert_mnist_like(p)
    assert p.info["stroke before"] < 0.5 and 1.8 < p.info["stroke after"] < 2.8
    assert similarity(p.image28, pp.to_mnist(draw_seven()).image28) > 0.9


# --- "no ink" ------------------------------------------------------------------------------


@pytest.mark.parametrize("image", [
    np.zeros((280, 280), np.uint8),
    np.full((280, 280), 255, np.uint8),
    np.zeros((280, 280, 4), np.uint8),  # an untouched transparent canvas
    rgba_canvas(np.zeros((280, 280), np.uint8)),
    np.full((1, 1), 200, np.uint8),
    np.full((1, 1, 3), 10, np.uint8),
], ids=["black", "white", "transparent", "black RGBA", "1x1 grey", "1x1 RGB"])
def test_blank_images_are_no_ink(image):
    p = pp.to_mnist(image)
    assert p.empty and p.image28 is None
    assert p.message == pp.MSG_BLANK
    assert list(p.steps) == ["input grey"]


@pytest.mark.parametrize("value", [255, 0])
def test_one_pixel_of_ink_is_no_ink(value):
    img = np.full((280, 280), 255 - value, np.uint8)
    img[140, 100] = value
    p = pp.to_mnist(img)
    assert p.empty and p.image28 is None and "ink" in p.message.lower()


def test_a_few_specks_are_no_ink():
    img = np.zeros((280, 280), np.uint8)
    img[50, 50] = img[200, 120] = img[100, 250] = 255
    assert pp.to_mnist(img).empty


def test_a_dot_is_no_digit():
    img = np.zeros((280, 280), np.uint8)
    cv2.circle(img, (140, 140), 12, 255, -1, cv2.LINE_AA)
    p = pp.to_mnist(img)
    assert p.empty and p.message == pp.MSG_DOT


def test_paper_noise_alone_is_no_ink(rng):
    paper = np.clip(rng.normal(220, 4, (300, 400)), 0, 255).astype(np.uint8)
    assert pp.to_mnist(paper).empty


def test_noisy_photo_of_a_digit_ignores_specks(rng):
    photo = (255 - draw_zero()).astype(np.float32) * 0.7 + 60
    photo += rng.normal(0, 4, photo.shape)
    photo[10:13, 10:13] = 40  # a dust speck far from the digit
    p = pp.to_mnist(np.clip(photo, 0, 255).astype(np.uint8))
    assert_mnist_like(p)
    assert similarity(p.image28, pp.to_mnist(draw_zero()).image28) > 0.95


def shaded_paper(low: float) -> np.ndarray:
    """Paper lit from the right: grey `low` at the left edge, 240 at the right."""
    return np.tile(np.linspace(low, 240, 280, dtype=np.float32), (280, 1))


@pytest.mark.parametrize("low", [200, 140, 80])
def test_unevenly_lit_paper_still_gives_the_digit(low):
    ink = draw_seven().astype(np.float32) / 255
    photo = shaded_paper(low) * (1 - ink) + 40 * ink  # dark ink; the shadow is darker than ink
    p = pp.to_mnist(np.clip(photo, 0, 255).astype(np.uint8))
    assert_mnist_like(p)
    assert similarity(p.image28, pp.to_mnist(draw_seven()).image28) > 0.95


def test_unevenly_lit_blank_paper_is_no_ink():
    assert pp.to_mnist(shaded_paper(120).astype(np.uint8)).empty


# --- junk in, a sentence out ----------------------------------------------------------------


@pytest.mark.parametrize("junk", [
    np.zeros((0, 0), np.uint8),
    np.zeros(784, np.uint8),
    np.zeros((10, 10, 5), np.uint8),
    np.array([["a", "b"], ["c", "d"]]),
    np.full((5, 5), np.nan),
], ids=["no pixels", "flat row", "5 channels", "text", "nan"])
def test_arrays_that_are_not_images_raise_a_sentence(junk):
    with pytest.raises(PreprocessError, match=r"\w+ .*\."):
        pp.to_mnist(junk)


def test_read_image_decodes_png_and_jpeg_and_refuses_junk(tmp_path):
    seven = draw_seven()
    _, png = cv2.imencode(".png", cv2.cvtColor(rgba_canvas(seven), cv2.COLOR_RGBA2BGRA))
    rgba = pp.read_image(png.tobytes())
    assert rgba.shape == (280, 280, 4) and rgba.dtype == np.uint8
    _, jpg = cv2.imencode(".jpg", 255 - seven)
    path = tmp_path / "seven.jpg"
    path.write_bytes(jpg.tobytes())
    grey = pp.read_image(path)
    assert grey.shape == (280, 280)
    for img in (rgba, grey, pp.read_image(str(path))):
        assert similarity(pp.to_mnist(img).image28, pp.to_mnist(seven).image28) > 0.95
    with pytest.raises(PreprocessError, match="PNG or JPEG"):
        pp.read_image(b"this is not a picture")
    with pytest.raises(PreprocessError):
        pp.read_image(b"")
    with pytest.raises(PreprocessError, match="No image file"):
        pp.read_image(tmp_path / "missing.png")


def test_plain_resize_is_the_whole_picture_squashed():
    small = plain_resize(rgba_canvas(draw_seven()))
    assert small.shape == (28, 28) and small.dtype == np.uint8
    assert similarity(small, plain_resize(255 - draw_seven())) > 0.99  # polarity fixed


def test_the_strokes_evened_step_shows_a_fat_pen_thinned_and_not_a_pen_like_mnists():
    fat = pp.to_mnist(draw_zero(axes=(30, 45), brush=26))
    assert "strokes evened" in fat.steps
    steps = list(fat.steps)
    assert steps.index("cropped ink") < steps.index("strokes evened") < steps.index("20x20 fit")
    kept = pp.to_mnist(draw_zero(axes=(30, 45), brush=26), even_strokes=False)
    assert "strokes evened" not in kept.steps
