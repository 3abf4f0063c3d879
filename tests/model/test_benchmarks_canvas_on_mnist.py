"""benchmarks.canvas: the benchmark repeats with its seed, and the MNIST recipe beats the plain
resize by a wide margin. (That the re-drawn digits are real drawings:
tests/model/test_redraw_on_mnist.py.)"""

from __future__ import annotations

import json

import pytest

from benchmarks import canvas as bc
from digitlab.config import TrainConfig
from digitlab.fitting import fit


@pytest.fixture(scope="module")
def small_model(tutorial_split):
    """A model fitted on 2000 training images: a second or two, and ~89 % on clean digits."""
    X_train, _, y_train, _ = tutorial_split
    return fit(TrainConfig(train_size=2000, max_iter=50), X_train, y_train).model


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
    monkeypatch.setattr(bc, "tutorial_split", lambda: tutorial_split)
    assert bc.main(["--n", "10", "--train-size", "300", "--no-ablation", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 10 and [r["model"] for r in out["rows"]] == ["plain", "deskew"]
    assert set(out["rows"][0]) == {"model", "clean", "canvas", "canvas_plain", "paper",
                                   "paper_plain"}
    assert "deskew=True" in out["models"]["deskew"] and "meets_target" in out


def test_main_measures_a_saved_model_and_refuses_one_from_another_split(
        tmp_path, capsys, monkeypatch, tutorial_split):
    from digitlab.modelfile import save

    monkeypatch.setattr(bc, "tutorial_split", lambda: tutorial_split)
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
