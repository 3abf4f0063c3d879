"""The `reproduce` command: the tutorial end to end, beside its published results."""

from __future__ import annotations

import argparse
import sys
import time

from digitlab.cli.shared import err, load
from digitlab.cli.train import fit_and_score
from digitlab.model import TrainConfig
from digitlab.training import tutorial

HELP = "the tutorial end to end, beside its published results"


def add_arguments(r: argparse.ArgumentParser) -> None:
    r.add_argument("--fast", action="store_true", help="DigitLab's fast setting instead (seconds)")


def command(args) -> int:
    ds = load()
    if not ds.is_mnist:
        err("reproduce needs MNIST; it is unavailable, so there is nothing to compare.")
        return 2
    if args.fast:
        cfg = TrainConfig()
        title = (f"DigitLab's fast setting ({cfg.solver}, pixels {cfg.scaling}) "
                 "on the tutorial's split")
    else:
        cfg = tutorial.CONFIG
        title = ("the tutorial's setting: sag, C=1, L2, max_iter=1000, raw 0-255 pixels, "
                 "test_size=0.15, random_state=0")
        print("This runs about 14 minutes on 2 cores (sag needs ~770 epochs on raw pixels); "
              "--fast runs in seconds.", file=sys.stderr)
    print(f"reproducing {title}", file=sys.stderr)
    t0 = time.perf_counter()
    result, ev, _ = fit_and_score(cfg, ds)
    total = time.perf_counter() - t0
    print(f"\n{title}")
    print(f"fit {result.fit_seconds:,.1f} s ({result.n_iter} iterations, "
          f"{'converged' if result.converged else 'not converged'}); total {total:,.1f} s")
    support = tuple(int(v) for v in ev.confusion.sum(axis=1))
    same = "match" if support == tutorial.TEST_SUPPORT else "DIFFER FROM"
    print(f"test supports: {support} ({same} the tutorial's)\n")
    print(tutorial.side_by_side(ev.confusion, ev.report, ev.accuracy))
    return 0
