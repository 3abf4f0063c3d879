"""The fit store: least recently used first out, and single-flight — a value asked for by many
callers at once is computed once, and everyone gets it (with its events as they come)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from digitlab.model.config import TrainConfig
from digitlab.model.pipeline import FEATURES_STEP
from digitlab.training import fitting
from digitlab.training.store import FitStore, SingleFlightCache
from tests.support.threads import InThread


def test_the_least_recently_used_value_goes_first():
    cache = SingleFlightCache(2)
    for key in "abc":
        cache.get_or_compute(key, lambda emit, k=key: k.upper())
    assert cache.peek("a") is None and cache.peek("c") == "C" and len(cache) == 2
    assert cache.get_or_compute("b", lambda emit: "not again") == ("B", "stored")


def test_many_callers_at_once_compute_once_and_all_get_the_value():
    cache, runs = SingleFlightCache(4), []
    gate, told = threading.Event(), threading.Semaphore(0)

    def compute(emit):
        runs.append(1)
        emit("half way")
        gate.wait(10)  # hold the flight open until every caller has asked
        return object()

    def ask():
        events = []

        def seen(event):
            events.append(event)
            told.release()  # this caller is in the flight (leader, or a waiter relayed to)

        value, how = cache.get_or_compute("k", compute, on_event=seen)
        return value, how, events

    callers = [InThread(ask) for _ in range(10)]
    for _ in callers:  # every caller has heard the flight's event: all ten are in it
        assert told.acquire(timeout=10)
    gate.set()
    results = [c.result() for c in callers]
    assert len(runs) == 1
    assert len({id(v) for v, _, _ in results}) == 1
    assert sorted(how for _, how, _ in results) == ["computed"] + ["joined"] * 9
    assert all(events == ["half way"] for _, _, events in results)


def test_a_value_that_is_not_kept_is_computed_again_by_a_waiter():
    cache, gate, runs = SingleFlightCache(4), threading.Event(), []
    waiting = threading.Event()

    def compute(emit):
        runs.append(1)
        if len(runs) == 1:
            emit("leading")
            gate.wait(10)
            return "stopped"  # the leader's own stop: not what the key describes
        return "whole"

    keep = lambda v: v == "whole"  # noqa: E731
    leading = threading.Event()
    leader = InThread(lambda: cache.get_or_compute("k", compute, keep=keep,
                                                    on_event=lambda e: leading.set()))
    assert leading.wait(10)
    waiter = InThread(lambda: cache.get_or_compute("k", compute, keep=keep,
                                                    on_event=lambda e: waiting.set()))
    assert waiting.wait(10)  # the leader's event was relayed: the waiter is in the flight
    gate.set()
    assert leader.result() == ("stopped", "computed")
    assert waiter.result() == ("whole", "computed")
    assert len(runs) == 2 and cache.peek("k") == "whole"


def test_a_waiter_can_stop_waiting_and_a_failure_reaches_everyone():
    cache, gate = SingleFlightCache(4), threading.Event()
    started, waiting = threading.Event(), threading.Event()

    def slow(emit):
        emit("started")
        gate.wait(10)
        raise MemoryError("too big")

    def not_the_leaders(emit):
        return "computed by the waiter"  # it would if it had not joined the failing flight

    leader = InThread(lambda: cache.get_or_compute("k", slow, on_event=lambda e: started.set()))
    assert started.wait(10)
    assert cache.get_or_compute("k", slow, should_stop=lambda: True) == (None, "abandoned")
    waiter = InThread(lambda: cache.get_or_compute("k", not_the_leaders,
                                                    on_event=lambda e: waiting.set()))
    assert waiting.wait(10)
    gate.set()
    for caller in (leader, waiter):
        with pytest.raises(MemoryError, match="too big"):
            caller.result()
    assert cache.peek("k") is None


def test_a_private_call_uses_a_stored_value_but_never_stores_its_own():
    cache = SingleFlightCache(4)
    assert cache.get_or_compute("k", lambda emit: "mine", private=True) == ("mine", "computed")
    assert cache.peek("k") is None
    cache.get_or_compute("k", lambda emit: "shared")
    assert cache.get_or_compute("k", lambda emit: "mine", private=True) == ("shared", "stored")


def test_ten_sessions_asking_for_the_same_fit_at_once_share_one(tiny):
    X, y = tiny
    store, results = FitStore(), []
    config = TrainConfig(max_iter=5)
    threads = [threading.Thread(target=lambda: results.append(
        fitting.fit(config, X, y, store=store))) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 10 and len({id(r.model) for r in results}) == 1
    shared = [r for r in results if any("Shared one fit" in n for n in r.notes)]
    reused = [r for r in results if any("Reused" in n for n in r.notes)]
    assert len(shared) + len(reused) == 9  # everyone but the one who fitted
    assert len(store.fits) == 1 and len(store.features) == 1


def test_a_warm_start_is_not_stored_as_its_configs_fit(tiny):
    X, y = tiny
    store = FitStore()
    first = fitting.fit(TrainConfig(max_iter=5), X, y, store=store)
    warm = fitting.fit(TrainConfig(max_iter=5, C=0.1), X, y, warm_start_from=first, store=store)
    assert warm.warm_started and any("Warm start" in n for n in warm.notes)
    assert fitting.stored(store, TrainConfig(max_iter=5, C=0.1), X, y) is None
    assert fitting.stored(store, TrainConfig(max_iter=5), X, y).model is first.model


@pytest.mark.parametrize("kinds", [("pixels", "rbf"), ("rbf", "pixels")])
def test_a_class_mixing_pixel_and_rbf_fits_maps_the_images_once(tiny, monkeypatch, kinds):
    """A lesson where some students pick rbf features: their fits take turns with the pixel
    fits in the queue, and each kind's features must stay (the rbf map of the full split is
    ~20 CPU s: computed again at every turn, a third of a class spent minutes on it). The rbf
    map starts from the pixel features the pixel fits made: the images are made into pixel
    features once, not once per kind."""
    X, y = tiny
    mapped = []

    class Counted(fitting.PixelTransform):
        def fit_transform(self, X, y=None):
            mapped.append(1)
            return super().fit_transform(X, y)

    monkeypatch.setattr(fitting, "PixelTransform", Counted)
    store = FitStore()
    for C in (1.0, 0.1, 0.01):
        for kind in kinds:  # whichever kind comes first
            fitting.fit(TrainConfig(max_iter=2, C=C, features=kind), X, y, store=store)
    assert len(mapped) == 1 and len(store.features) == 2


def test_an_rbf_fit_beside_pixel_fits_holds_the_rows_once_and_fits_the_same_model(tiny):
    """The rbf features made from the stored pixel features are the ones made from the images
    (the same model), and the two kinds' entries share one copy of the shuffled rows (47 MB
    of the full split, and its 187 MB of pixel features are not made a second time)."""
    X, y = tiny
    rbf = TrainConfig(max_iter=3, features="rbf")
    alone = fitting.fit(rbf, X, y)
    store = FitStore()
    fitting.fit(TrainConfig(max_iter=3), X, y, store=store)
    beside = fitting.fit(rbf, X, y, store=store)
    assert np.array_equal(alone.model.predict_proba(X), beside.model.predict_proba(X))
    pixels_entry, rbf_entry = store.features.values()
    assert rbf_entry[4] is pixels_entry[4]  # the uint8 rows the solver fits on: one array


def test_fits_of_one_feature_map_share_the_fitted_map(tiny):
    """Two students' rbf fits (their own C) hold one fitted map between them, not a copy each
    (the full split's rbf map is ~19 MB of landmarks and their kernel)."""
    X, y = tiny
    store = FitStore()
    a, b = (fitting.fit(TrainConfig(max_iter=2, C=C, features="rbf"), X, y, store=store)
            for C in (1.0, 0.1))
    assert a.model is not b.model
    assert a.model.named_steps[FEATURES_STEP] is b.model.named_steps[FEATURES_STEP]
