"""benchmarks.canvas: the benchmark repeats with its seed, the MNIST recipe beats the plain
resize by a wide margin, every family is measured for every model, and saved models can be
measured. (That the drawings are real drawings: tests/model/test_redraw_on_mnist.py and
tests/unit/test_unseen.py.)"""

from __future__ import annotations

import json

import pytest

from benchmarks import canvas as bc
from digitlab.model.config import TrainConfig
from digitlab.training.fitting import fit


@pytest.fixture(scope="module")
def small_model(tutorial_split):
    """A model fitted on 2000 training images: a second or two, and ~89 % on clean digits."""
    X_train, _, y_train, _ = tutorial_split
    return fit(TrainConfig(train_size=2000, max_iter=50), X_train, y_train).model


def test_tiny_seeded_run_beats_plain_resize_by_a_wide_margin(tutorial_split, small_model):
    r = bc.run(n=200, seed=0, split=tutorial_split, models={"small": small_model}, limit=40,
               timed=20, per_cell=1)
    row = r.rows[0]
    assert r.n == 200 and row.model == "small" and r.sizes == {
        "re-drawn": 200, "printed": 40, "writers": 40}
    assert row.clean > 0.8
    for style in bc.STYLES:
        ours, plain = row.drawn[f"re-drawn/{style}"], row.plain[f"re-drawn/{style}"]
        assert ours > plain + 0.5, style  # plain resize is near chance
        assert ours > row.clean - 0.06, style  # the recipe nearly closes the gap
        for family in ("printed", "writers"):
            assert 0.3 < row.drawn[f"{family}/{style}"] < 1.0, (family, style)
    assert r.no_ink <= 2
    assert 0 < r.ms_plain and 0 < r.ms_preprocess <= r.ms_end_to_end * 5
    text = bc.format_table(r)
    assert "small" in text and f"{row.drawn['re-drawn/canvas']:.3f}" in text
    assert "plain resize" in text and "printed" in text and "writers" in text
    assert set(r.grid["small"]) == set(bc.FAMILIES) and r.grid_sizes["writers"] == 27
    assert "worst" in text and "scan" in text  # the factor table
    # the seed fixes every drawing: two runs of the same seed read alike, on fewer drawings
    once, again = (bc.run(n=20, seed=0, split=tutorial_split, models={"small": small_model},
                          limit=10, timed=1, per_cell=1) for _ in range(2))
    assert again.rows[0].drawn == once.rows[0].drawn and again.rows[0].plain == once.rows[0].plain
    assert again.grid == once.grid


def test_main_prints_json_with_every_figure(capsys, monkeypatch, tutorial_split):
    monkeypatch.setattr(bc, "tutorial_split", lambda: tutorial_split)
    assert bc.main(["--n", "10", "--train-size", "300", "--limit", "10", "--models",
                    "fast,best", "--per-cell", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 10 and [r["model"] for r in out["rows"]] == ["fast", "best"]
    assert set(out["rows"][0]) == {"model", "clean", "drawn", "plain", "uneven", "restroked"}
    assert set(out["rows"][0]["drawn"]) == {f"{f}/{s}" for f in bc.FAMILIES for s in bc.STYLES}
    assert "deskew=True" in out["models"]["best"] and "meets_target" in out
    assert out["best"] in ("fast", "best") and set(out["fit_seconds"]) == {"fast", "best"}
    assert set(out["fit_cpu"]) == {"fast", "best"} and out["grid"] == {}


def test_augment_and_rbf_rows_report_their_cost_against_the_same_model_without(
        capsys, monkeypatch, tutorial_split):
    monkeypatch.setattr(bc, "tutorial_split", lambda: tutorial_split)
    assert bc.main(["--n", "10", "--train-size", "1000", "--limit", "10", "--seed", "1",
                    "--per-cell", "1"]) == 0
    text = capsys.readouterr().out
    for name in bc.DEFAULT_MODELS:
        assert f"\n{name} " in text
    assert "robust: clean accuracy" in text and "the Robust preset's goal" in text
    assert "best on the unseen families" in text and "features=rbf" in text


def test_main_measures_a_saved_model_and_refuses_one_from_another_split(
        tmp_path, capsys, monkeypatch, tutorial_split):
    from digitlab.training.modelfile import save

    monkeypatch.setattr(bc, "tutorial_split", lambda: tutorial_split)
    X_train, _, y_train, _ = tutorial_split
    good = save(fit(TrainConfig(train_size=300, deskew=True), X_train, y_train),
                tmp_path / "best.skops")
    # no grid (--per-cell 0): the grid's 1,620 drawings say nothing about the file's loading
    assert bc.main(["--model", str(good), "--n", "10", "--limit", "10", "--per-cell", "0",
                    "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in out["rows"]] == ["best"] and "deskew=True" in out["models"]["best"]

    other = save(fit(TrainConfig(train_size=300, seed=3), X_train, y_train),
                 tmp_path / "other.skops")
    with pytest.raises(SystemExit):
        bc.main(["--model", str(other), "--n", "10"])
    assert "another split" in capsys.readouterr().err
