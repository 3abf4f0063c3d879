"""A class set as a file to share: NumPy's .npz, or MNIST's IDX format (two files, zipped).

    data = to_npz(digits)          # bytes: X (n, 784) uint8, y (n,) uint8, names, groups
    data = to_idx_zip(digits)      # bytes: a zip of class-images-idx3-ubyte, -labels-idx1-ubyte
    digits = read_set(data)        # either of them back, checked; ClassFileError if not

Both feed `python -m digitlab train --add-set PATH` (a folder of the two IDX files works too).

A file to import may come from anyone, so `read_set` trusts nothing: a size limit before
anything is read, zip members listed and sized before they are opened (no zip bombs), NumPy's
loader without pickle (no code runs), then shapes, pixel type and labels checked. Whatever is
refused is refused with a sentence that says what a good file holds.
"""

from __future__ import annotations

import io
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.classroom.classset import MAX_DIGITS, MAX_TEXT, PIXELS, ClassSet, clean_text
from digitlab.text import N_

FORMAT = "digitlab-classset-1"
MAX_FILE_BYTES = 20_000_000  # 50k MNIST-like digits pack into ~8 MB (.npz or zipped IDX)
IMAGES_IDX = "class-images-idx3-ubyte"
LABELS_IDX = "class-labels-idx1-ubyte"
_IDX_MAGIC = {3: b"\x00\x00\x08\x03", 1: b"\x00\x00\x08\x01"}  # unsigned bytes, 3 or 1 dims
GOOD_FILE = N_("A class set file is a DigitLab export: an .npz with X (n, 784 or n, 28, 28) "
               "uint8 pixels and y (n,) labels 0-9, or a .zip of two MNIST IDX files (images and "
               "labels).")


class ClassFileError(ValueError):
    """A file that is not a class set DigitLab can use; the message says why."""


@dataclass(frozen=True)
class ClassDigits:
    """Digits to share: 28x28 images as rows of 784 uint8 pixels (white ink on black, like
    MNIST), their labels, and optional names and groups (one per digit, "" when unknown)."""

    X: np.ndarray
    y: np.ndarray
    names: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray, names=None, groups=None) -> ClassDigits:
        n = len(y)
        return cls(np.asarray(X, dtype=np.uint8).reshape(n, PIXELS),
                   np.asarray(y, dtype=np.uint8), tuple(names or [""] * n),
                   tuple(groups or [""] * n))

    def __len__(self) -> int:
        return len(self.y)


# --- writing ---------------------------------------------------------------------------------


def to_npz(digits: ClassDigits) -> bytes:
    buf = io.BytesIO()
    width = max([1, *map(len, digits.names + digits.groups)])
    np.savez_compressed(buf, format=np.array(FORMAT), X=digits.X, y=digits.y,
                        names=np.array(digits.names, dtype=f"<U{width}"),
                        groups=np.array(digits.groups, dtype=f"<U{width}"))
    return buf.getvalue()


def idx_bytes(a: np.ndarray) -> bytes:
    """One IDX file of unsigned bytes: magic 0x0000 08 nd, nd big-endian sizes, the data."""
    a = np.ascontiguousarray(a, dtype=np.uint8)
    header = bytes([0, 0, 8, a.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    return header + a.tobytes()


def to_idx_zip(digits: ClassDigits) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(IMAGES_IDX, idx_bytes(digits.X.reshape(-1, 28, 28)))
        z.writestr(LABELS_IDX, idx_bytes(digits.y))
    return buf.getvalue()


# --- reading ---------------------------------------------------------------------------------


def read_set(data: bytes) -> ClassDigits:
    """A class set from the bytes of an .npz or of a zip of two IDX files (see the module doc)."""
    if len(data) > MAX_FILE_BYTES:
        raise ClassFileError(N_("The file is {value:.0f} MB; a class set file is at most "
                                "{max_file_bytes:.0f} MB.", value=len(data) / 1e6,
                                max_file_bytes=MAX_FILE_BYTES / 1e6))
    if not data.startswith(b"PK"):
        raise ClassFileError(N_("This is not a class set file. {good_file}", good_file=GOOD_FILE))
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: info for info in z.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ClassFileError(N_("The file is damaged (not a readable zip: {exc}). {good_file}",
                                exc=exc, good_file=GOOD_FILE)) from exc
    budget = MAX_DIGITS * (PIXELS + 2 * 4 * MAX_TEXT) + 1_000_000
    if sum(info.file_size for info in members.values()) > budget:
        raise ClassFileError(N_("The file unpacks to more than a class set holds (at most "
                                "{max_digits:,} digits).", max_digits=MAX_DIGITS))
    if members and all(name.endswith(".npy") for name in members):
        return _from_npz(data)
    return _from_idx_zip(z, members)


# What a damaged zip member raises while it is read (a bad CRC, a cut-short or corrupt stream),
# and what numpy's parser of a .npy header raises on a garbled one (SyntaxError, and from
# numpy 2.4 tokenize.TokenError on an unclosed bracket: found by test_props_hostile)
_DAMAGED = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, SyntaxError,
            tokenize.TokenError)


def _from_npz(data: bytes) -> ClassDigits:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files if k in ("X", "y", "names", "groups")}
    except _DAMAGED as exc:
        # allow_pickle=False refuses object arrays (they could run code) with a ValueError
        raise ClassFileError(N_("The .npz could not be read safely ({exc}). {good_file}", exc=exc,
                                good_file=GOOD_FILE)) from exc
    if "X" not in arrays or "y" not in arrays:
        raise ClassFileError(N_("The .npz has no X and y arrays. {good_file}",
                                good_file=GOOD_FILE))
    return checked(arrays["X"], arrays["y"], arrays.get("names"), arrays.get("groups"))


