"""digitlab.data.typeset: printed training digits come from the benchmark's tuning typefaces
only (the report typefaces stay unseen), are MNIST rows the model can train on, and join the
training rows when a config asks for them."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data import typeset, unseen
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.training import fitting


def test_a_report_typeface_is_refused():
    report = unseen.faces("report")
    for faces in (report, report[:1], (*unseen.faces("tuning"), report[0])):
        with pytest.raises(ValueError, match="must stay unseen"):
            typeset.render(2, faces=faces)
    forged = unseen.Face(report[0].kind, report[0].name, "tuning")  # a report face relabelled
    with pytest.raises(ValueError, match="must stay unseen"):
        typeset.render(2, faces=[forged])
    with pytest.raises(ValueError, match="no typeface"):
        typeset.render(2, faces=())
    with pytest.raises(ValueError, match="multiple"):  # parts join only at whole chunks
        typeset.render(typeset.CHUNK + 2, start=3)


def test_training_digits_are_drawn_in_tuning_typefaces_only(monkeypatch):
    seen = []
    glyph = unseen.glyph

    def spy(face, digit, rng, pen=None):
        seen.append(face)
        return glyph(face, digit, rng, pen)

    monkeypatch.setattr(unseen, "glyph", spy)
    tuning = unseen.faces("tuning")
    X, y = typeset.render(len(tuning) + 2)  # every tuning face once, two of them twice
    assert {f.part for f in seen} == {typeset.TRAIN_PART} == {"tuning"}
    assert set(seen) == set(tuning)
    assert not {f.name for f in seen} & {f.name for f in unseen.faces("report")}
    assert X.shape == (len(y), 784) and X.dtype == np.uint8 and len(y) >= len(seen) - 1
    # faces in turn, then the next digit: the first round is all zeros, then ones
    assert list(y[:len(tuning)]) == [0] * len(tuning)


def test_rows_are_mnist_like_and_repeat_with_their_seed():
    X, y = typeset.render(3, seed=5)
    X2, y2 = typeset.render(3, seed=5)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    img = X.reshape(-1, 28, 28).astype(float)
    assert (img.max(axis=(1, 2)) > 200).all()  # real ink
    # framed as MNIST: nothing outside the central 20 px box's reach, mass near (14, 14)
    assert img[:, :2].sum() == 0 and img[:, -2:].sum() == 0
    rows = np.arange(28)
    cy = (img.sum(axis=2) * rows).sum(axis=1) / img.sum(axis=(1, 2))
    assert np.all(np.abs(cy - 14) < 1.5)


def test_random_looks_stay_in_the_grid_ranges():
    rng = np.random.default_rng(0)
    looks = [typeset.random_look(rng) for _ in range(200)]
    assert all(typeset.SIZE[0] <= lk.size <= typeset.SIZE[1] for lk in looks)
    assert all(lk.width is not None and lk.width <= typeset.MAX_PEN_SHARE * lk.size * 280 + 1e-9
               for lk in looks)
    scans = [lk.scan for lk in looks]
    assert None in scans and any(s is not None for s in scans)


def test_printed_is_a_checked_setting():
    assert TrainConfig().printed == 0
    for bad in (-1, 2.5, "10", True, 10**9):
        with pytest.raises(ConfigError, match="printed"):
            TrainConfig(printed=bad)
    assert TrainConfig.from_dict({"printed": 100}).printed == 100


def test_printed_rows_join_the_training_rows(monkeypatch):
    Xp, yp = np.full((4, 784), 7, np.uint8), np.arange(4)
    monkeypatch.setattr(typeset, "rows", lambda n, seed=0: (Xp[:n], yp[:n]))
    X, y = np.zeros((5, 784), np.uint8), np.arange(5) % 2
    same = fitting.with_printed(TrainConfig(), X, y, 28)
    assert same[0] is X and same[1] is y
    Xj, yj = fitting.with_printed(TrainConfig(printed=3), X, y, 28)
    assert Xj.shape == (8, 784) and np.array_equal(Xj[5:], Xp[:3])
    assert list(yj) == [0, 1, 0, 1, 0, 0, 1, 2]
    with pytest.raises(ConfigError, match="28x28"):
        fitting.with_printed(TrainConfig(printed=3), X[:, :64], y, 8)
