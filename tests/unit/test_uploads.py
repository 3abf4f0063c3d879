"""Uploads as phones and image editors make them: an animated GIF, a CMYK JPEG, 16-bit and
palette PNGs (with and without transparency), a photo turned by its EXIF orientation. Each is
read as the digit it shows or refused with a sentence; none raises anything else."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from digitlab.data import preprocess as pp
from tests.support.drawings import draw_seven, similarity

pytestmark = pytest.mark.fault


def paper_seven() -> np.ndarray:
    """A dark 7 on light paper, 280x280 grey."""
    return 255 - draw_seven()


def encode(image: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kw)
    return out.getvalue()


def uploads() -> dict[str, bytes]:
    grey = Image.fromarray(paper_seven())
    rgb = grey.convert("RGB")
    blank = Image.new("L", grey.size, 255)
    palette_clear = grey.convert("P")
    rotated = rgb.rotate(90, expand=True)  # stored sideways (90 CCW), as a phone does...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...with orientation 6: "turn 90 CW to view" (read as stored: not a 7)
    sixteen = np.asarray(paper_seven(), np.uint16) * 257
    return {
        "animated GIF (the 7 first)": encode(grey.convert("P"), "GIF", save_all=True,
                                             append_images=[blank.convert("P")], duration=100,
                                             loop=0),
        "CMYK JPEG": encode(rgb.convert("CMYK"), "JPEG", quality=95),
        "16-bit grey PNG": encode(Image.fromarray(sixteen), "PNG"),
        "palette PNG": encode(rgb.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
        "palette PNG with transparency": encode(palette_clear, "PNG", transparency=255),
        "EXIF-rotated phone photo": encode(rotated, "JPEG", quality=95, exif=exif),
        "progressive JPEG": encode(rgb, "JPEG", quality=90, progressive=True),
        "WebP": encode(rgb, "WEBP", quality=90),
    }


@pytest.mark.parametrize("kind", list(uploads()))
def test_an_upload_is_read_as_its_digit_or_refused_with_a_sentence(kind, ledger):
    data = uploads()[kind]
    reference = pp.to_mnist(paper_seven()).image28
    image, refused = ledger.result_or_sentence(pp.read_image, data, sentence=pp.PreprocessError)
    if refused is not None:
        assert "PNG or JPEG" in str(refused)
        return
    prepared = pp.to_mnist(image)
    assert not prepared.empty, prepared.message
    assert similarity(prepared.image28, reference) > 0.9, kind


def test_a_bmp_that_claims_to_be_sixteen_million_rows_tall_is_a_sentence(ledger):
    """Found by the property test: OpenCV raises on a header over its size limit, where other
    bad files give None."""
    import cv2

    ok, bmp = cv2.imencode(".bmp", np.zeros((1, 1), np.uint8))
    data = bytearray(bmp.tobytes())
    data[22:26] = (0x01000001).to_bytes(4, "little")  # the height field
    with pytest.raises(pp.PreprocessError, match="Could not read this file as a picture"):
        pp.read_image(bytes(data))
    ledger.bad_input()
