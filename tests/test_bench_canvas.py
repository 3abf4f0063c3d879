"""bench_canvas: the re-drawn digits are real drawings (different from MNIST, still digits), the
benchmark repeats with its seed, and the MNIST recipe beats the plain resize by a wide margin."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitlab import bench_canvas as bc
from digitlab import preprocess as pp
from digitlab.model import TrainConfig, fit


@pytest.fixture(scope="module")
def small_model(tutorial_split):
    """A model fitted on 2000 training images: a second or two, and ~89 % on clean digits."""
    X_train, _, y_train, _ = tutorial_split
    return fit(TrainConfig(train_size=2000, max_iter=50), X_train, y_train).model


def test_redraw_gives_canvas_rgba_and_paper_rgb(tutorial_split):
    digit = tutorial_split[1][0]
    canvas = bc.redraw(digit, np.random.default_rng(0), "canvas")
    assert canvas.shape == (280, 280, 4) and canvas.dtype == np.uint8
    assert (canvas[:, :, 3] == 255).all()  # a background colour: opaque everywhere
    assert np.median(canvas[:, :, :3]) == 0 and canvas.max() == 255  # white ink on black
    paper = bc.redraw(digit, np.random.default_rng(0), "paper")
    assert paper.shape == (280, 280, 3) and paper.dtype == np.uint8
    assert np.median(paper) > 150 and paper.min() < 100  # dark ink on light paper
    with pytest.raises(ValueError, match="style"):
        bc.redraw(digit, np.random.default_rng(0), "crayon")


def test_redraw_repeats_with_its_seed(tutorial_split):
    digit = tutorial_split[1][1]
    a = bc.redraw(digit, np.random.default_rng(5), "paper")
    b = bc.redraw(digit, np.random.default_rng(5), "paper")
    c = bc.redraw(digit, np.random.default_rng(6), "paper")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_redrawn_digits_vary_in_size_place_and_stroke_width(tutorial_split):
    X_test = tutorial_split[1]
    rng = np.random.default_rng(0)
    sizes, lefts, widths = [], [], []
    for digit in X_test[:40]:
        p = pp.to_mnist(bc.redraw(digit, rng, "canvas"))
        x, _, w, h = p.info["box"]
        sizes.append(max(w, h))
        lefts.append(x)
        widths.append(p.info["stroke before"])
    assert np.ptp(sizes) > 100 and np.ptp(lefts) > 100  # ~35-85 % of 280 px, anywhere
    # pen widths (at MNIST's 20 px scale) reach well below and above MNIST's ~2.3 px
    assert min(widths) < 1.5 and max(widths) > 3.5


def test_redrawn_digits_differ_from_mnist_but_stay_the_same_digit(tutorial_split):
    X_test = tutorial_split[1]
    rng = np.random.default_rng(1)
    sims = []
    for digit in X_test[:30]:
        img = pp.to_mnist(bc.redraw(digit, rng, "canvas"), even_strokes=False).image28
        a, b = img.astype(float).ravel(), digit.astype(float).ravel()
        sims.append(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert np.median(sims) < 0.9  # not a copy of the clean digit...
    assert np.median(sims) > 0.5  # ...but a drawing of it


def test_tiny_seeded_run_beats_plain_resize_by_a_wide_margin(tutorial_split, small_model):
    r = bc.run(n=200, seed=0, split=tutorial_split, models={"small": small_model},
               ablation=False, timed=20)
    row = r.rows[0]
    assert r.n == 200 and row.model == "small"
    assert row.clean > 0.8
    for style in bc.STYLES:
        ours, plain = getattr(row, style), getattr(row, f"{style}_plain")
        assert ours > plain + 0.5, style  # plain resize is near chance
        assert ours > row.clean - 0.06, style  # the recipe nearly closes the gap
    assert r.no_ink == 0
    assert 0 < r.ms_plain and 0 < r.ms_preprocess <= r.ms_end_to_end * 5
    text = bc.format_table(r)
    assert "small" in text and f"{row.canvas:.3f}" in text and "plain resize" in text


def test_main_prints_json_with_every_figure(capsys, monkeypatch, tutorial_split):
    monkeypatch.setattr(bc, "_tutorial_split", lambda: tutorial_split)
    assert bc.main(["--n", "10", "--train-size", "300", "--no-ablation", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 10 and [r["model"] for r in out["rows"]] == ["plain", "deskew"]
    assert set(out["rows"][0]) == {"model", "clean", "canvas", "canvas_plain", "paper",
                                   "paper_plain"}
    assert "deskew=True" in out["models"]["deskew"] and "meets_target" in out


@pytest.mark.parametrize("argv", [["--n", "3"], ["--train-size", "5"]])
def test_main_refuses_silly_sizes_with_a_sentence(argv, capsys):
    with pytest.raises(SystemExit) as e:
        bc.main(argv)
    assert e.value.code == 2 and "must be at least" in capsys.readouterr().err


def test_main_measures_a_saved_model_and_refuses_one_from_another_split(
        tmp_path, capsys, monkeypatch, tutorial_split):
    from digitlab.model import save

    monkeypatch.setattr(bc, "_tutorial_split", lambda: tutorial_split)
    X_train, _, y_train, _ = tutorial_split
    good = save(fit(TrainConfig(train_size=300, deskew=True), X_train, y_train),
                tmp_path / "best.skops")
    assert bc.main(["--model", str(good), "--n", "10", "--no-ablation", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in out["rows"]] == ["best"] and "deskew=True" in out["models"]["best"]

    other = save(fit(TrainConfig(train_size=300, seed=3), X_train, y_train),
                 tmp_path / "other.skops")
    with pytest.raises(SystemExit):
        bc.main(["--model", str(other), "--n", "10"])
    assert "another split" in capsys.readouterr().err
