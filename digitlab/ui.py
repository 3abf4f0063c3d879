"""The few Streamlit helpers the pages share: cached data and models, session state, the
sidebar, guarded page bodies. The only module in digitlab that imports Streamlit.

Caching rule of the house: `st.cache_resource` for big values handed out by reference (the data,
the splits, the shared store of fits) — safe because nothing ever mutates them (arrays are made
read-only); `st.cache_data` for small pure results such as rendered figures (copied per call).
What one user trains lives in *their* session state; only identical fits are shared.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np
import streamlit as st

from digitlab import data, plots
from digitlab.data import Dataset
from digitlab.model import TrainConfig
from digitlab.training import FitStore, Split, Trained, TrainingJob

# Session-state keys (one user's own things).
TRAINED = "trained"  # the Trained this session is looking at
JOB = "job"  # the TrainingJob running (or just finished) for this session
DATA_CHOICE = "data_choice"  # "mnist" (default) or "digits" (the 8x8 fallback, chosen)
DATA_ERROR = "data_error"  # why loading failed, as a sentence

PAGES = {
    "home": "views/home.py",
    "train": "views/train.py",
    "gallery": "views/gallery.py",
    "draw": "views/draw.py",
}
# Material icons ship with Streamlit's own font; emoji would need a colour-emoji font that
# projector PCs and headless browsers often lack (they show empty boxes).
ICONS = {
    "home": ":material/home:",
    "train": ":material/model_training:",
    "gallery": ":material/photo_library:",
    "draw": ":material/draw:",
}


# --- data --------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the digits…", max_entries=4)
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
        return None
    try:
        return _load("cache", str(path))
    except data.DataError as exc:
        st.session_state[DATA_ERROR] = f"The MNIST cache could not be read: {exc}"
        return None


def fetch(progress_bar) -> Dataset | None:
    """Download MNIST into the cache, moving `progress_bar` (an st.progress); None on failure,
    with the reason in session state."""
    def on_progress(fraction: float, message: str) -> None:
        progress_bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        ds = data.load_mnist(source="auto", allow_fallback=False, progress=on_progress)
    except (data.DataError, OSError) as exc:
        st.session_state[DATA_ERROR] = str(exc)
        return None
    st.session_state.pop(DATA_ERROR, None)
    st.session_state[DATA_CHOICE] = "mnist"
    return ds


def use_digits_fallback() -> None:
    st.session_state[DATA_CHOICE] = "digits"


def data_key(ds: Dataset) -> str:
    return f"{ds.name}:{len(ds.y)}"


@st.cache_resource(max_entries=8, show_spinner=False)
def _split(key: str, test_size: float, seed: int, _ds: Dataset) -> Split:
    """Keyed by data set, test fraction and seed (what changes the split). Shared: read-only."""
    X_train, X_test, y_train, y_test = data.split(_ds.X, _ds.y, test_size=test_size, seed=seed)
    for a in (X_train, X_test, y_train, y_test):
        a.setflags(write=False)
    return Split(X_train, X_test, y_train, y_test, key, _ds.side)


def split_for(ds: Dataset, config: TrainConfig) -> Split:
    return _split(data_key(ds), config.test_size, config.seed, ds)


# --- models ------------------------------------------------------------------------------------


@st.cache_resource
def fit_store() -> FitStore:
    """One store for the whole server: finished fits are immutable and fully determined by
    (data, config), so handing the same object to two sessions is safe."""
    return FitStore()


def current_job() -> TrainingJob | None:
    return st.session_state.get(JOB)


def trained() -> Trained | None:
    """This session's model; a job that finished while the user was on another page is
    collected here first."""
    job = current_job()
    done = job is not None and not job.running and job.result is not None
    if done and st.session_state.get(TRAINED) is not job.result:
        st.session_state[TRAINED] = job.result
        fit_store().put(job.result)
    return st.session_state.get(TRAINED)


def start_training(config: TrainConfig, ds: Dataset,
                   warm_start: bool = False) -> TrainingJob | None:
    """Use a stored fit if there is one (returns None), else start a job for this session."""
    split = split_for(ds, config)
    stored = None if warm_start else fit_store().get(split.data_key, config)
    if stored is not None:
        st.session_state[TRAINED] = stored
        st.session_state.pop(JOB, None)
        return None
    previous = trained()
    warm = previous.fit if warm_start and previous is not None else None
    job = TrainingJob(config, split, warm_start_from=warm).start()
    st.session_state[JOB] = job
    return job


def model_matches(tr: Trained | None, ds: Dataset | None) -> bool:
    return tr is not None and ds is not None and tr.data_key == data_key(ds)


# --- figures (cached as PNG bytes: pure functions of small inputs, safe to share) ---------------


@st.cache_data(max_entries=32, show_spinner=False)
def confusion_png(confusion: np.ndarray, title: str) -> bytes:
    return plots.to_png(plots.confusion_heatmap(confusion, title=title))


@st.cache_data(max_entries=32, show_spinner=False)
def grid_png(images: np.ndarray, titles: tuple[str, ...], side: int, ncols: int,
             colors: tuple[str, ...] | None = None) -> bytes:
    return plots.to_png(plots.digit_grid(images, titles, side, ncols, colors))


@st.cache_data(max_entries=8, show_spinner=False)
def balance_png(y: np.ndarray) -> bytes:
    return plots.to_png(plots.class_balance(y))


@st.cache_data(max_entries=256, show_spinner=False)
def bars_png(proba: np.ndarray, predicted: int | None, true: int | None) -> bytes:
    return plots.to_png(plots.probability_bars(proba, predicted, true))


@st.cache_data(max_entries=64, show_spinner=False)
def curve_png(iterations: tuple[int, ...], loss: tuple[float | None, ...],
              val_accuracy: tuple[float | None, ...], size: tuple[float, float]) -> bytes:
    return plots.to_png(plots.training_curve(iterations, loss, val_accuracy, size))


def history_png(events, size: tuple[float, float] = (7, 3.4)) -> bytes | None:
    """The training curve from ProgressEvents, epochs 1 onwards (epoch 0, the untrained start,
    would squash the scale), or None when fewer than two epochs report a loss or an accuracy
    (scikit-learn's solvers report neither)."""
    points = [e for e in events if e.iteration >= 1
              and (e.loss is not None or e.val_accuracy is not None)]
    if len(points) < 2:
        return None
    return curve_png(tuple(e.iteration for e in points), tuple(e.loss for e in points),
                     tuple(e.val_accuracy for e in points), size)


def probability_chart(proba: np.ndarray, predicted: int) -> None:
    """The ten probabilities as a bar chart the browser draws (a plain Vega-Lite spec: nothing
    to render or validate on the server). This keeps the Draw page's answer to a stroke quick:
    a matplotlib PNG here cost ~70 ms and delayed the Prediction metric by ~40 ms in Chromium."""
    proba = np.asarray(proba, dtype=float)
    rows = [{"digit": str(d), "probability": float(p), "label": plots.percent(p),
             "answer": d == predicted} for d, p in enumerate(proba)]
    axis = {"labelFontSize": 14, "titleFontSize": 14, "labelAngle": 0, "grid": False}
    spec = {
        "data": {"values": rows},
        "height": 230,
        "encoding": {
            "x": {"field": "digit", "type": "nominal", "sort": None, "axis": axis},
            "y": {"field": "probability", "type": "quantitative", "scale": {"domain": [0, 1.1]},
                  "axis": {**axis, "format": "%", "values": [0, 0.5, 1]}},
        },
        "layer": [
            {"mark": "bar", "encoding": {"color": {
                "condition": {"test": "datum.answer", "value": plots.ACCENT},
                "value": plots.NEUTRAL}}},
            {"mark": {"type": "text", "dy": -9, "fontSize": 13},
             "encoding": {"text": {"field": "label"}}},
        ],
    }
    st.vega_lite_chart(spec, width="stretch")


def big_digit(row: np.ndarray, side: int, size: int = 280) -> np.ndarray:
    return plots.enlarge(plots.as_image(row, side), size)


def step_strip(steps: dict[str, np.ndarray], size: int = 140) -> tuple[list, list[str]]:
    """The preprocessing steps as same-size crisp squares, and numbered captions; the last
    step is what the model is given."""
    names = list(steps)
    images = [plots.enlarge(plots.square(steps[name]), size) for name in names]
    captions = [f"{i}. {name}" for i, name in enumerate(names, 1)]
    if captions:
        captions[-1] += " → the model"
    return images, captions


# --- page frame ----------------------------------------------------------------------------


def sidebar_status(ds: Dataset | None, tr: Trained | None) -> None:
    """Two lines under the navigation: which data, which model."""
    with st.sidebar:
        if ds is None:
            st.caption("**Data:** none yet — fetch MNIST on Home.")
        else:
            st.caption(f"**Data:** {ds.name}, {len(ds.y):,} images of {ds.side}x{ds.side}")
        job = current_job()
        if job is not None and job.running:
            st.caption(f"**Model:** training ({job.config.solver})…")
        elif tr is None:
            st.caption("**Model:** none yet — train one on Train.")
        else:
            c = tr.config
            st.caption(f"**Model:** {c.solver}, accuracy {tr.evaluation.accuracy:.3f}"
                       + (" (stopped early)" if tr.stopped else ""))


def need_data(ds: Dataset | None) -> Dataset:
    """Stop the page with a sentence and a link when there is no data."""
    if ds is None:
        st.info("There is no data yet. Fetch MNIST on the Home page first (about 20 MB, once).")
        st.page_link(PAGES["home"], label="Go to Home to fetch the data", icon=ICONS["home"])
        st.stop()
    return ds


def need_model(ds: Dataset, tr: Trained | None) -> Trained:
    """Stop the page with what to do when there is no model for this data."""
    if not model_matches(tr, ds):
        if tr is None:
            st.info("No model is trained yet. Train one first: the **Fast** preset takes "
                    "seconds.")
        else:
            st.info(f"The trained model was fitted on {tr.data_key.split(':')[0]}, not on "
                    f"{ds.name}. Train a model on this data first.")
        st.page_link(PAGES["train"], label="Go to Train", icon=ICONS["train"])
        st.stop()
    return tr  # type: ignore[return-value]


@contextlib.contextmanager
def guard(what: str = "This page") -> Iterator[None]:
    """Turn an unexpected error into a sentence with a next step, never a traceback.

    Streamlit's own control flow (st.stop, reruns) derives from BaseException and passes
    through. Set DIGITLAB_RAISE=1 to let errors through (debugging)."""
    try:
        yield
    except Exception as exc:
        if os.environ.get("DIGITLAB_RAISE"):
            raise
        st.error(f"{what} hit a problem it did not expect ({type(exc).__name__}: {exc}). "
                 "Reload the page; if it happens again, train a new model or re-fetch the "
                 "data on Home.")

