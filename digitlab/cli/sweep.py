"""The `sweep` command: its options, how they become a SweepSpec, its run and its table.

    python -m digitlab sweep --C 0.001,0.01,0.1,1,10 [--l1-ratio 0,0.5] [--train-size N]
                             [--train-sizes 500,5000 --C 1] [--solver lbfgs,sag]
                             [--deskew off|on|both] [--scheduler ADDRESS] [--jobs N]
                             [--json] [--csv PATH] [--png PATH]

A list given to --l1-ratio, --solver or --deskew both draws one curve per value (one of them
at a time); --train-sizes turns the sweep into a learning curve at one C.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from digitlab import data
from digitlab.cli.shared import load, number, write
from digitlab.model import SCALINGS, ConfigError, solvers
from digitlab.sweeps import BASE, DEFAULT_CS, SweepResult, SweepSpec, Where, parse_list, plan
from digitlab.sweeps import run as sweep_run

HELP = ("train and test accuracy along a grid of C (or of training sizes), on local cores or a "
        "Dask cluster")


def add_arguments(p: argparse.ArgumentParser) -> None:
    grid = ",".join(f"{c:g}" for c in DEFAULT_CS)
    p.add_argument("--C", help=f"values of C, comma-separated (default {grid}); one value with "
                               "--train-sizes")
    p.add_argument("--train-sizes", dest="train_sizes",
                   help="a learning curve instead: numbers of training images, e.g. "
                        "500,2000,10000,59500")
    p.add_argument("--l1-ratio", dest="l1_ratio",
                   help="0 = L2 (default), 1 = L1; a list draws one curve per value (L1 and "
                        "elastic net need saga, chosen for you when --solver is not given)")
    p.add_argument("--solver", help="lbfgs (default); a list draws one curve per solver; one of "
                                    + ", ".join(s for s in solvers.SOLVERS if s != solvers.FAST))
    p.add_argument("--deskew", choices=("off", "on", "both"), default="off",
                   help="straighten slanted digits; both = one curve each")
    p.add_argument("--train-size", dest="train_size", type=int,
                   help="fit on the first N training images (default: all 59,500)")
    p.add_argument("--tol", type=number, help=f"stopping tolerance (default {BASE.tol:g})")
    p.add_argument("--max-iter", dest="max_iter", type=int,
                   help=f"iteration limit per fit (default {BASE.max_iter})")
    p.add_argument("--scaling", help=f"one of: {', '.join(SCALINGS)}")
    p.add_argument("--seed", type=int)
    p.add_argument("--test-size", dest="test_size", type=float)
    p.add_argument("--cold", action="store_true",
                   help="start every fit from scratch (no warm starts along the grid; lbfgs "
                        "along C always starts cold, its fits side by side)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on this Dask scheduler (default: $DIGITLAB_DASK_SCHEDULER if set, "
                        "else local cores)")
    p.add_argument("--jobs", type=int, help="local fits at a time (default: one per core)")
    p.add_argument("--json", action="store_true",
                   help='print one JSON object with a "results" list')
    p.add_argument("--csv", metavar="PATH", help="also write the numbers as CSV")
    p.add_argument("--png", metavar="PATH", help="also write the figure as PNG")


LISTS = ("--C", "--l1-ratio", "--train-sizes")


def glue_lists(argv: list[str]) -> list[str]:
    """`--C -1,0.1` -> `--C=-1,0.1`: argparse takes a list starting with a minus for an option
    and would answer "expected one argument"; glued, the list reaches the check that says
    what is wrong with it."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in LISTS and arg.startswith("-") and arg[1:2] in "0123456789.,":
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def spec_from_args(args) -> tuple[SweepSpec, list[str]]:
    """The SweepSpec the options describe, and notes for the user (a choice made for them).
    Raises ConfigError with a sentence for a bad combination."""
    notes: list[str] = []
    fixed = {k: getattr(args, k) for k in ("train_size", "tol", "max_iter", "scaling", "seed",
                                           "test_size") if getattr(args, k) is not None}
    lists = {}
    if args.l1_ratio is not None:
        lists["l1_ratio"] = parse_list(args.l1_ratio, "l1_ratio")
    if args.solver is not None:
        lists["solver"] = tuple(s.strip() for s in args.solver.split(",") if s.strip())
        if not lists["solver"]:
            raise ConfigError(f"--solver needs at least one solver, e.g. lbfgs or lbfgs,sag; "
                              f"got {args.solver!r}.")
    lists["deskew"] = {"off": (False,), "on": (True,), "both": (False, True)}[args.deskew]
    many = [k for k, v in lists.items() if len(v) > 1]
    if len(many) > 1:
        raise ConfigError(f"Compare one setting at a time: {' and '.join(many)} both have "
                          "several values.")
    if "solver" not in lists and max(lists.get("l1_ratio", (0.0,))) > 0:
        lists["solver"] = ("saga",)
        notes.append("l1_ratio > 0 needs a solver that takes L1: using saga.")
    for k, v in lists.items():
        if len(v) == 1:
            fixed[k] = v[0]
    series = many[0] if many else None
    if args.train_sizes is not None:
        cs = parse_list(args.C, "C") if args.C is not None else (1.0,)
        if len(cs) != 1:
            raise ConfigError("A learning curve (--train-sizes) runs at one C; give --C a "
                              "single value, e.g. --C 1.")
        fixed["C"] = cs[0]
        x, values = "train_size", parse_list(args.train_sizes, "train_size")
        fixed.pop("train_size", None)
    else:
        x, values = "C", parse_list(args.C, "C") if args.C is not None else DEFAULT_CS
    base = BASE.replace(**fixed)
    return SweepSpec(x=x, values=values, series=series,
                     series_values=lists[series] if series else (), base=base,
                     warm_start=not args.cold), notes


