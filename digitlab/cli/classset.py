"""The `classset` command: the class set the app keeps ($DIGITLAB_DB): what is in it, export it,
import a file, delete everything in it for good (`purge --yes`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitlab.classroom import ClassSet, Filter, from_store, load_set, privacy, to_idx_zip, to_npz
from digitlab.cli.shared import err, write

HELP = "the app's class set: info, export PATH, import PATH, purge --yes"


def add_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("action", choices=["info", "export", "import", "purge"])
    c.add_argument("path", nargs="?", metavar="PATH",
                   help="export: a .npz or .zip (IDX); import: a .npz, .zip or IDX folder")
    c.add_argument("--yes", action="store_true",
                   help="purge: yes, delete every digit in the class set for good")


def command(args) -> int:
    store = ClassSet()
    if args.action == "purge":
        if not args.yes:
            err(f"classset purge deletes every digit in {store.path} for good (no undo); "
                "add --yes to do it")
            return 2
        gone = store.purge()
        print(f"deleted {gone:,} digits from {store.path} for good")
        return 0
    if args.action == "info":
        X, y = store.arrays()
        print(f"class set: {store.path}")
        print(f"digits:    {len(y):,} ({store.count(Filter(fooled=True)):,} fooled "
              "the model that answered when they were saved)")
        print("per label: " + "  ".join(f"{d}:{int((y == d).sum())}" for d in range(10)))
        print(f"kept for:  {privacy.keep_days_from_env()} days (${privacy.KEEP_DAYS_ENV}); "
              "older digits are deleted when the app starts")
        return 0
    if not args.path:
        err(f"classset {args.action} needs a PATH")
        return 2
    if args.action == "export":
        path = Path(args.path)
        to_bytes = {".npz": to_npz, ".zip": to_idx_zip}.get(path.suffix)
        if to_bytes is None:
            err("export to a .npz file, or to a .zip of the two IDX files")
            return 2
        digits = from_store(store)
        write(path, to_bytes(digits))
        print(f"wrote {len(digits):,} digits to {path}")
        return 0
    digits = load_set(args.path)
    added, skipped = store.add_many(digits.X, digits.y, digits.names, digits.groups)
    print(f"added {added:,} digits to {store.path}"
          + (f" ({skipped:,} were there already)" if skipped else ""))
    return 0
