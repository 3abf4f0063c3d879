"""What a phone's Draw page and a projector get instead of heavier pictures: bars and tables
as plain HTML and markdown (pages/shared/bars.py, tables.py), and matplotlib figures with
larger text at the same pixel size (digitlab.plots.render.to_png's scale)."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from PIL import Image

from digitlab.plots import charts as plots
from pages.shared import bars, pictures, tables


def heights(html: str) -> list[float]:
    return [float(h) for h in re.findall(r"height:max\(([\d.]+)%", html)]


def test_bars_are_one_labelled_picture_with_the_answer_in_the_accent_colour():
    proba = [0.01, 0.02, 0.9, 0.03, 0.0, 0.01, 0.01, 0.01, 0.005, 0.005]
    out = bars.html(proba, [str(d) for d in range(10)], [f"{p:.0%}" for p in proba], 2,
                    'The ten probabilities: 2 at 90 % "sure"', "digit", "probability", top=1.0)
    assert out.count('role="img"') == 1
    assert 'aria-label="The ten probabilities: 2 at 90 % &quot;sure&quot;"' in out  # escaped
    assert out.count(plots.ACCENT) == 1 and out.count(plots.NEUTRAL) == 9
    h = heights(out)
    assert len(h) == 10 and max(h) == h[2]  # the tallest bar is the answer's
    assert abs(h[2] / h[3] - 0.9 / 0.03) < 0.5  # heights in proportion to the values
    assert "90%" in out and "3%" in out


def test_negative_bars_hang_below_a_zero_line():
    z = [-4.0, 2.0, 8.0]
    out = bars.html(z, ["0", "1", "2"], ["-4.00", "2.00", "8.00"], 2, "scores", "digit", "z")
    h = heights(out)
    assert abs(h[0] / h[2] - 0.5) < 0.01 and abs(h[1] / h[2] - 0.25) < 0.01
    assert "border-top:1px solid" in out  # the zero line, drawn because a score is below it


def test_pictures_keep_their_alt_text_and_crisp_pixels_only_when_enlarged():
    mnist, canvas = np.zeros((28, 28), np.uint8), np.zeros((280, 280), np.uint8)
    out = pictures.html([mnist, canvas], ["3. centred <28x28>", "1. input"],
                        ['Step 3: the "centred" digit.', "Step 1."], 8.125)
    imgs = re.findall(r"<img [^>]*>", out)
    assert len(imgs) == 2 and out.count("<figcaption") == 2
    assert 'alt="Step 3: the &quot;centred&quot; digit."' in imgs[0]  # escaped, in order
    assert "centred &lt;28x28&gt;" in out
    # 28 px shown 130 px wide keeps the model's grid; 280 px shown 130 px wide is smoothed
    assert "pixelated" in imgs[0] and "image-rendering:auto" in imgs[1]
    sizes = [Image.open(io.BytesIO(base64.b64decode(src))).size
             for src in re.findall(r"base64,([^\"]+)", out)]
    assert sizes == [(28, 28), (280, 280)]  # sent at their own size, scaled by the browser
    # the sentence under them: text in a <small> (projector mode enlarges it), escaped
    assert re.fullmatch(r"<p [^>]*><small [^>]*>e\^z &lt; 1</small></p>", pictures.note("e^z < 1"))


def test_a_markdown_table_keeps_every_cell_and_its_index():
    frame = pd.DataFrame({"score z": ["1.000", "-2.5"], "p": ["0.9|x", "0.1"]},
                         index=pd.Index(["0", "1"], name="digit"))
    lines = tables.markdown(frame).splitlines()
    assert lines[0] == "| digit | score z | p |"
    assert lines[1] == "|:---|---:|---:|"
    assert lines[2] == "| 0 | 1.000 | 0.9\\|x |"  # a bar in a cell does not split it
    assert lines[3] == "| 1 | -2.5 | 0.1 |"


def test_an_html_table_keeps_every_cell_in_order_and_escapes_them():
    frame = pd.DataFrame({"score z": ["1.000", "-2.5"], "p": ["<b>0.9</b>", "0.1"]},
                         index=pd.Index(["0", "1"], name="digit"))
    out = tables.html(frame)
    rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", out)]
    assert rows == [["digit", "score z", "p"], ["0", "1.000", "&lt;b&gt;0.9&lt;/b&gt;"],
                    ["1", "-2.5", "0.1"]]  # a cell's text is text, never markup
    assert out.startswith('<table class="dl-table"') and "<b>" not in out


def ink_share(png: bytes) -> tuple[float, tuple[int, int]]:
    """(share of the picture's pixels that are dark text, its size)."""
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return float(np.mean(grey < 100)), grey.shape


def lettered() -> plt.Figure:
    fig = plt.figure(figsize=(6, 3))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor("#eeeeee")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, "Predicted label 0123456789", ha="center", va="center", fontsize=14)
    return fig


def test_a_projector_figure_has_larger_text_at_about_the_same_size():
    normal, size = ink_share(plots.to_png(lettered()))
    wall, wall_size = ink_share(plots.to_png(lettered(), scale=1.35))
    assert all(abs(a - b) <= 0.03 * a for a, b in zip(size, wall_size))  # the same picture size
    assert 1.5 < wall / normal < 2.2  # text 1.35x as tall and wide: ~1.8x the ink