def table(result: SweepResult) -> str:
    """The points as an aligned text table, the best one marked."""
    spec = result.spec
    best = result.best()
    head = [spec.x] + ([spec.series] if spec.series else []) + [
        "train acc", "test acc", "fit s", "iters", "start"]
    rows = []
    for p in result.points:
        rows.append([f"{p.x:g}"] + ([f"{p.series}"] if spec.series else []) + [
            f"{p.train_accuracy:.4f}", f"{p.test_accuracy:.4f}", f"{p.fit_seconds:.1f}",
            f"{p.n_iter}" + ("" if p.converged else " (max)"),
            "cold" if p.warm_from is None else f"from {p.warm_from:g}"])
        if p is best:
            rows[-1][-1] += "   <- best test accuracy"
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) + "  " + r[-1]
             for r in [head, *rows]]
    if result.stopped:
        lines.append(f"(stopped: {len(result.points)} of {result.planned} fits done)")
    return "\n".join(lines)


def command(args) -> int:
    """Run `python -m digitlab sweep` with its parsed `args`."""
    spec, notes = spec_from_args(args)
    where = Where.from_env(args.scheduler, args.jobs)
    ds = load()
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    X_train, X_test, y_train, y_test = data.split(ds.X, ds.y, spec.base.test_size, spec.base.seed)
    planned = len(spec.configs())
    print(f"sweeping {planned} fits on {where.describe()}", file=sys.stderr)
    done = []

    def progress(p) -> None:
        done.append(p)
        if not args.json:
            print(f"  [{len(done)}/{planned}] {spec.x}={p.x:g}: train {p.train_accuracy:.4f}, "
                  f"test {p.test_accuracy:.4f}, {p.fit_seconds:.1f} s", file=sys.stderr,
                  flush=True)

    stop = threading.Event()
    try:
        result = sweep_run.run(spec, X_train, y_train, X_test, y_test, where, ds.side,
                               on_point=progress, should_stop=stop.is_set)
    except KeyboardInterrupt:
        stop.set()  # the chains end before their next fit
        raise
    if args.csv:
        write(args.csv, result.to_csv().encode())
        print(f"wrote the numbers to {args.csv}", file=sys.stderr)
    if args.png:
        from digitlab.plots import sweep_figure, to_png  # matplotlib: only when asked

        write(args.png, to_png(sweep_figure(result)))
        print(f"wrote the figure to {args.png}", file=sys.stderr)
    if args.json:
        print(json.dumps({**result.summary(), "data": ds.describe()}))
        return 0
    print(f"data:    {ds.describe()}")
    print(f"ran on:  {result.where} ({plan.describe(spec, result.chains)}), "
          f"{result.seconds:.1f} s")
    for solver in result.solvers:
        print(f"rule:    {spec.stopping_rule(solver)}")
    print()
    print(table(result))
    return 0
