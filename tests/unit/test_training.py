"""Background training for the app: presets, the time estimate, a job that reports, stops and
fails with sentences, and the shared store of fits."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data.mnist import Dataset
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.runtime.fairqueue import FairQueue
from digitlab.training import estimate, fitting, tutorial
from digitlab.training import session as training
from digitlab.training.store import FitStore


@pytest.fixture(scope="module")
def split(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    return training.Split.of(X_train, X_test, y_train, y_test, "synthetic", 28)


@pytest.fixture(scope="module")
def tutorial_sized():
    """A split with as many training rows as the tutorial's (59,500), for estimates only: the
    pixels are one blank row repeated (a view, no memory), never fitted."""
    X = np.broadcast_to(np.zeros(784, np.uint8), (59_500, 784))
    y = np.zeros(59_500, np.uint8)
    return training.Split.of(X, X[:10_500], y, y[:10_500], "blank", 28)


def test_a_split_of_a_data_set_is_the_tutorials_split_keyed_by_its_name_and_size(digit_split):
    X = np.concatenate([digit_split[0], digit_split[1]])
    y = np.concatenate([digit_split[2], digit_split[3]])
    ds = Dataset(X, y, "MNIST", "test", "synthetic digits", 28)
    split = training.split_of(ds, test_size=0.15, seed=0)
    assert training.data_key(ds) == split.data_key == f"MNIST:{len(y)}"
    assert training.data_name(split.data_key) == "MNIST" and split.side == 28
    assert len(split.y_train) + len(split.y_test) == len(y)
    assert abs(len(split.y_test) - 0.15 * len(y)) <= 1
    assert np.array_equal(split.X_test, training.split_of(ds, 0.15, 0).X_test)  # the seed's
    assert not np.array_equal(split.X_test, training.split_of(ds, 0.15, 1).X_test)
    for a in (split.X_train, split.X_test, split.y_train, split.y_test):
        assert not a.flags.writeable  # shared between sessions: nobody may write into it
    other = Dataset(X[:100], y[:100], "digits (8x8)", "test", "the first 100", 28)
    assert training.data_key(other) != training.data_key(ds)  # another set, another key
    assert training.data_name(training.data_key(other)) == "digits (8x8)"


def test_a_split_of_four_arrays_keys_the_whole_set_and_leaves_the_arrays_writable():
    X, y = np.zeros((10, 4), np.uint8), np.arange(10) % 2
    split = training.Split.of(X[:7], X[7:], y[:7], y[7:], "blobs", 2)
    assert split.data_key == "blobs:10" and split.side == 2
    assert not split.X_train.flags.writeable and np.shares_memory(split.X_train, X)
    X[0, 0] = 1  # the caller's arrays stay theirs
    assert split.X_train[0, 0] == 1


def test_tutorial_preset_is_the_tutorials_setting():
    assert training.presets()["Tutorial settings"] == tutorial.CONFIG


def test_expected_time_scales_with_images_and_epochs():
    full = training.expected_seconds(tutorial.CONFIG, 59_500)
    assert 10 * 60 <= full <= 30 * 60  # 1000 sag epochs: a quarter of an hour or so
    tenth = training.expected_seconds(tutorial.CONFIG.replace(train_size=5_950), 59_500)
    start = estimate.START_S  # a scikit-learn fit's child process, whatever its size
    assert tenth - start == pytest.approx((full - start) / 10)
    assert training.expected_seconds(TrainConfig(solver="lbfgs"), 59_500) is None


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_job_fits_evaluates_and_reports(split):
    job = training.TrainingJob(TrainConfig(solver="sag", max_iter=3, train_size=500), split)
    assert job.running
    job.start()
    assert job.wait(60)
    assert job.error is None and job.result is not None
    tr = job.result
    assert tr.fit.n_train == 500 and 0.5 < tr.evaluation.accuracy <= 1
    assert tr.evaluation.yhat.shape == split.y_test.shape
    assert job.events[0].message == "fitting" and job.events[-1].message == "done"
    assert job.progress()[0] == 1.0


def test_job_turns_a_refused_setting_into_a_sentence(split):
    one_class = training.Split.of(split.X_train[:50], split.X_test[:50],
                                  np.zeros(50, np.uint8), split.y_test[:50], "x", 28)
    job = training.TrainingJob(TrainConfig(train_size=20), one_class).start()
    assert job.wait(30)
    assert job.result is None
    assert job.error.startswith("Training could not run:") and "one class" in job.error


def test_sklearn_progress_is_an_estimate_until_done(tutorial_sized):
    # not started: only asked for progress
    job = training.TrainingJob(tutorial.CONFIG, tutorial_sized)
    fraction, text = job.progress()
    assert fraction is not None and fraction < 0.01
    assert training.format_seconds(full_estimate := training.expected_seconds(
        tutorial.CONFIG, len(tutorial_sized.y_train))) in text and "estimated" in text
    assert full_estimate > 600
    job = training.TrainingJob(TrainConfig(solver="lbfgs"), tutorial_sized)
    assert job.progress()[0] is None  # no honest fraction for lbfgs
    sag = solvers.get(tutorial.CONFIG.solver)
    assert sag.can_stop and not sag.keeps_best  # Stop ends it; it has no model until done


def test_store_shares_complete_fits_and_drops_the_oldest(split):
    store = FitStore(fits=2)
    # the store's rule is the same for every solver: digitlab-fast, in this process (sag
    # fitted each of these three in a child process, ~5 s)
    config = TrainConfig(solver=solvers.FAST, max_iter=2, train_size=300)
    job = training.TrainingJob(config, split, store=store)
    assert job.start().wait(60)
    tr = job.result
    shared = fitting.stored(store, config, split.X_train, split.y_train)
    assert shared is not None and shared.model is tr.fit.model
    other_data = split.X_train[:1000]  # another data set: not the same fit
    assert fitting.stored(store, config, other_data, split.y_train[:1000]) is None
    for n in (301, 302):  # two newer fits push the first one out
        training.TrainingJob(config.replace(train_size=n), split, store=store).start().wait(60)
    assert len(store.fits) == 2
    assert fitting.stored(store, config, split.X_train, split.y_train) is None


def test_fast_solver_reports_each_epoch_for_the_live_curve(split):
    job = training.TrainingJob(TrainConfig(solver=solvers.FAST, train_size=5000), split)
    assert job.start().wait(60) and job.error is None, job.error
    epochs = [e for e in job.events if e.iteration >= 1 and e.loss is not None]
    assert len(epochs) >= 2
    assert all(0 < e.val_accuracy <= 1 for e in epochs)
    fraction, text = job.progress()
    assert fraction == 1.0


def test_stop_keeps_the_best_model_so_far(split):
    config = TrainConfig(solver=solvers.FAST, max_iter=200, train_size=5000)
    assert solvers.get(config.solver).can_stop
    store = FitStore()
    job = training.TrainingJob(config, split, store=store)
    job.stop()  # asked before the first epoch: the solver must stop at its first check
    assert job.start().wait(60) and job.error is None, job.error
    tr = job.result
    assert tr.stopped and tr.fit.n_iter < config.max_iter
    assert any("Stopped on request" in note for note in tr.fit.notes)
    assert tr.evaluation.yhat.shape == split.y_test.shape
    # not what its config describes: not stored for others
    assert fitting.stored(store, config, split.X_train, split.y_train) is None


def test_a_split_checksums_its_training_rows_once_however_many_fits_ask(digit_split,
                                                                        monkeypatch):
    X_train, X_test, y_train, y_test = digit_split
    split = training.Split.of(X_train, X_test, y_train, y_test, "synthetic", 28)  # its own
    sums = []
    real = fitting.data_checksum
    monkeypatch.setattr(fitting, "data_checksum", lambda X, y: sums.append(1) or real(X, y))
    store, queue = FitStore(), FairQueue(workers=1)
    for C in (0.1, 1.0):  # two presses, each through the store and the queue (as the app's)
        config = TrainConfig(solver=solvers.FAST, max_iter=2, train_size=300, C=C)
        job = training.TrainingJob(config, split, store=store, queue=queue, owner="ann")
        assert job.start().wait(60) and job.error is None, job.error
        again = fitting.stored(store, config, split.X_train, split.y_train, split.side,
                               split.checksum)  # the page's look before it starts a job
        assert again is not None and again.model is job.result.fit.model
    assert len(sums) == 1
    assert split.checksum == real(X_train, y_train)  # the same key as computed afresh
    assert fitting.stored(store, config, X_train, y_train) is not None


def test_a_fit_that_must_draw_its_training_digits_first_is_expected_to_and_says_so(
        split, tmp_path, monkeypatch):
    """Issue 22 item 8: a machine's first Robust fit draws its printed and fat-pen digits
    (then cached beside MNIST). Its estimate adds that drawing and its progress says it draws
    them once; once they are cached (a later fit, a restarted server), neither."""
    from digitlab.data import fatpen, typeset

    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))  # a fresh machine's empty cache
    monkeypatch.setattr(fatpen, "_MEMO", {})
    monkeypatch.setattr(typeset, "_HELD", set())
    typeset.rows.cache_clear()
    config = TrainConfig(deskew=True, printed=20, fat_pen=10, seed=7)
    n = len(split.y_train)
    fit_alone = training.expected_seconds(config, n)
    assert fit_alone is not None
    job = training.TrainingJob(config, split)  # not started: asked for its estimate only
    assert job.to_draw == (20, 10)
    drawing = estimate.drawing_seconds(20, 10)
    assert drawing > 0 and estimate.drawing_seconds(0, 0) == 0
    with_drawing = training.expected_seconds(config, n, to_draw=job.to_draw)
    assert with_drawing == pytest.approx(fit_alone + drawing)
    assert "drawing the printed and fat-pen training digits once" in job.progress()[1]
    # the fit's own drawing: rows drawn and cached as fitting.with_printed draws them
    fitting.with_printed(config, split.X_train, split.y_train, 28)
    for restarted in (False, True):
        if restarted:  # memory gone: the cache files still hold them
            monkeypatch.setattr(fatpen, "_MEMO", {})
            monkeypatch.setattr(typeset, "_HELD", set())
            typeset.rows.cache_clear()
        later = training.TrainingJob(config, split)
        assert later.to_draw == (0, 0)
        assert "drawing" not in later.progress()[1]
        assert training.expected_seconds(config, n, to_draw=later.to_draw) == pytest.approx(
            fit_alone)
    # only what is missing is drawn: another number of fat-pen digits, the printed ones cached
    assert fitting.digits_to_draw(config.replace(fat_pen=12), split.X_train, split.y_train) \
        == (0, 12)
    assert fitting.digits_to_draw(TrainConfig(), split.X_train, split.y_train) == (0, 0)
    # a fit that draws them is not this kind's measurement (its time is mostly the drawing);
    # the next one, reading them from the cache, is
    timings, recorded = estimate.Timings(seed={}), []
    monkeypatch.setattr(timings, "record", lambda config, *a, **k: recorded.append(config))
    fresh = config.replace(seed=8)  # digits not drawn for this seed yet
    first = training.TrainingJob(fresh, split, timings=timings).start()
    assert first.to_draw != (0, 0) and first.wait(60) and first.result is not None
    assert recorded == []
    second = training.TrainingJob(fresh, split, timings=timings).start()
    assert second.to_draw == (0, 0) and second.wait(60) and second.result is not None
    assert recorded == [fresh]
    typeset.rows.cache_clear()  # no rows of this temporary cache left for other tests
