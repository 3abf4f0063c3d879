"""Small pictures with their captions as plain HTML (st.html): the Draw page's preprocessing
steps and evidence maps.

st.image renders each caption through Streamlit's markdown component and each picture as its
own React element; on a cheap phone (CPU throttled 4x, benchmarks/phone.py) the answer's
pictures and captions, mounted again after every Clear, were a large share of the renderer's
time per drawing. Here the pictures travel inside the HTML as small PNGs at their own size
(no fetch of a media file each) and the captions are text: the browser only sets them. A
picture the browser enlarges (MNIST's 28x28) keeps crisp pixels, the grid the model sees; one
it reduces (the 280 px canvas) is smoothed. Each picture keeps its alternative text; sizes
are in rem, so projector mode's larger base text makes them larger too.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from html import escape

import numpy as np
from PIL import Image

REM = 16  # CSS px in a rem at the page's base text size (projector mode's is larger)


def data_url(rgb: np.ndarray) -> str:
    """An image (H x W x 3 or H x W, uint8) as a data: URL of a PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def html(pictures: Sequence[np.ndarray], captions: Sequence[str], alts: Sequence[str],
         size: float) -> str:
    """The pictures side by side (wrapping on a narrow screen), each `size` rem wide with its
    caption under it and its alternative text."""
    figures = "".join(
        f'<figure style="margin:0;width:{size}rem;max-width:100%">'
        f'<img src="{data_url(picture)}" alt="{escape(alt)}" '
        f'style="width:100%;height:auto;image-rendering:{rendering(picture, size)};'
        f'display:block;border-radius:.5rem">'
        f'<figcaption style="font-size:.875rem;line-height:1.4;margin-top:.3rem;'
        f'text-align:center">'
        f"{escape(caption)}</figcaption></figure>"
        for picture, caption, alt in zip(pictures, captions, alts))
    return (f'<div class="dl-pictures" style="display:flex;flex-wrap:wrap;gap:1rem">'
            f"{figures}</div>")


def rendering(picture: np.ndarray, size: float) -> str:
    """CSS image-rendering for `picture` shown `size` rem wide: crisp pixels when enlarged."""
    return "pixelated" if np.shape(picture)[1] < size * REM else "auto"


def note(text: str) -> str:
    """A sentence under pictures, as small as a caption; projector mode's CSS (`small`, in
    pages/shared/projector.py) gives it the captions' 20 px on a wall. Not st.caption: that
    is one more render of Streamlit's markdown per drawing."""
    return (f'<p style="margin:.75rem 0 0 0"><small style="font-size:.875rem;opacity:.7">'
            f"{escape(text)}</small></p>")
