"""The `notebook` command: a run's settings as a Jupyter notebook that follows the tutorial's
steps and, run top to bottom, prints the accuracy `train` reports for the same options."""

from __future__ import annotations

import argparse
import sys

from digitlab.cli.shared import write
from digitlab.cli.train import add_settings, config_from_args
from digitlab.lab import notebook

HELP = "write a Jupyter notebook of a run (the train command's options)"


def add_arguments(t: argparse.ArgumentParser) -> None:
    t.add_argument("--out", required=True, metavar="FILE.ipynb",
                   help=f"where to write the notebook (e.g. {notebook.FILE})")
    add_settings(t)


def command(args) -> int:
    cfg = config_from_args(args)  # every value checked, with a sentence, as `train` does
    path = write(args.out, notebook.notebook_json(cfg).encode())
    print(f"wrote {path}: {cfg}", file=sys.stderr)
    print(f"open it in Jupyter, or run every cell with: jupyter execute {path}",
          file=sys.stderr)
    return 0
