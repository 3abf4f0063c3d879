"""The Train page's time estimates beside real fits on this machine: each preset and the issue's
L1 case (saga, l1_ratio=1, 10,000 images), one fit each, printed as estimate / real and their
ratio (the goal: within a factor of 2 either way); then each again with C doubled, as a student
who moves only C refits: its training features are made already (the server's store keeps
them; digitlab.training.fitting.features_ready), so the fit is its epochs alone (the rows marked
"C x2"). The estimates are the seed's (digitlab.training.estimate.SEED), as a server that has
not measured anything yet gives them.
Beside the wall-clock time, the CPU time a fit in this process used ("-" for a scikit-learn fit:
it runs in a child of the fork server, digitlab.runtime.forkserver, whose time this process
cannot read); on a machine shared with other work such a child runs at low priority, so its
wall time grows with the load.

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
from digitlab.model import solvers
from digitlab.training import fitting
from digitlab.training import session as training
from digitlab.training.store import FitStore


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
    """CPU time of this process and of its finished child processes (waited for by it)."""
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
    print(f"{'case':<32} {'estimate s':>10} {'real s':>8} {'ratio':>6} {'cpu s':>7} "
          f"{'epochs':>7} {'n':>7} {'load':>5}")
    store = FitStore()
    # each case's refit right after it: the store keeps the features of the last two
    twice = [row for name, config in cases(args.full).items()
             for row in ((name, config, False), (f"{name}, C x2", config.replace(C=config.C * 2),
                                                 True))]
    for name, config, ready in twice:
        split = training.split_of(ds, config.test_size, config.seed)
        if ready != fitting.features_ready(config, split.X_train, split.y_train, store,
                                           split.side):
            raise RuntimeError(f"{name}: its features should {'' if ready else 'not '}be "
                               f"ready in the store before its fit")
        estimate = training.expected_seconds(config, len(split.y_train), ready=ready)
        t0, c0 = time.perf_counter(), cpu_seconds()
        fit = fitting.fit(config, split.X_train, split.y_train, side=split.side, store=store)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        in_child = solvers.get(config.solver).in_child
        ratio = estimate / wall if estimate else float("nan")
        rows.append({"case": name, "config": repr(config), "estimate": estimate, "real": wall,
                     "cpu": None if in_child else cpu, "load": os.getloadavg()[0],
                     "fit_seconds": fit.fit_seconds,
                     "n_iter": fit.n_iter, "n_train": fit.n_train, "converged": fit.converged,
                     "ready": fit.features_ready})
        print(f"{name:<32} {estimate or float('nan'):>10.1f} {wall:>8.1f} {ratio:>6.2f} "
              f"{'-' if in_child else f'{cpu:.1f}':>7} {fit.n_iter:>7} {fit.n_train:>7} "
              f"{os.getloadavg()[0]:>5.1f}",
              flush=True)
        if args.json:
            with open(args.json, "w") as out:
                json.dump(rows, out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
