"""`python -m digitlab ...` (installed: `digitlab ...`): one module per command, in one table.

    fetch      get MNIST and cache it; prints where it came from
    train      fit a model on the tutorial's split, report it, save it
    notebook   a run's settings as a Jupyter notebook of the tutorial's steps
    predict    classify image files with a saved model
    sweep      train and test accuracy along a grid, on local cores or a Dask cluster
    classset   the app's class set: info, export, import
    reproduce  the tutorial end to end, beside its published results
    shared     what the commands share: messages, loading the data, number options, writing

A command module has HELP, add_arguments(parser) and command(args) -> exit code; adding a
command is one module and one entry in COMMANDS. Benchmarks live in benchmarks/.

Errors a user can cause (a bad setting, no data, an unreadable file) end as one sentence on
stderr and exit code 2; a traceback here means a bug.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitlab.classroom import ClassFileError, ClassSetError, ClassTrainError
from digitlab.cli import classset, fetch, notebook, predict, reproduce, sweep, train
from digitlab.cli.shared import CommandError, err
from digitlab.data import DataError
from digitlab.model import ConfigError

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = {"fetch": fetch, "train": train, "notebook": notebook, "predict": predict,
            "sweep": sweep, "classset": classset, "reproduce": reproduce}
# What a user can cause, said as the exception's own sentence (exit code 2).
USER_ERRORS = (ConfigError, DataError, ClassFileError, ClassSetError, ClassTrainError,
               CommandError)


def build_parser() -> argparse.ArgumentParser:
    installed = Path(sys.argv[0]).name == "digitlab"  # the console script, not python -m
    p = argparse.ArgumentParser(prog="digitlab" if installed else "python -m digitlab",
                                description="Multinomial logistic regression on MNIST.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        c = sub.add_parser(name, help=module.HELP)
        module.add_arguments(c)
        c.set_defaults(func=module.command)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command, as typed after `python -m digitlab`; returns the exit code (the
    console script `digitlab` passes it to sys.exit)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sweep"]:
        argv = sweep.glue_lists(argv)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        err(str(exc))
        return 2
    except KeyboardInterrupt:
        err("stopped.")
        return 130
