"""Training for an interactive app: presets, an honest time estimate, and a fit that runs in a
background thread so a page can show progress, stop it, and keep what it produced.

No Streamlit here: the app polls a `TrainingJob` from its script thread; tests drive it
directly. Fits go through the `FitStore` the job is given (the app shares one between sessions).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from digitlab.data import mnist
from digitlab.data.mnist import Dataset
from digitlab.model import features, solvers
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.runtime.fairqueue import FairQueue, QueuedJob, Request
from digitlab.runtime.jobs import Stopped
from digitlab.text import N_, join, message_of
from digitlab.training import estimate, evaluate, fitting, tutorial
from digitlab.training.estimate import Timings
from digitlab.training.fitting import FitResult, ProgressEvent
from digitlab.training.store import FitStore

LONG_FIT_SECONDS = 60.0  # beyond this the page offers a subset or fewer epochs first
OVERDUE = 1.5  # a fit this many times past its estimate is said to be late, not 99% done


# Printed digits (tuning typefaces only: digitlab.data.typeset) the Robust preset trains on
# beside MNIST's 59,500: docs/robust-digits.md measures them.
ROBUST_PRINTED = 5000
# ... and fat-pen re-drawn training digits (digitlab.data.fatpen): docs/robust-digits.md, round
# six (5,000: re-drawn digits on the tuning half 0.961 against 0.955 without them) and round
# seven (10,000: 0.966, at the same fit CPU; pens up to 5 px did not help).
ROBUST_FAT_PEN = 10_000


def presets() -> dict[str, TrainConfig]:
    """The named settings the Train page offers as one-click buttons.

    "Tutorial settings" is the tutorial's estimator (C=1, sag, 1000 iterations, raw pixels) on
    its split (15% test, seed 0). "Fast" fits full MNIST in seconds; "Best" adds deskewing
    (measured 0.919 -> 0.938 with the same solver); "Robust" adds the wide RBF kernel
    features ("rbf-wide"), printed digits (ROBUST_PRINTED) and training digits re-drawn with a
    fat pen (ROBUST_FAT_PEN), for digits unlike MNIST's
    (printed, other hands, any size, pen or scan: benchmarks/canvas.py measures them on
    families it was not chosen on). It trains without augmentation: on the RBF features that
    read drawn digits no better and took five times the CPU (docs/robust-digits.md, round
    five)."""
    fast = TrainConfig(solver=solvers.FAST, scaling="unit", train_size=None, deskew=False)
    best = fast.replace(deskew=True)
    robust = best.replace(features=features.RBF_WIDE_NAME, printed=ROBUST_PRINTED,
                          fat_pen=ROBUST_FAT_PEN)
    # The names are Messages (English strs that a page translates): presets()["Fast"] works.
    return {N_("Tutorial settings"): tutorial.CONFIG, N_("Fast"): fast, N_("Best"): best,
            N_("Robust"): robust}


# Each preset's short name, for the command line (`train --preset robust`): the CLI trains
# presets()[PRESET_IDS[name]], the very config the Train page's button sets.
PRESET_IDS = {"tutorial": "Tutorial settings", "fast": "Fast", "best": "Best",
              "robust": "Robust"}


def preset(name: str) -> TrainConfig:
    """The preset with this short name (PRESET_IDS: tutorial, fast, best, robust; any case)."""
    key = PRESET_IDS.get(str(name).strip().lower())
    if key is None:
        raise ConfigError(N_("preset must be one of {names}; got {got!r}.",
                             names=", ".join(PRESET_IDS), got=name))
    return presets()[key]


def n_train_for(config: TrainConfig, available: int) -> int:
    """How many images the fit will see: the subset, or all that the split left, and the
    printed and fat-pen digits it adds (`config.printed`, `config.fat_pen`)."""
    base = available if config.train_size is None else min(config.train_size, available)
    return base + config.printed + min(config.fat_pen, base)


def expected_seconds(config: TrainConfig, available: int, timings: Timings | None = None,
                     ready: bool = False, to_draw: tuple[int, int] = (0, 0)) -> float | None:
    """The expected fit time from fits measured on this machine (`timings`: the server's;
    without it, the seed measurements of digitlab.training.estimate), or None when no fit of
    its kind was ever measured; `ready`: its training features are made already
    (fitting.features_ready); `to_draw`: the (printed, fat-pen) digits it draws first, not
    cached yet (fitting.digits_to_draw), whose drawing time (estimate.drawing_seconds) it
    adds."""
    fit = (timings or Timings()).seconds(config, n_train_for(config, available), ready)
    return None if fit is None else fit + estimate.drawing_seconds(*to_draw)


def format_seconds(seconds: float) -> str:
    if seconds < 9.95:  # a refit after C takes 0.3 s: "0 s" would say nothing
        return N_("{s:.1f} s", s=seconds)
    if seconds < 90:
        return N_("{s:.0f} s", s=seconds)
    if seconds < 5400:
        return N_("{m:.0f} min", m=seconds / 60)
    return N_("{h:.1f} h", h=seconds / 3600)


def queue_request(config: TrainConfig, available: int, owner: Hashable, first: bool = False,
                  key: Hashable = None, timings: Timings | None = None,
                  ready: bool = False, to_draw: tuple[int, int] = (0, 0)) -> Request:
    """A fit's entry in a fair queue: its duration is estimated per kind of fit (solver and
    features) in proportion to its training images (size: thousands of them), or by
    expected_seconds until a fit of its kind has finished."""
    kind = f"{config.solver} · {config.features}" + (" · augmented" if config.augment else "")
    return Request(owner, kind, n_train_for(config, available) / 1000, first, key,
                   expected_seconds(config, available, timings, ready, to_draw))


def data_key(ds: Dataset) -> str:
    """Which data set a split or a model comes from, e.g. "MNIST:70000": its name and its
    number of images (the 8x8 fallback is "digits (8x8):1797"). A model answers for the data
    on screen only when its key is that data's."""
    return _key(ds.name, len(ds.y))


