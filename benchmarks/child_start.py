"""What a child process costs to start (digitlab.runtime.childproc.start): forked by the fork
server (digitlab.runtime.forkserver) beside the old way, a new Python that imports scikit-learn
(Popen). For each, `repeats` children of the sweep kind, each given a header it refuses at its
first line of work (no spec): the time from start() to the child's first words (its stderr),
and the CPU it took (the child's own, the fork server's and this process's), medians.

    python -m benchmarks.child_start [--repeats 7] [--json PATH]

The fork server's own start (its imports, once per server) is printed apart: the app starts it
at launch (childproc.warm), off the first student's fit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time

import psutil

from digitlab.runtime import childproc

MODULE = "digitlab.sweeps.child"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float:
    pid = childproc.FORK_SERVER.pid if childproc.FORK_SERVER is not None else None
    if pid is None:
        return 0.0
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def one() -> tuple[float, float]:
    """(seconds from start() to the child's first words, CPU seconds it took everywhere)."""
    cpu = time.process_time() + _children_cpu() + _server_cpu()
    with childproc.shared_file({}) as shared:
        t0 = time.perf_counter()
        proc = childproc.start(MODULE, {**shared})
        assert proc.stderr is not None
        first = os.read(proc.stderr.fileno(), 1)  # its first words: KeyError('spec')
        seconds = time.perf_counter() - t0
        _, err = proc.communicate()
    assert proc.returncode == 1 and b"spec" in first + err, (first + err)[-300:]
    child_cpu = getattr(proc, "cpu_s", None) or 0.0  # a forked child's, from the fork server
    return seconds, time.process_time() + _children_cpu() + _server_cpu() + child_cpu - cpu


def measure(repeats: int) -> dict:
    out = {}
    forks = childproc.FORK_SERVER
    assert forks is not None
    t0, cpu0 = time.perf_counter(), _children_cpu()
    forks.warm().join()
    out["fork server start"] = {"seconds": time.perf_counter() - t0,
                                "cpu_s": _children_cpu() - cpu0 + _server_cpu()}
    for way, server in (("popen", None), ("fork server", forks)):
        childproc.FORK_SERVER = server
        runs = [one() for _ in range(repeats)]
        out[way] = {"seconds": statistics.median(r[0] for r in runs),
                    "cpu_s": statistics.median(r[1] for r in runs)}
    childproc.FORK_SERVER = forks
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    out = measure(args.repeats)
    s = out["fork server start"]
    print(f"fork server start (once): {s['seconds']:6.2f} s, {s['cpu_s']:5.2f} CPU s")
    print(f"{'median of ' + str(args.repeats):>24}  {'to first words':>14}  {'CPU':>8}")
    for way in ("popen", "fork server"):
        print(f"{way:>24}  {out[way]['seconds']:12.3f} s  {out[way]['cpu_s']:6.3f} s")
    p, f = out["popen"], out["fork server"]
    print(f"{'ratio popen / fork':>24}  {p['seconds'] / f['seconds']:12.0f} x  "
          f"{p['cpu_s'] / max(f['cpu_s'], 1e-6):6.0f} x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
