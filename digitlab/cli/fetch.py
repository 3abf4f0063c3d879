"""The `fetch` command: get MNIST and cache it; prints where it came from."""

from __future__ import annotations

import argparse

from digitlab import data
from digitlab.cli.shared import err, progress_printer

HELP = "get MNIST and cache it; prints where it came from"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", nargs="+", default=["auto"], metavar="SOURCE",
                   help="auto (the default: each in turn) | " + " | ".join(
                       f"{s.name} PATH" if s.needs_path else s.name
                       for s in data.SOURCES.values()))


def command(args) -> int:
    name, *rest = args.source
    path = rest[0] if rest else None
    source = data.SOURCES.get(name)
    if source is None and name != "auto":
        err(f"--source must be one of auto, {', '.join(data.SOURCES)}; got {name!r}")
        return 2
    if source is not None and source.needs_path and not path:
        err(f"--source {name} needs a folder: --source {name} PATH")
        return 2
    if (source is None or not source.needs_path) and rest:
        err(f"--source {name} takes no path")
        return 2
    ds = data.load_mnist(name, idx_path=path, progress=progress_printer, allow_fallback=False)
    for note in ds.notes:
        print(f"  {note}")
    print(ds.describe())
    if ds.is_mnist:
        print(data.cache_status())
    return 0
