"""The sources without the real data: OpenML fails fast offline, the allow-list unpickler, IDX
errors, the 8x8 fallback and how `load_mnist` falls back to it. (The real MNIST, its hashes and
the cache's defences: tests/model/test_data_on_mnist.py.)"""

from __future__ import annotations

import os
import pickle
import time

import numpy as np
import pytest

from digitlab.data import mnist as data
from digitlab.data import sources


def test_openml_fails_fast_when_unreachable(monkeypatch):
    # A closed local port answers at once, like a machine without internet.
    monkeypatch.setattr(sources, "OPENML_HOST", "127.0.0.1")
    t0 = time.perf_counter()
    with pytest.raises(data.DataError, match="OpenML is unreachable"):
        sources.load_openml()
    assert time.perf_counter() - t0 < sources.OPENML_TIMEOUT_S + 1


@pytest.mark.parametrize("test_size, says", [(0.9999, "no training images"),
                                             (1e-9, None), (0.5, None)])
def test_a_split_that_leaves_a_part_empty_is_a_sentence(test_size, says):
    """TrainConfig checks that test_size is a fraction; how many images it leaves depends on
    the data (it was scikit-learn's ValueError)."""
    X, y = np.zeros((2000, 3)), np.arange(2000) % 10
    if says is None:
        X_train, X_test, _, _ = data.split(X, y, test_size)
        assert len(X_train) and len(X_test) and len(X_train) + len(X_test) == 2000
    else:
        with pytest.raises(data.DataError, match=says):
            data.split(X, y, test_size)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_allow_list_unpickler_refuses_a_pickle_that_calls_os_system(tmp_path):
    marker = tmp_path / "pwned"
    raw = pickle.dumps(_Evil(marker))
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        sources.safe_unpickle(raw)
    assert not marker.exists()


def test_allow_list_unpickler_rebuilds_arrays_exactly():
    k = np.arange(256, dtype=np.float64).reshape(16, 16)
    parts = tuple((np.asarray(k / 256, np.float32), np.arange(16, dtype=np.int64))
                  for _ in range(3))
    X, y = sources.mnist_from_pickle(pickle.dumps(parts, protocol=2))
    assert X.dtype == np.uint8 and X.shape == (48, 16)
    assert np.array_equal(X[:16], k.astype(np.uint8))
    assert y.dtype == np.uint8 and len(y) == 48


def test_truncated_idx_file_is_a_clear_error(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(bytes([0, 0, 8, 1]) + (100).to_bytes(4, "big") + b"\x01" * 10)
    with pytest.raises(data.DataError, match="truncated"):
        sources.read_idx(p)


def test_digits_fallback_is_never_called_mnist():
    ds = data.load_mnist("digits")
    assert not ds.is_mnist and ds.side == 8 and "NOT MNIST" in ds.detail
    assert ds.X.shape == (1797, 64) and ds.X.dtype == np.uint8 and ds.X.max() == 255


def test_when_every_source_fails_auto_falls_back_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))

    def fail(*a, **k):
        raise data.DataError("offline in this test")

    monkeypatch.setattr(sources, "load_openml", fail)
    monkeypatch.setattr(sources, "load_pypi", fail)
    ds = data.load_mnist()
    assert ds.name == "digits (8x8)"
    assert any("every MNIST source failed" in n for n in ds.notes)
    with pytest.raises(data.DataError, match="could not load MNIST"):
        data.load_mnist(allow_fallback=False)


def test_unknown_source_names_the_allowed_ones():
    with pytest.raises(ValueError, match="auto, cache, openml, pypi, idx, digits"):
        data.load_mnist("kaggle")
