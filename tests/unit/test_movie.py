"""digitlab.training.movie: the weights epoch by epoch, within a bound, ending on the model's."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.training.movie import Recorder


def coef(epoch: int) -> np.ndarray:
    return np.full((3, 4), float(epoch))


@pytest.mark.parametrize("epochs", [1, 5, 31, 32, 33, 200, 1000])
def test_a_long_fit_keeps_at_most_max_frames_evenly_spread(epochs):
    rec = Recorder(max_frames=32)
    for e in range(epochs + 1):  # epoch 0 is the model before the first epoch
        rec.add(e, coef(e))
    movie = rec.finish(coef(epochs), epochs)
    assert movie is not None
    assert len(movie.epochs) <= 32 and movie.epochs[0] == 0
    steps = np.diff(movie.epochs)
    assert len(set(steps.tolist())) <= 1  # one stride over the whole fit
    assert movie.coefs.nbytes <= 32 * 3 * 4 * 2  # float16
    for i, e in enumerate(movie.epochs):
        assert np.all(movie.frame(i) == e)  # each frame is its epoch's weights


def test_the_last_frame_is_the_final_model_itself_and_says_its_epoch():
    rec = Recorder()
    for e in range(6):
        rec.add(e, coef(e) + 0.123456789)
    final = coef(4) + 0.123456789  # the fit kept epoch 4, not the last one
    movie = rec.finish(final, 4)
    assert movie is not None and len(movie) == 7
    assert np.array_equal(movie.frame(-1), final)
    assert movie.final is final  # no copy: the model's own weights
    assert movie.epoch(-1) == 4 and movie.epoch(0) == 0
    assert movie.images(-1, 2).shape == (3, 2, 2)


def test_a_copy_is_kept_not_the_solvers_array():
    rec = Recorder()
    w = coef(0)
    rec.add(0, w)
    w += 5  # the solver goes on in place
    movie = rec.finish(coef(1), 1)
    assert movie is not None and np.all(movie.frame(0) == 0)


def test_no_frames_or_other_shapes_make_no_movie():
    assert Recorder().finish(coef(1), 1) is None
    rec = Recorder()
    rec.add(0, coef(0))
    assert rec.finish(np.zeros((3, 5)), 1) is None
    with pytest.raises(ValueError):
        Recorder(max_frames=1)
