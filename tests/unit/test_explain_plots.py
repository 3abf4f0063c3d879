"""The pictures of what is inside a model: weight images on one symmetric scale, diverging
colours centred at zero, the heatmap's cells located in its PNG, and the training curve's
per-class lines."""

from __future__ import annotations

import cv2
import matplotlib.pyplot as plt
import numpy as np
import pytest

from digitlab.plots import charts as plots
from digitlab.plots import explain as explain_plots


@pytest.fixture(autouse=True)
def no_figures_left_open():
    yield
    assert plt.get_fignums() == [], "a figure was left open"


def test_weight_grid_shows_ten_titled_images_on_one_scale_centred_at_zero():
    images = np.random.default_rng(0).normal(size=(10, 28, 28))
    titles = [f"{d} · 5% zero" for d in range(10)]
    fig = explain_plots.weight_grid(images, titles)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == titles
    norms = {(im.norm.vmin, im.norm.vmax) for ax in shown for im in ax.images}
    assert len(norms) == 1
    lo, hi = norms.pop()
    assert lo == -hi > -np.abs(images).max() - 1e-9
    assert any(ax.get_ylabel() or ax.get_xlabel() for ax in fig.axes if not ax.images)
    plots.to_png(fig)


def test_diverging_colours_are_white_at_zero_red_above_blue_below():
    rgb = explain_plots.diverging_rgb(np.array([[-1.0, 0.0, 1.0]]), limit=1.0, size=3)
    blue, white, red = rgb[0]
    assert white.min() > 230
    assert red[0] > 2 * int(red[2]) and blue[2] > 2 * int(blue[0])
    big = explain_plots.diverging_rgb(np.zeros((28, 28)), 1.0, 196)
    assert big.shape == (196, 196, 3)


def test_to_png_with_box_finds_the_heatmaps_cells():
    cm = np.zeros((10, 10), int)
    cm[3, 7] = 1000  # one dark cell: find it in the picture where the box says it is
    fig = plots.confusion_heatmap(cm)
    png, (left, top, right, bottom), (w, h) = plots.to_png_with_box(fig, fig.axes[0], 80)
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (h, w)
    cell_w, cell_h = (right - left) / 10, (bottom - top) / 10
    assert cell_w == pytest.approx(cell_h, rel=0.02)  # a square heatmap
    # near a corner of the cell, away from its printed count
    cx, cy = int(left + 7.2 * cell_w), int(top + 3.2 * cell_h)
    assert img[cy - 1:cy + 2, cx - 1:cx + 2].mean() < 90  # dark: the 1000
    assert img[int(top + 2.2 * cell_h), int(left + 2.2 * cell_w)] > 200  # a pale 0


def test_training_curve_draws_each_class_and_names_the_worst():
    per_class = [tuple(0.8 + 0.01 * c for c in range(10)), tuple(0.85 + 0.01 * c
                                                                 for c in range(10))]
    per_class = [(0.5,) + row[1:] for row in per_class]  # digit 0 is the worst
    fig = plots.training_curve([1, 2], [0.5, 0.4], [0.9, 0.92], class_accuracy=per_class)
    acc_ax = fig.axes[1]
    assert len(acc_ax.lines) == 11  # ten classes and the total
    labels = [t.get_text() for t in acc_ax.get_legend().get_texts()]
    assert "worst digit (0)" in labels
    assert acc_ax.get_ylim()[0] < 0.5
    plots.to_png(fig)


def test_weight_pictures_drawn_from_many_threads_at_once_are_all_the_same():
    from concurrent.futures import ThreadPoolExecutor

    image = np.linspace(-1.0, 1.0, 28 * 28).reshape(28, 28)
    with ThreadPoolExecutor(8) as pool:  # one shared colour map: a class's pages at once
        pictures = list(pool.map(lambda _: explain_plots.diverging_rgb(image, 1.0, 56),
                                 range(16)))
    assert all(np.array_equal(p, pictures[0]) for p in pictures)
    assert pictures[0][0, 0].tolist() != pictures[0][-1, -1].tolist()  # blue end, red end
