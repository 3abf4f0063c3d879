"""A session's run history: every fit it made (or model file it loaded), newest first, and two
runs side by side.

A `Run` keeps the `Trained` it records (frozen, often the very object the server's FitStore
holds), so comparing two runs needs no refit. The history keeps the newest `MAX_RUNS`: enough
for a lesson, bounded in memory (an rbf model is about 10 MB).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from digitlab.model import features, solvers
from digitlab.training.session import Trained

MAX_RUNS = 30


@dataclass(frozen=True)
class Run:
    number: int  # 1 for the session's first run; never reused
    trained: Trained
    when: float = field(default_factory=time.time)  # seconds since the epoch
    source: str = "fit"  # "fit", or "file" for a model loaded from a file

    @property
    def config(self):
        return self.trained.config

    @property
    def outcome(self) -> str:
        fit = self.trained.fit
        if self.source == "file":
            return "loaded from a file"
        if fit.stopped:
            return "stopped early"
        ended = "converged" if fit.converged else "hit max_iter"
        # A fit that came back from the store took no time now: say so beside its 0.0 s.
        return ended + (" (reused)" if any(n.startswith("Reused") for n in fit.notes) else "")

    def row(self) -> dict:
        """One line of the history table."""
        c, fit = self.config, self.trained.fit
        unit = solvers.get(c.solver).unit if c.solver in solvers.SOLVERS else "iteration"
        return {"run": self.number, "accuracy": self.trained.evaluation.accuracy,
                "C": c.C, "l1_ratio": c.l1_ratio, "solver": c.solver, "max_iter": c.max_iter,
                "scaling": c.scaling, "train images": fit.n_train,
                "extras": describe_extras(c), "fit s": fit.fit_seconds,
                "epochs / iterations": f"{fit.n_iter} {unit}s", "ended": self.outcome}


def describe_extras(config) -> str:
    bits = [name for name, on in (("deskew", config.deskew), ("augment", config.augment)) if on]
    if config.features != features.PIXELS:
        bits.append(config.features)
    if config.tol != 1e-4:
        bits.append(f"tol {config.tol:g}")
    if (config.test_size, config.seed) != (0.15, 0):
        bits.append(f"test {config.test_size:g}, seed {config.seed}")
    return ", ".join(bits)


class History:
    """The runs of one session, newest first. Recording the same model twice (a fit reused
    from the store, a page that asks again) keeps one run."""

    def __init__(self) -> None:
        self._runs: list[Run] = []
        self._count = 0

    def record(self, trained: Trained | None, source: str = "fit") -> Run | None:
        """Add `trained` as the newest run unless it is already there; returns its run."""
        if trained is None:
            return None
        for run in self._runs:
            if run.trained is trained or run.trained.fit.model is trained.fit.model:
                return run
        self._count += 1
        run = Run(self._count, trained, source=source)
        self._runs = [run, *self._runs][:MAX_RUNS]
        return run

    @property
    def runs(self) -> list[Run]:
        return list(self._runs)

    def get(self, number: int) -> Run | None:
        return next((r for r in self._runs if r.number == number), None)

    def __len__(self) -> int:
        return len(self._runs)


@dataclass(frozen=True)
class Comparison:
    """Run a against run b on what they were tested on."""

    a: Run
    b: Run
    recall: np.ndarray  # (2, n_classes): per-class recall of a, then b
    difference: np.ndarray  # b's confusion minus a's (counts, or shares of each row: `unit`)
    unit: str  # "images" when both were tested on the same images, else "% of the row"
    labels: np.ndarray

    @property
    def same_test_set(self) -> bool:
        return self.unit == "images"


def recall(confusion: np.ndarray) -> np.ndarray:
    """Per class: the share of its test images the model got right."""
    support = confusion.sum(axis=1)
    return np.divide(np.diag(confusion), support, out=np.zeros(len(support)),
                     where=support > 0)


def compare(a: Run, b: Run) -> Comparison:
    """Side by side. Two runs tested on the same split (data, test_size, seed) subtract their
    confusion counts; otherwise each row becomes percentages first, so the numbers compare."""
    ea, eb = a.trained.evaluation, b.trained.evaluation
    if not np.array_equal(ea.labels, eb.labels):
        raise ValueError("these two runs have different classes (other data sets)")
    same = (a.trained.data_key == b.trained.data_key
            and (a.config.test_size, a.config.seed) == (b.config.test_size, b.config.seed))
    if same:
        diff, unit = eb.confusion.astype(int) - ea.confusion.astype(int), "images"
    else:
        diff, unit = 100 * (_rows(eb.confusion) - _rows(ea.confusion)), "% of the row"
    return Comparison(a, b, np.vstack([recall(ea.confusion), recall(eb.confusion)]), diff,
                      unit, ea.labels)


def _rows(confusion: np.ndarray) -> np.ndarray:
    support = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion, support, out=np.zeros(confusion.shape), where=support > 0)
