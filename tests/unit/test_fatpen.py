"""digitlab.data.fatpen: fat-pen training digits are the training rows themselves re-drawn with a
fat pen and read as the Draw page reads a drawing; they repeat with their seed, are cached by
the rows they come from, and join the training rows after the printed digits."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data import fatpen, preprocess, typeset
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.training import fitting


def test_random_looks_are_fat_pens_over_the_grid_ranges():
    rng = np.random.default_rng(0)
    looks = [fatpen.random_look(rng) for _ in range(200)]
    assert all(typeset.SIZE[0] <= lk.size <= typeset.SIZE[1] for lk in looks)
    for lk in looks:
        assert lk.width is not None
        cap = typeset.MAX_PEN_SHARE * lk.size * 280
        # a fat pen, or as fat as the digit allows
        assert fatpen.PEN[0] * 10 - 1e-9 <= lk.width <= fatpen.PEN[1] * 10 + 1e-9 or \
            lk.width == pytest.approx(cap)
        assert lk.width <= cap + 1e-9
    assert None in {lk.scan for lk in looks} and any(lk.scan for lk in looks)


def test_rows_are_the_training_digits_redrawn_and_repeat_with_their_seed(digit_split, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    X_train, _, y_train, _ = digit_split
    X, y = fatpen.render(X_train[:50], y_train[:50], 6, seed=3)
    X2, y2 = fatpen.render(X_train[:50], y_train[:50], 6, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert X.shape == (6, 784) and X.dtype == np.uint8
    assert set(map(int, y)) <= set(map(int, y_train[:50]))
    # what the Draw page makes of a fat pen: strokes evened back toward MNIST's
    assert all(0.05 < preprocess.stroke_fraction(r.reshape(28, 28)) < 0.25 for r in X)
    assert fatpen.render(X_train[:4], y_train[:4], 10)[0].shape[0] <= 4  # never more than given


def test_rows_are_cached_by_the_rows_they_come_from(digit_split, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    X_train, _, y_train, _ = digit_split
    calls = []
    render = fatpen.render

    def spy(X, y, n, seed=0):
        calls.append(n)
        return render(X, y, n, seed)

    monkeypatch.setattr(fatpen, "render", spy)
    monkeypatch.setattr(fatpen, "_MEMO", {})
    a = fatpen.rows(X_train[:30], y_train[:30], 3, 0)
    b = fatpen.rows(X_train[:30], y_train[:30], 3, 0)
    assert calls == [3] and a is b and not a[0].flags.writeable
    fatpen.rows(X_train[1:31], y_train[1:31], 3, 0)  # other rows: drawn anew
    assert calls == [3, 3]
    monkeypatch.setattr(fatpen, "_MEMO", {})  # a restarted server: from the file, not drawn
    c = fatpen.rows(X_train[:30], y_train[:30], 3, 0)
    assert calls == [3, 3] and np.array_equal(c[0], a[0]) and np.array_equal(c[1], a[1])


def test_fat_pen_is_a_checked_setting_and_its_rows_join_after_the_printed_ones(monkeypatch):
    assert TrainConfig().fat_pen == 0
    for bad in (-1, 2.5, "10", True, 10**9):
        with pytest.raises(ConfigError, match="fat_pen"):
            TrainConfig(fat_pen=bad)
    Xp, yp = np.full((4, 784), 7, np.uint8), np.arange(4)
    Xf, yf = np.full((2, 784), 9, np.uint8), np.array([8, 9])
    monkeypatch.setattr(typeset, "rows", lambda n, seed=0: (Xp[:n], yp[:n]))
    monkeypatch.setattr(fatpen, "rows", lambda X, y, n, seed=0: (Xf[:n], yf[:n]))
    X, y = np.zeros((5, 784), np.uint8), np.arange(5) % 2
    Xj, yj = fitting.with_printed(TrainConfig(printed=3, fat_pen=2), X, y, 28)
    assert np.array_equal(Xj[5:8], Xp[:3]) and np.array_equal(Xj[8:], Xf)
    assert list(yj) == [0, 1, 0, 1, 0, 0, 1, 2, 8, 9]
    Xj, yj = fitting.with_printed(TrainConfig(fat_pen=2), X, y, 28)
    assert list(yj) == [0, 1, 0, 1, 0, 8, 9]
    with pytest.raises(ConfigError, match="28x28"):
        fitting.with_printed(TrainConfig(fat_pen=2), X[:, :64], y, 8)
