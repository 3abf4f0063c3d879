"""Class set files: .npz and IDX round trips (through the store too), the CLI's folder of IDX
files, and the files an import must refuse, each with a sentence."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from digitlab.classroom import classfiles
from digitlab.classroom.classfiles import ClassDigits, ClassFileError, read_set
from digitlab.classroom.classset import ClassSet
from digitlab.data import sources


@pytest.fixture
def digits(rng) -> ClassDigits:
    X = rng.integers(0, 256, (12, 784), dtype=np.uint8)
    return ClassDigits.of(X, np.arange(12) % 10, [f"kid {i}" for i in range(12)],
                          ["5b"] * 6 + ["5c"] * 6)


def same(a: ClassDigits, b: ClassDigits) -> bool:
    return (np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) and a.X.dtype == b.X.dtype
            and a.y.dtype == b.y.dtype)


def test_npz_round_trip_keeps_pixels_labels_names_and_groups(digits):
    back = read_set(classfiles.to_npz(digits))
    assert same(back, digits) and back.names == digits.names and back.groups == digits.groups


def test_idx_round_trip_and_the_files_are_mnist_idx(digits, tmp_path):
    data = classfiles.to_idx_zip(digits)
    assert same(read_set(data), digits)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(tmp_path)
    # the same reader that reads MNIST's own IDX files reads ours
    images = sources.read_idx(tmp_path / classfiles.IMAGES_IDX)
    assert images.shape == (12, 28, 28) and np.array_equal(images.reshape(12, -1), digits.X)
    assert np.array_equal(sources.read_idx(tmp_path / classfiles.LABELS_IDX), digits.y)
    assert same(classfiles.load_set(tmp_path), digits)  # a folder of the two files (the CLI)


def test_export_then_import_into_another_store(digits, tmp_path):
    a, b = ClassSet(tmp_path / "a.db"), ClassSet(tmp_path / "b.db")
    a.add_many(digits.X, digits.y, digits.names, digits.groups)
    for write in (classfiles.to_npz, classfiles.to_idx_zip):
        got = read_set(write(classfiles.from_store(a)))
        assert same(got, digits)
    got = read_set(classfiles.to_npz(classfiles.from_store(a)))
    assert b.add_many(got.X, got.y, got.names, got.groups) == (12, 0)
    assert same(classfiles.from_store(b), digits)
    assert [r.name for r in b.records()][::-1] == list(digits.names)
    assert b.add_many(got.X, got.y) == (0, 12)  # importing it again adds nothing


def test_28x28_images_and_other_integer_types_are_accepted(digits):
    buf = io.BytesIO()
    np.savez(buf, X=digits.X.reshape(-1, 28, 28).astype(np.int64), y=digits.y.astype(np.int32))
    assert same(read_set(buf.getvalue()), digits)


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


X5 = np.zeros((5, 784), np.uint8)
Y5 = np.arange(5)


@pytest.mark.parametrize("data, says", [
    (b"", "not a class set file"),
    (b"hello, this is text", "not a class set file"),
    (b"PK\x03\x04 but then nothing", "damaged"),
    (npz(X=X5), "no X and y"),
    (npz(X=X5, y=np.arange(4)), "5 images but 4 labels"),
    (npz(X=np.zeros((5, 20, 20), np.uint8), y=Y5), "28 x 28"),
    (npz(X=X5, y=np.array([0, 1, 2, 3, 10])), "labels must lie in 0-9"),
    (npz(X=X5, y=-Y5), "labels must lie in 0-9"),
    (npz(X=X5.astype(float), y=Y5), "pixels must be whole numbers"),
    (npz(X=X5.astype(np.int16) + 300, y=Y5), "pixels must lie in 0-255"),
    (npz(X=X5, y=Y5.reshape(5, 1)), "one list"),
    (npz(X=np.zeros((0, 784), np.uint8), y=np.arange(0)), "no digits"),
    (npz(X=X5, y=Y5, names=np.array(["a"] * 4)), "names must be 5 pieces of text"),
])
def test_bad_files_are_refused_with_a_sentence(data, says):
    with pytest.raises(ClassFileError, match=says):
        read_set(data)


def test_a_pickled_object_array_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            import os
            return (os.system, (f"touch {marker}",))

    buf = io.BytesIO()
    np.savez(buf, X=np.array([Evil()], dtype=object), y=np.arange(1))
    with pytest.raises(ClassFileError, match="could not be read safely"):
        read_set(buf.getvalue())
    assert not marker.exists()


def test_too_many_digits_and_too_big_files_are_refused(monkeypatch):
    monkeypatch.setattr(classfiles, "MAX_DIGITS", 3)
    with pytest.raises(ClassFileError, match="at most 3"):
        read_set(npz(X=X5, y=Y5))
    monkeypatch.setattr(classfiles, "MAX_FILE_BYTES", 100)
    with pytest.raises(ClassFileError, match="at most"):
        read_set(npz(X=X5, y=Y5))


@pytest.mark.parametrize("header", [b"{'descr': '|u1', 'shape': (5, 784", b"{'descr': ]"])
def test_a_garbled_npy_header_is_a_sentence(header):
    # numpy parses the header as Python: an unclosed bracket raised tokenize.TokenError (numpy
    # 2.4), a stray one SyntaxError; both escaped the refusal until test_props_hostile found it
    padded = header + b" " * (63 - len(header) - 10) + b"\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("X.npy", b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little") + padded)
    with pytest.raises(ClassFileError, match="could not be read safely"):
        read_set(buf.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("X.npy", b"\0" * 200_000_000)  # 200 MB of zeros, ~200 kB packed
    assert len(buf.getvalue()) < 1_000_000
    with pytest.raises(ClassFileError, match="unpacks to more"):
        read_set(buf.getvalue())


def idx_zip(**files: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("files, says", [
    ({"images": classfiles.idx_bytes(np.zeros((3, 28, 28)))}, "both an IDX image file"),
    ({"a": classfiles.idx_bytes(np.zeros(3)), "b": classfiles.idx_bytes(np.zeros(3))},
     "not the one IDX"),
    ({"readme.txt": b"hello"}, "not the one IDX"),
    ({"images": classfiles.idx_bytes(np.zeros((3, 28, 28)))[:100],
      "labels": classfiles.idx_bytes(np.zeros(3))}, "its header says 3x28x28"),
    ({"images": classfiles.idx_bytes(np.zeros((3, 28, 28))),
      "labels": classfiles.idx_bytes(np.zeros(4))}, "3 images but 4 labels"),
])
def test_bad_idx_zips_are_refused_with_a_sentence(files, says):
    with pytest.raises(ClassFileError, match=says):
        read_set(idx_zip(**files))


def test_a_header_that_claims_billions_of_pixels_is_refused_cheaply():
    lie = bytes([0, 0, 8, 3]) + (100_000).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    with pytest.raises(ClassFileError, match="header says"):
        classfiles.parse_idx(lie + b"\0" * 784)


def test_load_set_says_when_there_is_no_file(tmp_path):
    with pytest.raises(ClassFileError, match="no file"):
        classfiles.load_set(tmp_path / "missing.npz")
