"""How a sweep's points are cut into pieces that run side by side: an lbfgs curve along C is
one piece (its fits run in lockstep, digitlab.sweeps.lockstep_curve); other curves are cut into
warm-start chains.

    chains(SweepSpec(values=(0.001, 0.01, 0.1, 1, 10)), workers=2)  ->  [[0, 1, 2, 3, 4]]
    chains(SweepSpec(values=..., base=BASE.replace(solver="sag")), 2)  ->  [[0, 1, 2, 3], [4]]
"""

from __future__ import annotations

from typing import Any

from digitlab.sweeps.spec import SweepSpec, points
from digitlab.text import N_, join


def chains(spec: SweepSpec, workers: int) -> list[list[int]]:
    """The points cut into chains that run in parallel: within a chain, each fit warm-starts
    from the one before it (x ascending: from strong to weak penalty, or from few images to
    many), so a chain is sequential. Warm starts and parallel workers pull in opposite
    directions; each curve is cut into contiguous pieces, at most as many in all as there
    are workers (at least one per curve), so that the costliest piece (`cost`) is least: the
    fits at large C or on many images are the slow ones, so the last pieces are short, and
    no cut is made that would not shorten the costliest piece. A sweep with warm_start off
    gets one chain per point.

    An lbfgs curve along C (SweepSpec.in_lockstep) is one piece whatever the workers: its fits
    run side by side and share each pass over the data, and the threads of wherever it runs
    share the arithmetic.

    A function of the spec and the worker count only: the same sweep on two machines with as
    many workers fits the same chains and gives the same numbers."""
    pts = points(spec)
    curves: dict[Any, list[int]] = {}
    for p in pts:
        curves.setdefault(p.series, []).append(p.index)
    out: list[list[int]] = []
    pieces = max(1, workers // len(curves))
    for idx in curves.values():
        if spec.in_lockstep(pts[idx[0]].config.solver):
            out.append(idx)
            continue
        if not spec.warm_start:
            out.extend([i] for i in idx)
            continue
        cold = [cost(spec.x, pts[i].x, pts[idx[0]].x) for i in idx]
        out.extend([idx[i] for i in piece] for piece in _balanced(cold, min(pieces, len(idx))))
    return out


def describe(spec: SweepSpec, pieces) -> str:
    """How the pieces ran, in words: "9 fits side by side", "2 warm-start chains", or both."""
    pts = points(spec)
    batches = [p for p in pieces if spec.in_lockstep(pts[p[0]].config.solver)]
    words = [N_("{n} fits side by side", n=len(b)) for b in batches]
    chained = len(pieces) - len(batches)
    if chained == 1:
        words.append(N_("1 warm-start chain") if spec.warm_start else N_("1 chain"))
    elif chained:
        words.append(N_("{n} warm-start chains", n=chained) if spec.warm_start
                     else N_("{n} chains", n=chained))
    return join(words)


# A cold fit's cost relative to the curve's first point: lbfgs at tol 1e-6 needed 62 ... 676
# iterations cold for C = 0.001 ... 10 on 10,000 images (11x over 4 decades: C ** 0.26); a fit
# warm-started along its chain took about 0.7 of that at large C. A learning curve's fits
# cost about as many rows as they fit.
_C_EXPONENT, _WARM = 0.26, 0.7


def cost(x: str, value: float, first: float) -> float:
    """The estimated cost of a cold fit at `value`, relative to one at `first` (the curve's
    first point), used only to cut chains evenly."""
    return (value / first) ** _C_EXPONENT if x == "C" else value / first


def _balanced(cold: list[float], k: int) -> list[range]:
    """Contiguous pieces of range(len(cold)), at most k, whose largest cost is least (each
    piece's first fit cold, the rest warm); ties go to fewer cuts further right."""
    n = len(cold)

    def piece(a: int, b: int) -> float:
        return cold[a] + _WARM * sum(cold[a + 1:b])

    # best[j][b]: (largest piece cost, cuts) covering the first b points in j pieces
    best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}]
    for _ in range(k):
        row = {}
        for b in range(1, n + 1):
            options = [(max(c, piece(a, b)), cuts + [a]) for a, (c, cuts) in best[-1].items()
                       if a < b]
            if options:
                row[b] = min(options, key=lambda o: (round(o[0], 9), -sum(o[1])))
        best.append(row)
    _, cuts = min((best[j][n] for j in range(1, k + 1) if n in best[j]),
                  key=lambda o: (round(o[0], 9), len(o[1])))
    bounds = [*cuts, n]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]
