"""The Train page's time estimates beside real fits on this machine: each preset and the issue's
L1 case (saga, l1_ratio=1, 10,000 images), one fit each, printed as estimate / real and their
ratio (the goal: within a factor of 2 either way). The estimates are the seed's
(digitlab.training.estimate.SEED), as a server that has not measured anything yet gives them.
Beside the wall-clock time, the CPU time the fit used (this process and its child processes):
on a machine shared with other work a scikit-learn fit's child runs at low priority, so its
wall time grows with the load while its CPU time does not.

    python -m benchmarks.estimates [--full] [--json PATH]

Without --full the Tutorial preset runs its first 30 epochs only (its time per epoch; the whole
preset is about 14 minutes of sag on raw pixels, 769 epochs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from digitlab.data import mnist
from digitlab.training import fitting
from digitlab.training import session as training


def cases(full: bool) -> dict:
    presets = {str(name): config for name, config in training.presets().items()}
    fast = presets["Fast"]
    rows = {"Fast": fast, "Best": presets["Best"], "Robust": presets["Robust"]}
    tutorial = presets["Tutorial settings"]
    rows["Tutorial settings" if full else "Tutorial, 30 epochs"] = (
        tutorial if full else tutorial.replace(max_iter=30))
    rows["L1, saga, 10,000 images"] = fast.replace(solver="saga", l1_ratio=1.0,
                                                   train_size=10_000)
    return rows


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (a scikit-learn fit's)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="the whole Tutorial preset (about 14 minutes)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    ds = mnist.load_mnist(source="cache", allow_fallback=False)
    rows = []
    print(f"{'case':<26} {'estimate s':>10} {'real s':>8} {'ratio':>6} {'cpu s':>7} "
          f"{'epochs':>7} {'n':>7} {'load':>5}")
    for name, config in cases(args.full).items():
        split = training.split_of(ds, config.test_size, config.seed)
        estimate = training.expected_seconds(config, len(split.y_train))
        t0, c0 = time.perf_counter(), cpu_seconds()
        fit = fitting.fit(config, split.X_train, split.y_train, side=split.side)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        ratio = estimate / wall if estimate else float("nan")
        rows.append({"case": name, "config": repr(config), "estimate": estimate, "real": wall,
                     "cpu": cpu, "load": os.getloadavg()[0], "fit_seconds": fit.fit_seconds,
                     "n_iter": fit.n_iter, "n_train": fit.n_train, "converged": fit.converged})
        print(f"{name:<26} {estimate or float('nan'):>10.1f} {wall:>8.1f} {ratio:>6.2f} "
              f"{cpu:>7.1f} {fit.n_iter:>7} {fit.n_train:>7} {os.getloadavg()[0]:>5.1f}",
              flush=True)
        if args.json:
            with open(args.json, "w") as out:
                json.dump(rows, out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
