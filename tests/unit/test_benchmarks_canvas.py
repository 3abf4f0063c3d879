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

    v = cs.Variant(cs.ROUND4["today"].config, patience=3, min_epochs=5, stroke=0.6)
    with cs._as_screened(v, 0):
        est = solvers.get(solvers.FAST).build(v.config)
        assert (est.n_iter_no_change, est.min_epochs) == (3, 5)
        assert augment.batch_source.keywords["a"] == augment.Augmentation(stroke=0.6)
    # and outside it, the library's own
    est = solvers.get(solvers.FAST).build(v.config)
    assert (est.n_iter_no_change, est.min_epochs) == (1, 1)
    assert augment.batch_source.__defaults__[-1] == augment.DEFAULT


def test_a_screened_variant_builds_its_own_rbf_landmarks_and_width():
    import numpy as np

    from benchmarks import canvas_screen as cs
    from digitlab.model import features

    v = cs.ROUND5["rbf-w4"]
    Z = np.random.default_rng(0).random((50, 16))

    def kernel(variant):
        with cs._as_screened(variant, 0):
            return features.build(v.config, Z).named_steps["kernel"]

    wide, screened = kernel(cs.Variant(v.config, components=30, width=4.0)), kernel(
        cs.Variant(v.config))
    library = features.build(v.config, Z).named_steps["kernel"]
    assert wide.n_components == 30 and screened.n_components == min(cs.RBF_COMPONENTS, 50)
    assert wide.gamma == pytest.approx(4.0 / cs.RBF_WIDTH * screened.gamma)
    # the rounds' own width (2), whatever the library's is now
    assert library.gamma == pytest.approx(features.RBF_WIDTH / cs.RBF_WIDTH * screened.gamma)


def test_the_screens_printed_digits_grow_by_chunks_into_the_longer_render(tmp_path, monkeypatch):
    import numpy as np

    from benchmarks import canvas_screen as cs
    from digitlab.data import typeset

    calls = []

    def render(n, seed, faces, start=0):  # digit i is a row of i % 256; every 7th comes out empty
        calls.append((n, start))
        keep = [i for i in range(start, n) if i % 7]
        return (np.array([[i % 256] * 784 for i in keep], np.uint8).reshape(-1, 784),
                np.array([i % 10 for i in keep], np.int64))

    monkeypatch.setattr(typeset, "render", render)
    whole, part = render(2 * typeset.CHUNK, 0, ()), render(typeset.CHUNK, 0, ())
    first = cs._printed_a(typeset.CHUNK, 0, tmp_path)
    longer = cs._printed_a(2 * typeset.CHUNK, 0, tmp_path)
    assert all(np.array_equal(a, b) for a, b in zip(first, part))
    assert all(np.array_equal(a, b) for a, b in zip(longer, whole))
    assert calls[-1] == (2 * typeset.CHUNK, typeset.CHUNK)  # only the new chunk rendered
    assert cs._printed_a(typeset.CHUNK + 10, 0, tmp_path)[0].shape == longer[0].shape  # kept
    assert calls[-1] == (2 * typeset.CHUNK, typeset.CHUNK)