def data_name(key: str) -> str:
    """The data set's name in a data_key: "MNIST:70000" -> "MNIST"."""
    return key.rpartition(":")[0]


def _key(name: str, n_images: int) -> str:
    return f"{name}:{n_images}"


@dataclass(frozen=True)
class Split:
    """The tutorial's four arrays (read-only) and what they were made from. Made by
    `split_of` (a Dataset) or `Split.of` (four arrays), which write its data_key."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    data_key: str  # which data set, e.g. "MNIST:70000" (data_key)
    side: int

    @functools.cached_property
    def checksum(self) -> tuple:
        """fitting.data_checksum of the training rows, computed once per split: the arrays
        are read-only, and the split is made once per server (a press used to compute it three
        times, ~12 ms each). A split made again from a changed or damaged cache file has its
        own."""
        return fitting.data_checksum(self.X_train, self.y_train)

    @classmethod
    def of(cls, X_train: np.ndarray, X_test: np.ndarray, y_train: np.ndarray,
           y_test: np.ndarray, name: str, side: int) -> Split:
        """A split of the data set called `name`, whose images are its training and test
        images together; the arrays are read-only views (the caller's stay as they were)."""
        arrays = []
        for a in (X_train, X_test, y_train, y_test):
            view = np.asarray(a).view()
            view.setflags(write=False)
            arrays.append(view)
        X_train, X_test, y_train, y_test = arrays
        return cls(X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
                   data_key=_key(name, len(y_train) + len(y_test)), side=side)


def split_of(ds: Dataset, test_size: float, seed: int) -> Split:
    """The tutorial's split of `ds` (digitlab.data.mnist.split), read-only, with its key."""
    X_train, X_test, y_train, y_test = mnist.split(ds.X, ds.y, test_size=test_size, seed=seed)
    return Split.of(X_train, X_test, y_train, y_test, ds.name, ds.side)


@dataclass(frozen=True)
class Trained:
    """A fitted model, its score on the test split, and where it came from. Never mutated, so
    one instance can be shown to several sessions."""

    fit: FitResult
    evaluation: evaluate.Evaluation
    data_key: str
    side: int

    @property
    def config(self) -> TrainConfig:
        return self.fit.config

    @property
    def stopped(self) -> bool:
        """Stopped early by the user: the best model so far (a fit that ended by itself just
        before a late Stop was not stopped: fitting.fit only says so when the request cut it)."""
        return self.fit.stopped


def trained(fit: FitResult, split: Split) -> Trained:
    """A fit scored on the split's test images."""
    return Trained(fit, evaluate.evaluate(fit.model, split.X_test, split.y_test), split.data_key,
                   split.side)


class TrainingJob(QueuedJob):
    """One fit (then its evaluation) in a daemon thread, through `store` when one is given.
    `stop()` asks the solver to stop and keep its best model so far (if its registry entry
    says it can_stop).

    With a `queue` (digitlab.runtime.fairqueue: one per server), the fit waits for its turn
    there, as `owner`'s one waiting entry (ahead of the others' when `first`: the teacher's);
    a fit that joins another session's identical fit (the store) takes no place of its own.
    `waiting()` says where it stands; `leave()` takes it out of the line (nothing runs for it).

    Stop (`stop()`) and a gone owner (`owner_alive()` false for jobs.ABANDON_AFTER_S: a closed
    tab) both end the fit within about a second, whatever the solver (the registry's
    can_stop); the owner's last good model is never touched.

    The page reads `events`, `running`, `result`, `error` and `notice` from its own thread;
    the worker only appends to `events` and sets the others once, so no lock is needed
    (list.append and attribute stores are atomic in CPython)."""

    thread_name = "digitlab-fit"

    def __init__(self, config: TrainConfig, split: Split,
                 warm_start_from: FitResult | None = None, store: FitStore | None = None,
                 owner_alive: Callable[[], bool] | None = None, queue: FairQueue | None = None,
                 owner: Hashable = None, first: bool = False, timings: Timings | None = None):
        super().__init__(owner_alive, queue, owner, first)
        self.timings = timings  # the server's measured fits: estimates, and this fit's record
        self.config = config
        self.split = split
        self.warm_start_from = warm_start_from
        self.store = store
        # its training features made already, when pressed (a refit after C): its estimate
        self.ready = fitting.features_ready(config, split.X_train, split.y_train, store,
                                            split.side, split.checksum)
        # the printed and fat-pen digits it draws first (a machine's first such fit): its
        # estimate adds their drawing, its progress says so, and its time is not recorded
        self.to_draw = fitting.digits_to_draw(config, split.X_train, split.y_train, split.side)
        self.events: list[ProgressEvent] = []
        self.result: Trained | None = None
        self.notice: str | None = None  # a sentence for the page: stopped, nothing to keep

    def progress(self) -> tuple[float | None, str]:
        """(fraction done or None if unknown, a short line for the progress bar that names the
        solver running)."""
        solver = self.config.solver
        events = list(self.events)
        last = events[-1] if events else None
        if last is not None and last.iteration > 0 and last.message != "done":
            bits: list[str] = [N_("{solver}: epoch {epoch} of {max_iter}", solver=solver,
                       epoch=last.iteration, max_iter=last.max_iter)]
            if last.loss is not None:
                bits.append(N_("loss {loss:.4f}", loss=last.loss))
            if last.val_accuracy is not None:
                bits.append(N_("held-out accuracy {accuracy:.3f}", accuracy=last.val_accuracy))
            if last.val_class_accuracy is not None:
                worst = int(np.nanargmin(last.val_class_accuracy))
                bits.append(N_("worst digit {digit}: {accuracy:.3f}", digit=worst,
                               accuracy=last.val_class_accuracy[worst]))
            bits.append(format_seconds(self.fitting_for))
            return min(last.iteration / max(last.max_iter, 1), 1.0), join(bits, " · ")
        if last is not None and last.message == "done":
            return 1.0, N_("{solver} fitted in {seconds}; scoring the test set", solver=solver,
                           seconds=format_seconds(last.elapsed))
        # before its first epoch (digitlab-fast makes its features first), or a solver that
        # says nothing until it is done (scikit-learn's)
        silent = not solvers.get(solver).keeps_best  # keeps_best: it reports every epoch
        estimate = expected_seconds(self.config, len(self.split.y_train), self.timings,
                                    self.ready, self.to_draw)
        so_far = format_seconds(self.fitting_for)
        if estimate and self.fitting_for > OVERDUE * estimate:
            # past its estimate: no made-up fraction, and the page says why it may be
            return None, N_("{solver}: {so_far}, longer than the {estimate} estimated (the "
                            "machine may be busy with other work){silent}", solver=solver,
                            so_far=so_far, estimate=format_seconds(estimate),
                            silent=N_("; scikit-learn reports no progress until it is done")
                            if silent else "")
        if estimate:
            frac = min(self.fitting_for / estimate, 0.99)
            if silent:
                return frac, N_("{solver}: {so_far} of about {estimate} (estimated from fits "
                                "measured on this machine; scikit-learn reports no progress "
                                "until it is done)", solver=solver, so_far=so_far,
                                estimate=format_seconds(estimate))
            if any(self.to_draw):
                return frac, N_("{solver}: drawing the printed and fat-pen training digits "
                                "once (later fits read them from the cache), then preparing the "
                                "images, {so_far} of about {estimate} in all (estimated from "
                                "fits and drawings measured on this machine)", solver=solver,
                                so_far=so_far, estimate=format_seconds(estimate))
            return frac, N_("{solver}: preparing the images, {so_far} of about {estimate} in "
                            "all (estimated from fits measured on this machine)", solver=solver,
                            so_far=so_far, estimate=format_seconds(estimate))
        if silent:
            return None, N_("{solver}: {so_far} so far (scikit-learn reports no progress until "
                            "it is done)", solver=solver, so_far=so_far)
        if any(self.to_draw):
            return None, N_("{solver}: drawing the printed and fat-pen training digits once "
                            "(later fits read them from the cache), then preparing the images, "
                            "{so_far} so far", solver=solver, so_far=so_far)
        return None, N_("{solver}: preparing the images, {so_far} so far", solver=solver,
                        so_far=so_far)

    @property
    def fitting_for(self) -> float:
        """Seconds since its fit began: its time in the queue does not count."""
        started = self.ticket.started if self.ticket is not None else None
        if started is None:
            return self.elapsed
        return (self.finished or time.monotonic()) - started

    def began(self) -> bool:
        return bool(self.events)

    def wait_placed(self, timeout: float = 1.0) -> None:
        """Block (briefly) until the job waits in the queue, fits, or has ended: a page drawn
        next shows the state it is in (its thread takes a few milliseconds to get there)."""
        deadline = time.monotonic() + timeout
        while (self.queue is not None and self.running and not self.events
               and self.waiting() is None and time.monotonic() < deadline):
            time.sleep(0.02)

    def _run(self) -> None:
        s = self.split
        turn: fitting.Turn | None = None
        if self.queue is not None:
            queue = self.queue
            self.key = fitting.fit_key(self.config, s.X_train, s.y_train, s.side, s.checksum)
            request = queue_request(self.config, len(s.y_train), self.owner, self.first,
                                    self.key, self.timings, self.ready, self.to_draw)
            turn = lambda: queue.turn(request, self.should_stop, self._took)  # noqa: E731
        try:
            fit = fitting.fit(self.config, s.X_train, s.y_train, on_progress=self.events.append,
                              side=s.side, should_stop=self.should_stop,
                              warm_start_from=self.warm_start_from, store=self.store,
                              turn=turn, checksum=s.checksum)
            # a fit that shared the cores with others (a class pressing Train at once) says
            # little about one alone: after a burst, its 4 s stood for a 0.9 s fit
            alone = self.queue is None or self.queue.counts() == (0, 0)
            # nor does one that drew its printed or fat-pen digits first (~58 s of a 68 s
            # fit; later fits read them from the cache): later fits would be promised 6x
            if self.timings is not None and alone and not (fit.reused or fit.stopped
                                                           or fit.warm_started
                                                           or any(self.to_draw)):
                self.timings.record(fit.config, fit.fit_seconds, fit.n_iter, fit.n_train,
                                    fit.converged, fit.features_ready)
            self.result = trained(fit, s)
        except Stopped as exc:  # stopped, left the queue, or replaced there
            self.notice = N_("{why} Your previous model is kept.", why=message_of(exc))
            self.exception = exc
        except (ConfigError, MemoryError) as exc:
            self.error = N_("Training could not run: {why}. Change the settings (a smaller "
                            "training subset helps) and try again.",
                            why=message_of(exc) if str(exc) else N_("out of memory"))
            self.exception = exc
        except Exception as exc:  # a bug: said plainly on the page, kept for the report
            self.error = N_("Training failed ({kind}: {exc}). Try the Fast preset; if this keeps "
                            "happening, it is a bug worth reporting.", kind=type(exc).__name__,
                            exc=exc)
            self.exception = exc
