"""What the commands share: messages on stderr, the data they load, progress while a fit runs,
options that are numbers, and files they write.

Errors a user can cause end as one sentence on stderr and exit code 2 (digitlab.cli.main
catches the library's own kinds and CommandError); a traceback means a bug.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from digitlab import data
from digitlab.training import ProgressEvent


class CommandError(Exception):
    """Something the user asked for that cannot be done; the message says what and why."""


def err(msg: str) -> None:
    print(f"digitlab: {msg}", file=sys.stderr)


def progress_printer(fraction: float, message: str) -> None:
    print(f"[{fraction:>4.0%}] {message}", file=sys.stderr, flush=True)


@contextmanager
def ticker(label: str, every: float = 10.0, estimate: float | None = None):
    """Print elapsed time to stderr every `every` seconds while a one-call fit runs
    (scikit-learn's solvers give no callback). With `estimate`, also an estimated share done."""
    stop = threading.Event()
    t0 = time.perf_counter()

    def run() -> None:
        while not stop.wait(every):
            el = time.perf_counter() - t0
            extra = (f", about {min(el / estimate, 0.99):.0%} of the expected "
                     f"{estimate / 60:.0f} min") if estimate else ""
            print(f"  {label}: {el:,.0f} s elapsed{extra}", file=sys.stderr, flush=True)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        yield
    finally:
        stop.set()
        th.join()


def load() -> data.Dataset:
    """MNIST from wherever it can be had, saying on stderr where it came from."""
    ds = data.load_mnist(progress=progress_printer)
    for note in ds.notes:
        print(f"  {note}", file=sys.stderr)
    if not ds.is_mnist:
        err(f"WARNING: MNIST is unavailable; using {ds.describe()}")
    return ds


def print_event(ev: ProgressEvent) -> None:
    parts = [f"  iter {ev.iteration}/{ev.max_iter}", f"{ev.elapsed:6.1f} s"]
    if ev.loss is not None:
        parts.append(f"loss {ev.loss:.4f}")
    if ev.val_accuracy is not None:
        parts.append(f"held-out acc {ev.val_accuracy:.4f}")
    if ev.message:
        parts.append(ev.message)
    print("  ".join(parts), file=sys.stderr, flush=True)


def number(text: str) -> float:
    """A float, "inf" included; its sign and range are TrainConfig's to check, with a sentence."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(v):
        raise argparse.ArgumentTypeError("must be a number, not nan")
    return v


def write(path: str | Path, content: bytes) -> Path:
    """Write `content` to `path`; a folder that is missing or read-only is a CommandError."""
    path = Path(path)
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"could not write {path}: {exc.strerror or exc}") from None
    return path
