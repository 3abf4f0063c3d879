"""The server's default model, made in the background as soon as a page has the data (the app's
launcher turns this on): Draw then has it, and a class's first Fast fits find their training
features made (pages/shared/state.py, _prepared)."""

from __future__ import annotations

import numpy as np

from digitlab.classroom import publish as classroom
from digitlab.data.sources import Dataset
from digitlab.training import fitting
from digitlab.training import session as training
from pages.shared import state

from .page_utils import open_app


def small_digits(n: int = 610) -> Dataset:
    """Synthetic 28x28 "digits": a bright column per class, so the Fast preset fits in a blink."""
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    X = rng.integers(0, 40, size=(n, 28 * 28), dtype=np.uint8).reshape(n, 28, 28)
    X[np.arange(n), 4:24, 2 + 2 * y] = 250
    return Dataset(X.reshape(n, -1), y.astype(np.int64), "MNIST", "test",
                   "synthetic digits", 28)


def test_the_default_model_and_its_features_are_made_in_the_background_once():
    ds = small_digits()
    key = training.data_key(ds)
    config = training.presets()[classroom.DEFAULT_PRESET]
    split = state.split_for(ds, config)
    assert not fitting.features_ready(config, split.X_train, split.y_train, state.fit_store(),
                                      split.side, split.checksum)
    thread = state._prepared(key, ds)
    assert thread is state._prepared(key, ds)  # once per data set, however many pages ask
    thread.join(120)
    assert not thread.is_alive()
    store = state.fit_store()
    stored = fitting.stored(store, config, split.X_train, split.y_train, split.side,
                            split.checksum)
    assert stored is not None and stored.config == config
    # a student's Fast fit with another C starts from these features
    other = config.replace(C=config.C / 10)
    assert fitting.features_ready(other, split.X_train, split.y_train, store, split.side,
                                  split.checksum)
    # and Draw's default model is that fit, reused, not fitted again
    assert state._default(key, ds).fit.reused


def test_a_page_with_the_data_starts_it_only_when_the_launcher_asked(mnist, monkeypatch):
    asked = []
    monkeypatch.setattr(state, "_prepared", lambda key, ds: asked.append(key))
    open_app()
    assert asked == []  # an app test: off
    monkeypatch.setattr(state, "PREPARE_DEFAULT", True)
    open_app("train")
    assert asked and set(asked) == {training.data_key(mnist)}
