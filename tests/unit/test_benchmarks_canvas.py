"""benchmarks.canvas refuses silly sizes with a sentence before it loads anything. (Its runs on
real MNIST: tests/model/test_benchmarks_canvas_on_mnist.py.)"""

from __future__ import annotations

import pytest

from benchmarks import canvas as bc


@pytest.mark.parametrize("argv", [["--n", "3"], ["--train-size", "5"]])
def test_main_refuses_silly_sizes_with_a_sentence(argv, capsys):
    with pytest.raises(SystemExit) as e:
        bc.main(argv)
    assert e.value.code == 2 and "must be at least" in capsys.readouterr().err


@pytest.mark.parametrize("argv, says", [(["--models", "plain,best"], "must name some of"),
                                        (["--limit", "-1"], "at least 0"),
                                        (["--per-cell", "-2"], "at least 0")])
def test_main_refuses_unknown_models_and_negative_limits(argv, says, capsys):
    with pytest.raises(SystemExit) as e:
        bc.main(argv)
    assert e.value.code == 2 and says in capsys.readouterr().err


def test_the_benchmarked_presets_are_the_apps_and_augment_rows_have_a_plain_twin():
    for name, key in bc.PRESET_IDS.items():
        assert bc.MODELS[name] == bc.presets()[key]
    for name, config in bc.MODELS.items():
        if config.augment:  # its twin: the same model on MNIST alone (no augmentation, no
            # printed digits), so the table shows what the added training rows bring
            assert config.replace(augment=False, printed=0) in bc.MODELS.values(), name


def test_the_screen_trains_on_half_the_tuning_faces_and_reads_the_other_half():
    from benchmarks import canvas_screen as cs
    from digitlab.data import unseen

    a, b = set(cs.FACES_A), set(cs.FACES_B)
    assert not a & b and a | b == {f.name for f in unseen.faces("tuning")}


def test_the_screens_own_variant_holds_out_training_digits_never_printed_ones(digit_split):
    import numpy as np

    from benchmarks import canvas_screen as cs
    from digitlab.model import solvers
    from digitlab.model.config import TrainConfig
    from digitlab.training import fitting

    X_train, _, y_train, _ = digit_split
    n_own, n_printed = 1000, 300
    X = np.concatenate([X_train[:n_own], np.full((n_printed, 784), 255, np.uint8)])
    y = np.concatenate([y_train[:n_own], np.arange(n_printed) % 10]).astype(y_train.dtype)
    config = TrainConfig(printed=n_printed)
    solver = solvers.get(config.solver)
    k = round(0.1 * len(y))  # the fast solver's held-out tenth, at the end of its order
    printed = lambda rows: (rows == 255).all(axis=1)  # noqa: E731  (no digit is all ink)
    *_, rows, _ = fitting._features(config, solver, X, y, 28, None, None)
    assert printed(rows[-k:]).any()  # the library's order: printed digits among them
    with cs._held_out(True, n_printed):
        *_, ys, rows, _ = fitting._features(config, solver, X, y, 28, None, None)
    assert not printed(rows[-k:]).any() and printed(rows[:-k]).sum() == n_printed
    assert sorted(map(tuple, np.c_[rows, ys])) == sorted(map(tuple, np.c_[X, y]))  # same rows
    assert fitting._row_order(5, 0).tolist() == np.random.default_rng(0).permutation(5).tolist()


def test_a_screened_variant_fits_with_its_own_patience_least_epochs_and_stroke():
    from benchmarks import canvas_screen as cs
    from digitlab.data import augment
    from digitlab.model import solvers

    v = cs.Variant(cs.VARIANTS[cs.TODAY].config, patience=3, min_epochs=5, stroke=0.6)
    with cs._as_screened(v, 0):
        est = solvers.get(solvers.FAST).build(v.config)
        assert (est.n_iter_no_change, est.min_epochs) == (3, 5)
        assert augment.batch_source.keywords["a"] == augment.Augmentation(stroke=0.6)
    # and outside it, the library's own
    est = solvers.get(solvers.FAST).build(v.config)
    assert (est.n_iter_no_change, est.min_epochs) == (1, 1)
    assert augment.batch_source.__defaults__[-1] == augment.DEFAULT


def test_the_screens_rule_counts_seed_2_only_when_it_finished_by_the_deadline(tmp_path):
    import json

    from benchmarks import canvas_screen as cs

    def row(v, seed, redrawn, utc="2026-12-04T20:30:00Z"):
        return {"variant": v, "seed": seed, "clean": 0.979, "re-drawn": redrawn,
                "printed": 0.93, "writers": 0.83, "fit_cpu": 50.0, "epochs": 5,
                "kept_epoch": 4, "utc": utc}

    for seed, late in ((0, ""), (1, ""), (2, "2026-12-04T21:30:00Z")):
        rows = [row(v, seed, 0.950 + (0.01 if v == "min5" and seed < 2 else 0))
                for v in cs.VARIANTS]
        if late:
            rows[-1]["utc"] = late
        (tmp_path / f"screen-seed{seed}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows))
    said = cs.decide(tmp_path)
    assert "seeds used: [0, 1]" in said and said.endswith("chosen: min5")
    said = cs.decide(tmp_path, deadline="2026-12-04T22:00:00Z")  # seed 2 counts: +0.0067 only
    assert "seeds used: [0, 1, 2]" in said and said.endswith("chosen: min5")
