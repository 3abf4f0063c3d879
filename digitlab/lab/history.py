"""A session's run history: every fit it made (or model file it loaded), newest first, and two
runs side by side.

A `Run` keeps the `Trained` it records (frozen, often the very object the server's FitStore
holds), so comparing two runs needs no refit. The history keeps the newest `MAX_RUNS`, and the
models it holds within a byte budget (`budget_bytes`, digitlab's setting DIGITLAB_HISTORY_MB,
read by pages/shared/state.py): an rbf run holds a ~9.7 MB model, a pixel run ~0.08 MB, so a
count alone cannot bound a class's memory. Over the budget, the oldest runs let their model go
(never the run on screen, the last one recorded); such a run still shows its settings, scores
and confusion matrix (the `Summary` every run keeps), says it was let go (`Run.evicted`), and
can be fitted again from its settings.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from digitlab.model import features, solvers
from digitlab.model.config import TrainConfig
from digitlab.text import N_
from digitlab.training.session import Trained

MAX_RUNS = 30
BUDGET_BYTES = 24_000_000  # per session: 30 sessions x 24 MB stay under the server's 1.2 GB


def nbytes(obj, seen: set[int] | None = None) -> int:
    """The bytes of the NumPy arrays `obj` holds (through dicts, sequences, dataclasses and
    objects' attributes, each array once): what a run costs, the rest being small."""
    seen = set() if seen is None else seen
    if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, bool)):
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes if obj.base is None or id(obj.base) not in seen else 0
    if isinstance(obj, dict):
        return sum(nbytes(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sum(nbytes(v, seen) for v in obj)
    if dataclasses.is_dataclass(obj):
        return sum(nbytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    return nbytes(getattr(obj, "__dict__", None), seen)


@dataclass(frozen=True)
class Summary:
    """What a run shows without its model: its settings, how the fit went, its scores."""

    config: TrainConfig
    accuracy: float
    confusion: np.ndarray
    labels: np.ndarray
    data_key: str
    n_train: int
    fit_seconds: float
    n_iter: int
    ended: str  # "converged", "hit max_iter", "stopped early"

    @classmethod
    def of(cls, trained: Trained) -> Summary:
        fit, ev = trained.fit, trained.evaluation
        ended = N_("stopped early") if fit.stopped else (
            N_("converged") if fit.converged else N_("hit max_iter"))
        if not fit.stopped and any(n.startswith("Reused") for n in fit.notes):
            ended = N_("{ended} (reused)", ended=ended)  # from the store: no time now
        return cls(trained.config, ev.accuracy, ev.confusion, ev.labels, trained.data_key,
                   fit.n_train, fit.fit_seconds, fit.n_iter, ended)


@dataclass(frozen=True)
class Run:
    number: int  # 1 for the session's first run; never reused
    trained: Trained | None  # None once evicted for the byte budget: see `summary`
    summary: Summary
    when: float = field(default_factory=time.time)  # seconds since the epoch
    source: str = "fit"  # "fit", or "file" for a model loaded from a file
    held_bytes: int = 0  # what its Trained holds (nbytes), 0 once evicted

    @classmethod
    def of(cls, number: int, trained: Trained, source: str = "fit") -> Run:
        return cls(number, trained, Summary.of(trained), source=source,
                   held_bytes=nbytes(trained))

    @property
    def config(self) -> TrainConfig:
        return self.summary.config

    @property
    def accuracy(self) -> float:
        return self.summary.accuracy

    @property
    def evicted(self) -> bool:
        return self.trained is None

    @property
    def outcome(self) -> str:
        said = N_("loaded from a file") if self.source == "file" else self.summary.ended
        return N_("{said}; model let go to save memory", said=said) if self.evicted else said

    def row(self) -> dict:
        """One line of the history table."""
        c, s = self.config, self.summary
        per_epoch = c.solver in solvers.SOLVERS and solvers.get(c.solver).per_epoch
        return {"run": self.number, "accuracy": s.accuracy,
                "C": c.C, "l1_ratio": c.l1_ratio, "solver": c.solver, "max_iter": c.max_iter,
                "scaling": c.scaling, "train images": s.n_train,
                "extras": describe_extras(c), "fit s": s.fit_seconds,
                "epochs / iterations": (N_("{n_iter} epochs", n_iter=s.n_iter) if per_epoch
                                        else N_("{n_iter} iterations", n_iter=s.n_iter)),
                "ended": self.outcome}


def extras(config) -> list[str]:
    """The settings beyond the table's columns, one phrase each (Messages: a page translates
    them)."""
    bits: list[str] = [name for name, on in ((N_("deskew"), config.deskew),
                                             (N_("augment"), config.augment)) if on]
    if config.features != features.PIXELS:
        bits.append(config.features)
    if config.tol != 1e-4:
        bits.append(N_("tol {tol:g}", tol=config.tol))
    if (config.test_size, config.seed) != (0.15, 0):
        bits.append(N_("test {test_size:g}, seed {seed}", test_size=config.test_size,
                       seed=config.seed))
    return bits


def describe_extras(config) -> str:
    return ", ".join(extras(config))


class History:
    """The runs of one session, newest first. Recording the same model twice (a fit reused
    from the store, a page that asks again) keeps one run. The models held stay within
    `budget_bytes` (see the module doc), except the run on screen's, which is always kept."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES) -> None:
        self._runs: list[Run] = []
        self._count = 0
        self.budget_bytes = budget_bytes
        self._on_screen: int | None = None  # the number of the run recorded last

    def record(self, trained: Trained | None, source: str = "fit") -> Run | None:
        """Add `trained` as the newest run unless it is already there; returns its run, which
        is now the run on screen."""
        if trained is None:
            return None
        run = next((r for r in self._runs if r.trained is not None and (
            r.trained is trained or r.trained.fit.model is trained.fit.model)), None)
        if run is None:
            self._count += 1
            run = Run.of(self._count, trained, source)
            self._runs = [run, *self._runs][:MAX_RUNS]
        self._on_screen = run.number
        self._keep_to_budget()
        return run

    @property
    def held_bytes(self) -> int:
        return sum(r.held_bytes for r in self._runs)

    def _keep_to_budget(self) -> None:
        """Let the oldest runs' models go until the rest fit the budget (the run on screen
        is never let go, even alone over it)."""
        for i in range(len(self._runs) - 1, -1, -1):
            if self.held_bytes <= self.budget_bytes:
                return
            run = self._runs[i]
            if run.trained is not None and run.number != self._on_screen:
                self._runs[i] = dataclasses.replace(run, trained=None, held_bytes=0)

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
    ea, eb = a.summary, b.summary
    if not np.array_equal(ea.labels, eb.labels):
        raise ValueError("these two runs have different classes (other data sets)")
    same = (ea.data_key == eb.data_key
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