def _from_idx_zip(z: zipfile.ZipFile, members: dict) -> ClassDigits:
    found: dict[int, np.ndarray] = {}
    for name, info in members.items():
        try:
            with z.open(info) as f:
                head = f.read(4)
            nd = next((nd for nd, magic in _IDX_MAGIC.items() if head == magic), None)
            if nd is None or nd in found:
                raise ClassFileError(N_("The zip holds {name!r}, which is not the one IDX image "
                                        "file or label file expected. {good_file}",
                                        name=Path(name).name, good_file=GOOD_FILE))
            raw = z.read(info)
        except _DAMAGED as exc:
            raise ClassFileError(N_("The file is damaged ({name!r} cannot be read: {exc}). "
                                    "{good_file}", name=Path(name).name, exc=exc,
                                    good_file=GOOD_FILE)) from exc
        found[nd] = parse_idx(raw, name)
    if set(found) != {1, 3}:
        raise ClassFileError(N_("The zip needs both an IDX image file and an IDX label file. "
                                "{good_file}", good_file=GOOD_FILE))
    return checked(found[3], found[1])


def parse_idx(data: bytes, name: str = "the IDX file") -> np.ndarray:
    """An IDX file of unsigned bytes -> its array; refuses a header that lies about the size."""
    if len(data) < 4 or data[:3] != b"\x00\x00\x08" or not 1 <= data[3] <= 3:
        raise ClassFileError(N_("{name} is not an IDX file of unsigned bytes.", name=name))
    nd = data[3]
    if len(data) < 4 + 4 * nd:
        raise ClassFileError(N_("{name} is cut short in its header.", name=name))
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd)
    if body.size != int(np.prod(dims, dtype=np.int64)):
        raise ClassFileError(N_("{name} holds {size:,} bytes but its header says {shape}.",
                                name=name, size=body.size, shape='x'.join(map(str, dims))))
    return body.reshape(dims)


def checked(X: np.ndarray, y: np.ndarray, names=None, groups=None) -> ClassDigits:
    """Arrays from a file -> ClassDigits, or a sentence saying what is wrong with them."""
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise ClassFileError(N_("The labels must be one list (shape (n,)); got shape {shape}.",
                                shape=y.shape))
    n = len(y)
    if n == 0:
        raise ClassFileError(N_("The file holds no digits."))
    if n > MAX_DIGITS:
        raise ClassFileError(N_("The file holds {n:,} digits; a class set holds at most "
                                "{max_digits:,}.", n=n, max_digits=MAX_DIGITS))
    if X.ndim >= 1 and len(X) != n:
        raise ClassFileError(N_("The file holds {value:,} images but {n:,} labels; a class set "
                                "has one label per image.", value=len(X), n=n))
    if X.shape not in ((n, PIXELS), (n, 28, 28)):
        raise ClassFileError(N_("The images must be {n} x 784 or {n} x 28 x 28 pixels (one per "
                                "label); got shape {shape}.", n=n, shape=X.shape))
    for what, a, top in ((N_("pixels"), X, 255), (N_("labels"), y, 9)):
        if not np.issubdtype(a.dtype, np.integer) or a.dtype == bool:
            raise ClassFileError(N_("The {what} must be whole numbers; got {dtype}.", what=what,
                                    dtype=a.dtype))
        if a.min() < 0 or a.max() > top:
            raise ClassFileError(N_("The {what} must lie in 0-{top}; found {min}-{max}.",
                                    what=what, top=top, min=a.min(), max=a.max()))
    texts = []
    for what, values in ((N_("names"), names), (N_("groups"), groups)):
        if values is None:
            texts.append(None)
            continue
        values = np.asarray(values)
        if values.shape != (n,) or values.dtype.kind != "U":
            raise ClassFileError(N_("The {what} must be {n} pieces of text, one per digit.",
                                    what=what, n=n))
        texts.append([clean_text(v) for v in values.tolist()])
    return ClassDigits.of(X.astype(np.uint8), y.astype(np.uint8), *texts)


def load_set(path: str | Path) -> ClassDigits:
    """A class set from a file (.npz or .zip) or from a folder of two IDX files (the CLI)."""
    path = Path(path).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for p in files:
                with open(p, "rb") as f:
                    if f.read(4) in _IDX_MAGIC.values():
                        z.write(p, p.name)
        return read_set(buf.getvalue())
    if not path.is_file():
        raise ClassFileError(N_("There is no file at {path}.", path=path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ClassFileError(N_("{name} is larger than a class set file can be "
                                "({max_file_bytes:.0f} MB).", name=path.name,
                                max_file_bytes=MAX_FILE_BYTES / 1e6))
    return read_set(path.read_bytes())


def from_store(store: ClassSet) -> ClassDigits:
    """Every kept digit of a class set, oldest first, ready to write."""
    records = store.records()[::-1]
    if not records:
        return ClassDigits.of(np.zeros((0, PIXELS), np.uint8), np.zeros(0, np.uint8))
    return ClassDigits.of(np.stack([r.image28 for r in records]),
                          np.array([r.label for r in records], np.uint8),
                          [r.name for r in records], [r.group for r in records])
