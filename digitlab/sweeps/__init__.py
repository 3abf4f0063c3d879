"""Sweeps: the same model fitted along a grid of C (a validation curve) or of training sizes
(a learning curve), on local cores or a Dask cluster, to see under- and over-fitting.

    spec            what a sweep is: SweepSpec (its grid, checked), its points, SweepResult
    fit             how its points are fitted and scored, in warm-started chains
    lockstep        many lbfgs fits on the same rows, sharing each pass over the data
    lockstep_curve  an lbfgs curve along C fitted side by side (one task of a sweep)
    plan            how the points are cut into pieces that run side by side
    run             where the pieces run (Where: local cores or Dask) and `run` itself
    child           a sweep on local cores in a child process (the app's sweeps)
    job             SweepJob: a sweep in the background for a page to poll

`run.run` stays behind its module (`from digitlab.sweeps import run`).
"""

from digitlab.sweeps.fit import PointResult, SweepData, fit_chain, fit_point
from digitlab.sweeps.job import SweepJob
from digitlab.sweeps.plan import chains
from digitlab.sweeps.run import SCHEDULER_ENV, ClusterError, Where, sweep_data
from digitlab.sweeps.spec import (
    BASE,
    COLUMNS,
    DEFAULT_CS,
    MAX_POINTS,
    SERIES,
    X_AXES,
    Point,
    SweepResult,
    SweepSpec,
    parse_list,
    points,
)

__all__ = ["BASE", "COLUMNS", "DEFAULT_CS", "MAX_POINTS", "SCHEDULER_ENV", "SERIES", "X_AXES",
           "ClusterError", "Point", "PointResult", "SweepData", "SweepJob", "SweepResult",
           "SweepSpec", "Where", "chains", "fit_chain", "fit_point", "parse_list", "points",
           "sweep_data"]
