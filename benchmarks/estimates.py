"""The Train page's time estimates beside real fits on this machine: each preset and the issue's
L1 case (saga, l1_ratio=1, 10,000 images), one fit each, printed as estimate / real and their
ratio (the goal: within a factor of 2 either way). The estimates are the seed's
(digitlab.training.estimate.SEED), as a server that has not measured anything yet gives them.

    python -m benchmarks.estimates [--full] [--json PATH]

Without --full the Tutorial preset runs its first 30 epochs only (its time per epoch; the whole
preset is about 14 minutes of sag on raw pixels, 769 epochs).
"""

from __future__ import annotations

import argparse
import json
import time

from digitlab.data import mnist
from digitlab.training import fitting
from digitlab.training import session as training


def cases(full: bool) -> dict:
    presets = {str(name): config for name, config in training.presets().items()}
    fast = presets["Fast"]
    rows = {"L1, saga, 10,000 images": fast.replace(solver="saga", l1_ratio=1.0,
                                                   train_size=10_000),
            "Fast": fast, "Best": presets["Best"], "Robust": presets["Robust"]}
    tutorial = presets["Tutorial settings"]
    rows["Tutorial settings" if full else "Tutorial, 30 epochs"] = (
        tutorial if full else tutorial.replace(max_iter=30))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="the whole Tutorial preset (about 14 minutes)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    ds = mnist.load_mnist(source="cache", allow_fallback=False)
    rows = []
    print(f"{'case':<26} {'estimate s':>10} {'real s':>8} {'ratio':>6} {'epochs':>7} {'n':>7}")
    for name, config in cases(args.full).items():
        split = training.split_of(ds, config.test_size, config.seed)
        estimate = training.expected_seconds(config, len(split.y_train))
        t0 = time.perf_counter()
        fit = fitting.fit(config, split.X_train, split.y_train, side=split.side)
        wall = time.perf_counter() - t0
        ratio = estimate / wall if estimate else float("nan")
        rows.append({"case": name, "config": repr(config), "estimate": estimate, "real": wall,
                     "fit_seconds": fit.fit_seconds, "n_iter": fit.n_iter,
                     "n_train": fit.n_train, "converged": fit.converged})
        print(f"{name:<26} {estimate or float('nan'):>10.1f} {wall:>8.1f} {ratio:>6.2f} "
              f"{fit.n_iter:>7} {fit.n_train:>7}", flush=True)
        if args.json:
            with open(args.json, "w") as out:
                json.dump(rows, out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
