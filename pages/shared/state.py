"""What a session works on (its data, its model, its running fit) and what the whole server
shares (the data, the splits, the store of fits, the class's model and the default model).

Caching rule of the house: `st.cache_resource` for big values handed out by reference (the data,
the splits, the fit store) — safe because nothing ever mutates them (arrays are read-only,
fits are frozen); what one user trains lives in *their* session state, and only identical fits
are shared, through the FitStore.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import uuid
from collections.abc import Callable, Hashable
from pathlib import Path

import streamlit as st

from digitlab.classroom import classdb
from digitlab.classroom import publish as classroom
from digitlab.classroom.publish import ClassModel, Published
from digitlab.data import mnist as data
from digitlab.data.mnist import Dataset
from digitlab.lab import history as history_module
from digitlab.lab.history import History
from digitlab.model.config import TrainConfig
from digitlab.runtime import fairqueue
from digitlab.runtime.fairqueue import FairQueue
from digitlab.training import estimate, fitting
from digitlab.training import session as training
from digitlab.training.estimate import Timings
from digitlab.training.session import Split, Trained, TrainingJob
from digitlab.training.store import FitStore, SingleFlightCache
from pages.shared import i18n
from pages.shared.i18n import _

# Session-state keys (one user's own things).
TRAINED = "trained"  # the Trained this session is looking at
JOB = "job"  # the TrainingJob running (or just finished) for this session
DATA_CHOICE = "data_choice"  # "mnist" (default) or "digits" (the 8x8 fallback, chosen)
DATA_ERROR = "data_error"  # why loading failed, as a sentence
HISTORY = "run_history"  # the History of this session's fits (digitlab.lab.history)
HISTORY_MB_ENV = "DIGITLAB_HISTORY_MB"  # the byte budget of a session's history (megabytes)
OWNER = "queue_owner"  # who this session is in the fair queues: one waiting entry each
FIT_WORKERS_ENV = "DIGITLAB_FIT_WORKERS"  # fits at once (default: one per core)
SWEEP_WORKERS_ENV = "DIGITLAB_SWEEP_WORKERS"  # sweeps at once (default: one per core)
SWEEPS_KEPT = 16  # finished sweeps the server keeps to show again (sweep_store)
# Whether the server makes its default model as soon as it has the data (_prepared). The app's
# launcher (app.py) turns it on, so the browser tests have it as a person does; app tests
# (AppTest) do not go through the launcher, and every fit in them is the test's own.
PREPARE_DEFAULT = False
_log = logging.getLogger(__name__)


# --- data --------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(source: str, where: str) -> Dataset:
    """`where` is only a cache key (the cache file's path): a different data folder is a
    different entry. Shared between sessions: the arrays are read-only."""
    ds = data.load_mnist(source=source, allow_fallback=False)
    ds.X.setflags(write=False)
    ds.y.setflags(write=False)
    return ds


def dataset() -> Dataset | None:
    """The data this session works on, or None when there is none yet (never downloads: that
    is the Home page's Fetch button)."""
    if st.session_state.get(DATA_CHOICE) == "digits":
        return _load("digits", "sklearn")
    path = data.cache_path()
    if not path.exists():
        ds = _in_memory().get(str(path))
    else:
        try:
            with st.spinner(_("Loading the digits…")):
                ds = _load("cache", str(path))
        except data.DataError as exc:
            st.session_state[DATA_ERROR] = _("The MNIST cache could not be read: {exc}",
                                              exc=i18n.error_text(exc))
            return None
    if ds is not None and PREPARE_DEFAULT:
        _prepared(training.data_key(ds), ds)
    return ds


@st.cache_resource
def _in_memory() -> dict[str, Dataset]:
    """{cache path: MNIST fetched while that cache folder cannot be written (data.load_mnist
    says so in a note)}: kept for the server's life, so it is fetched once, not on every
    rerun. Shared between sessions: the arrays are read-only."""
    return {}


def fetch(progress_bar) -> Dataset | None:
    """Download MNIST into the cache, moving `progress_bar` (an st.progress); None on failure,
    with the reason in session state."""
    def on_progress(fraction: float, message: str) -> None:
        progress_bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        ds = data.load_mnist(source="auto", allow_fallback=False, progress=on_progress)
    except (data.DataError, OSError) as exc:
        st.session_state[DATA_ERROR] = i18n.error_text(exc)
        return None
    if not data.cache_path().exists():  # the cache folder cannot be written (ds.notes say)
        ds.X.setflags(write=False)
        ds.y.setflags(write=False)
        _in_memory()[str(data.cache_path())] = ds
    st.session_state.pop(DATA_ERROR, None)
    st.session_state[DATA_CHOICE] = "mnist"
    return ds


def use_digits_fallback() -> None:
    st.session_state[DATA_CHOICE] = "digits"


@st.cache_resource(max_entries=8, show_spinner=False)
def _split(key: str, test_size: float, seed: int, _ds: Dataset) -> Split:
    """Keyed by data set, test fraction and seed (what changes the split). Shared: read-only."""
    return training.split_of(_ds, test_size, seed)


def split_for(ds: Dataset, config: TrainConfig) -> Split:
    return _split(training.data_key(ds), config.test_size, config.seed, ds)


# --- models ------------------------------------------------------------------------------------


@st.cache_resource
def fit_store() -> FitStore:
    """One store for the whole server: finished fits are immutable and fully determined by
    (data, config), so handing the same object to two sessions is safe; fits asked for by
    several sessions at once run once (single-flight)."""
    return FitStore()


def server_file(name: str) -> Path:
    """A file the server keeps between restarts (the fits' timings, short links, the class
    model): beside the class set, in $DIGITLAB_DB's folder (else ~/.local/share/digitlab)."""
    return classdb.default_path().parent / name


def expected_seconds(ds: Dataset, config: TrainConfig) -> float | None:
    """The expected fit time of `config` on this server (training.expected_seconds): from the
    fits measured here, and the epochs alone when the store holds the training features a fit
    of `config` makes first (an earlier fit of the same rows made them); with the drawing of
    the printed and fat-pen digits it adds, when they are not cached yet (fit_estimate)."""
    return fit_estimate(ds, config)[0]


def fit_estimate(ds: Dataset, config: TrainConfig) -> tuple[float | None, float]:
    """expected_seconds(ds, config), and the part of it that draws the printed and fat-pen
    training digits a fit of `config` adds, once per machine (0 when they are cached:
    estimate.drawing_seconds); one look at the cache for both (it checksums the split)."""
    split = split_for(ds, config)
    ready = fitting.features_ready(config, split.X_train, split.y_train, fit_store(), split.side,
                                   split.checksum)
    to_draw = fitting.digits_to_draw(config, split.X_train, split.y_train, split.side)
    return (training.expected_seconds(config, len(split.y_train), timings(), ready, to_draw),
            estimate.drawing_seconds(*to_draw))


@st.cache_resource
def timings() -> Timings:
    """The fits measured on this machine, for the time estimates (digitlab.training.estimate),
    one per server and kept beside the class set. Shared on purpose: the machine is the
    server's; it holds a few numbers per kind of fit, under its own lock."""
    return Timings(server_file(estimate.FILE_NAME))


@st.cache_resource
def fit_queue() -> FairQueue:
    """One fair queue of fits for the whole server (digitlab.runtime.fairqueue): at most one
    fit per core at once, first come first served per session. Shared on purpose: fairness is
    between sessions; it holds only tickets, under its own lock."""
    return FairQueue(fairqueue.workers_setting(FIT_WORKERS_ENV, fairqueue.cores()))


@st.cache_resource
def sweep_queue() -> FairQueue:
    """The sweeps' own fair queue, one per server: a sweep runs its fits on several threads in
    a child process; one per core run at once (by default), each with the cores the others
    leave: a sweep alone has them all, two side by side a core each (FairQueue's share_idle).
    Shared as the fits' queue is."""
    return FairQueue(fairqueue.workers_setting(SWEEP_WORKERS_ENV, fairqueue.cores()),
                     share_idle=True)


@st.cache_resource
def sweep_store() -> SingleFlightCache:
    """The server's finished sweeps (a result is its points: ~0.3 MB for the default's nine),
    single-flight: a class pressing Run sweep on the same sweep at once runs it once
    (digitlab.sweeps.job). Shared as the fit store is: results are never modified."""
    return SingleFlightCache(SWEEPS_KEPT)


def owner() -> Hashable:
    """Who this session is in the queues: a random token kept in its state."""
    return st.session_state.setdefault(OWNER, uuid.uuid4().hex)


@st.cache_resource
def class_model() -> ClassModel:
    """The model the teacher published, one holder per server. Safe to share: publishing swaps
    a reference under a lock, and the Trained it holds is frozen, so every session sees the
    old model or the new, never a mix."""
    return ClassModel(server_file(classroom.MODEL_FILE))


# The spinners' sentences are said where the cached function is called (in the session's
# language), not in its decorator: a decorator runs once per process, in no session.
@st.cache_resource(show_spinner=False, max_entries=4)
def _default(key: str, _ds: Dataset) -> Trained:
    """The default preset on this data, keyed by the data set. Fitted through the server's
    FitStore (single-flight: ten students opening Draw at once share one fit). Safe to share
    between sessions: a Trained is never modified."""
    config = training.presets()[classroom.DEFAULT_PRESET]
    split = split_for(_ds, config)
    return training.trained(_fit_default(config, split, fit_store(), fit_queue()), split)


def _fit_default(config: TrainConfig, split: Split, store: FitStore,
                 queue: FairQueue) -> fitting.FitResult:
    """The default preset's fit through the server's store, ahead of the class's fits in the
    queue: every session without a model needs it."""
    request = training.queue_request(config, len(split.y_train), "the server's default model",
                                     first=True)
    return fitting.fit(config, split.X_train, split.y_train, side=split.side, store=store,
                       turn=lambda: queue.turn(request))


@st.cache_resource(show_spinner=False, max_entries=4)
def _prepared(key: str, _ds: Dataset) -> threading.Thread:
    """Fit the default preset on this data in the background, once per data set, as soon as
    a page has the data: the server's default model is then ready for Draw, and the training
    features every Fast fit starts from (whatever its C) are in the store before a class
    presses Train. Measured in a class's burst (twenty students pressing Train at once, each
    with their own C, on a fresh server): the first fit used 2.9 CPU s, of which ~2.2 s making
    those features (a fresh 187 MB array), against 0.4-0.8 s for each later fit; with them
    made here first, 0.5 CPU s. Shared: the thread only fills the server's own store, whose
    values are immutable."""
    config = training.presets()[classroom.DEFAULT_PRESET]
    split, store, queue = split_for(_ds, config), fit_store(), fit_queue()

    def prepare() -> None:
        try:
            _fit_default(config, split, store, queue)
        except Exception as exc:  # a page that needs the model fits it itself, and says why
            _log.warning("The default model could not be made in the background: %s", exc)

    thread = threading.Thread(target=prepare, name="digitlab-default-model", daemon=True)
    thread.start()
    return thread


def fallback(ds: Dataset) -> tuple[Trained, str]:
    """(the model for a session without its own, a few words saying which one it is)."""
    key = training.data_key(ds)
    return classroom.fallback_model(published(ds), key, lambda: _default_said(key, ds))


def published(ds: Dataset | None) -> Published | None:
    """The class model; one saved before a restart comes back here, scored on `ds`."""
    if ds is None:
        return class_model().current()
    return class_model().current(lambda config: split_for(ds, config))


def _default_said(key: str, ds: Dataset) -> Trained:
    with st.spinner(_("Getting the default model ready (the {preset} preset, fitted once for "
                      "the whole server: a second or so)…", preset=_(classroom.DEFAULT_PRESET))):
        return _default(key, ds)


def current_job() -> TrainingJob | None:
    return st.session_state.get(JOB)


def trained() -> Trained | None:
    """This session's model; a job that finished while the user was on another page is
    collected here first."""
    job = current_job()
    done = job is not None and not job.running and job.result is not None
    if done and st.session_state.get(TRAINED) is not job.result:
        st.session_state[TRAINED] = job.result
    tr = st.session_state.get(TRAINED)
    history().record(tr)  # every model this session gets passes here (once: by identity)
    return tr


def history() -> History:
    """This session's runs, newest first, their models within the byte budget
    (DIGITLAB_HISTORY_MB, see history_budget)."""
    if HISTORY not in st.session_state:
        st.session_state[HISTORY] = History(history_budget())
    return st.session_state[HISTORY]


def history_budget() -> int:
    """The bytes of models one session's history may hold: $DIGITLAB_HISTORY_MB megabytes, else
    digitlab.lab.history.BUDGET_BYTES (24 MB: the run on screen and another rbf run, or every
    pixel run; 30 sessions x 24 MB = 0.72 GB beside the server's ~0.4 GB at rest). A value that
    is not a positive number is ignored."""
    try:
        mb = float(os.environ.get(HISTORY_MB_ENV, ""))
    except ValueError:
        mb = 0.0
    return int(mb * 1e6) if mb > 0 and math.isfinite(mb) else history_module.BUDGET_BYTES


def start_training(config: TrainConfig, ds: Dataset, warm_start: bool = False,
                   first: bool = False) -> TrainingJob | None:
    """Use a stored fit if there is one (returns None), else start a job for this session in
    the server's fit queue (ahead of the class's waiting fits when `first`: the teacher's). A
    job of this session still waiting there is replaced."""
    split = split_for(ds, config)
    stored = None if warm_start else fitting.stored(fit_store(), config, split.X_train,
                                                    split.y_train, split.side, split.checksum)
    if stored is not None:
        st.session_state[TRAINED] = training.trained(stored, split)
        st.session_state.pop(JOB, None)
        return None
    previous = trained()
    warm = previous.fit if warm_start and previous is not None else None
    waiting = current_job()
    job = TrainingJob(config, split, warm_start_from=warm, store=fit_store(),
                      owner_alive=session_alive(), queue=fit_queue(), owner=owner(),
                      first=first, timings=timings()).start()
    if waiting is not None and waiting.running:  # a press while waiting: the new one replaces it
        waiting.leave()
    job.wait_placed()  # the next run draws it waiting or fitting, sidebar and page alike
    st.session_state[JOB] = job
    return job


def session_alive() -> Callable[[], bool] | None:
    """Whether this browser session is still connected (a closed tab is not): a fit whose
    tab is gone is stopped (TrainingJob). None outside a served app (AppTest, scripts)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    runtime, session = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session)


def model_matches(tr: Trained | None, ds: Dataset | None) -> bool:
    return tr is not None and ds is not None and tr.data_key == training.data_key(ds)
