"""The figures: they render, label what they show, and close behind themselves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from digitlab.plots import charts as plots

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_figures_left_open():
    yield
    assert plt.get_fignums() == [], "a figure was left open"


def test_to_png_renders_and_closes():
    fig = plots.class_balance(np.arange(100) % 10)
    png = plots.to_png(fig)
    assert png.startswith(PNG) and len(png) > 1000
    assert not plt.fignum_exists(fig.number)


def test_confusion_heatmap_annotates_every_cell_and_labels_the_axes():
    cm = np.arange(100).reshape(10, 10)
    fig = plots.confusion_heatmap(cm)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    annotations = sorted(int(t.get_text()) for t in ax.texts)
    assert annotations == list(range(100))
    assert min(t.get_fontsize() for t in ax.texts) >= 12  # readable on a projector
    plots.to_png(fig)


def test_digit_grid_titles_each_image_and_keeps_the_pixels():
    images = np.zeros((3, 28 * 28), np.uint8)
    images[1, 100] = 255
    fig = plots.digit_grid(images, ["Label 0", "Label 1", "Label 2"], side=28, ncols=2)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["Label 0", "Label 1", "Label 2"]
    assert shown[1].images[0].get_array()[100 // 28, 100 % 28] == 255
    plots.to_png(fig)


def test_probability_bars_colour_right_and_wrong():
    proba = np.full(10, 0.02)
    proba[3] = 0.82
    fig = plots.probability_bars(proba, predicted=3, true=5)
    bars = fig.axes[0].patches
    assert len(bars) == 10
    assert bars[3].get_facecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb(plots.WRONG))
    assert bars[5].get_linewidth() > 2  # the true class is outlined
    plots.to_png(fig)


def test_percent_labels_never_round_an_unsure_answer_to_100():
    assert plots.percent(0.997) == ">99%"
    assert plots.percent(1.0) == "100%"
    assert plots.percent(0.004) == ""


def test_training_curve_skips_missing_values():
    fig = plots.training_curve([1, 2, 3], [0.9, 0.5, None], [None, 0.88, 0.9])
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines[0].get_xdata()) == 2 and len(acc_ax.lines[0].get_xdata()) == 2
    plots.to_png(fig)


def test_enlarge_repeats_pixels_without_blurring():
    img = np.array([[0, 255], [255, 0]], np.uint8)
    big = plots.enlarge(img, 280)
    assert big.shape == (280, 280)
    assert set(np.unique(big)) == {0, 255}
    assert big[139, 139] == 0 and big[0, 279] == 255