def test_the_screens_rule_counts_rows_written_by_the_deadline_and_needs_both_seeds(tmp_path):
    import json

    from benchmarks import canvas_screen as cs

    ok, late = "2026-12-05T05:30:00Z", "2026-12-05T05:40:00Z"
    a, b, dear = "fat5000-pen5", "fat10000", "fat10000-pen5"
    assert {cs.TODAY, a, b, dear} <= set(cs.VARIANTS)

    def row(v, seed, redrawn, utc=ok, **more):
        return {"variant": v, "seed": seed, "clean": 0.979, "re-drawn": redrawn,
                "printed": 0.93, "writers": 0.83, "fit_cpu": 20.0, "epochs": 5,
                "kept_epoch": 4, "utc": utc,
                "cells": {f: [redrawn] * 27 for f in ("re-drawn", "printed", "writers")}, **more}

    def write(rows):
        for seed, rs in rows.items():
            (tmp_path / f"screen-seed{seed}.jsonl").write_text(
                "".join(json.dumps(r) + "\n" for r in rs))

    rows = {s: [row(v, s, 0.950 + 0.01 * (v == b) + 0.04 * (v == a) * (s == 0),
                    utc=late if (v, s) == (a, 1) else ok) for v in cs.VARIANTS]
            for s in (0, 1)}
    for seed in (0, 1):  # the dearest: the best re-drawn, but over the budget
        rows[seed][-1].update({"fit_cpu": 61.0, "re-drawn": 0.99})
    write(rows)
    said = cs.decide(tmp_path)  # a's seed 1 came after the deadline: not counted
    assert "seeds used: [0, 1]" in said and f"not counted: {a}" in said
    assert said.endswith(f"best eligible: {b}; chosen: {b}")
    assert f"{b:<{max(10, len(b))}} re-drawn  0.960" in said  # its factor table (the cells' mean)
    said = cs.decide(tmp_path, deadline="2026-12-05T06:00:00Z")  # now a counts: 0.970
    assert said.endswith(f"best eligible: {a}; chosen: {a}")
    # within 0.002 of the best re-drawn is a tie, and the cheaper fit is chosen
    for seed in (0, 1):
        for r in rows[seed]:
            if r["variant"] == a:
                r.update({"utc": ok, "re-drawn": 0.9615, "fit_cpu": 30.0})
    write(rows)
    said = cs.decide(tmp_path)  # a 0.9615 at 30 s ties with b 0.960 at 20 s: b
    assert "tied within 0.002" in said and said.endswith(f"best eligible: {b}; chosen: {b}")
    rows[1] = [dict(r, printed=0.90) if r["variant"] != cs.TODAY else r for r in rows[1]]
    write(rows)
    said = cs.decide(tmp_path)  # printed 0.915 on the mean: none eligible, today's stays
    assert said.endswith(f"best eligible: {cs.TODAY}; chosen: {cs.TODAY}")
    # a gain under 0.005 keeps today's preset
    rows = {s: [row(v, s, 0.950 + 0.004 * (v == b)) for v in cs.VARIANTS] for s in (0, 1)}
    write(rows)
    assert cs.decide(tmp_path).endswith(f"best eligible: {b}; chosen: {cs.TODAY}")


def test_the_screens_fat_pen_digits_are_training_digits_redrawn_fat_and_join_the_printed_ones(
        digit_split, tmp_path):
    import numpy as np

    from benchmarks import canvas_screen as cs
    from digitlab.data import preprocess

    X_train, _, y_train, _ = digit_split
    X, y = cs.fat_rows(6, 0, tmp_path, X_train[:40], y_train[:40])
    assert X.shape == (6, 784) and X.dtype == np.uint8 and len(y) == 6
    assert set(map(int, y)) <= set(map(int, y_train[:40]))
    again = cs.fat_rows(6, 0, tmp_path, X_train[:0], y_train[:0])  # kept: not drawn again
    assert np.array_equal(again[0], X) and np.array_equal(again[1], y)
    # what the Draw page makes of a fat pen: its strokes evened back toward MNIST's
    fractions = [preprocess.stroke_fraction(r.reshape(28, 28)) for r in X]
    assert all(0.05 < f < 0.25 for f in fractions), fractions
    printed = (np.full((5, 784), 7, np.uint8), np.arange(5))
    rows = cs._with_fat(printed, (X, y))
    Xr, yr = rows(3, 0)
    assert np.array_equal(Xr, np.concatenate([printed[0][:3], X]))
    assert yr.tolist() == [0, 1, 2, *map(int, y)]
    assert cs._with_fat(printed, None)(3)[0].shape == (3, 784)
    # round seven's fatter pens: kept apart from the default pens' rows, and fatter
    fat5 = cs.fat_rows(6, 0, tmp_path, X_train[:40], y_train[:40], cs.PEN5)
    assert (tmp_path / "fat-6-0-pen2.5-5.npz").exists() and not np.array_equal(fat5[0], X)
    assert sum(map(int, (fat5[0] > 127).sum(axis=1))) >= 0.9 * sum(
        map(int, (X > 127).sum(axis=1)))  # to_mnist evens pens, so not much more ink
