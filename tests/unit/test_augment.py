"""digitlab.data.augment and the fast solver's batch hook: augmented digits are changed digits in
the Draw page's frame, repeatable with their seed, and an augmented fit only changes what the
batches hold. (What augmentation does to accuracy: benchmarks/canvas.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data import augment
from digitlab.data.augment import Augmentation, augment_images, augment_rows, batch_source
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.pipeline import LOGREG_STEP, PIXELS_STEP
from digitlab.model.solvers.fast import FastLogisticRegression
from digitlab.training import fitting

NONE = Augmentation(rotation=0, stretch=(1, 1), shear=0, scale=(1, 1), shift=0, stroke=0)


def _ink_box_and_centre(img: np.ndarray) -> tuple[int, np.ndarray]:
    ys, xs = np.nonzero(img > 0)
    w = img.astype(np.float64)
    com = np.array([(w.sum(axis=0) * np.arange(28)).sum(), (w.sum(axis=1) * np.arange(28)).sum()])
    return max(np.ptp(xs), np.ptp(ys)) + 1, com / w.sum()


def test_augmented_rows_are_new_uint8_digits_repeatable_with_their_seed(digit_split):
    X = digit_split[0][:64]
    a = augment_rows(X, np.random.default_rng(1))
    b = augment_rows(X, np.random.default_rng(1))
    c = augment_rows(X, np.random.default_rng(2))
    assert a.shape == X.shape and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.array_equal(a, X)
    assert (a.reshape(-1, 784).sum(axis=1) > 0).all()  # no digit was lost off the image


def test_each_digit_lands_in_the_draw_pages_frame(digit_split):
    """Whatever the change, the ink's box is BOX px on its longer side and its centre of mass
    sits on CENTRE, as the preprocessing puts a drawing (give or take a pixel and the shift)."""
    X = digit_split[0][:40]
    out = augment_images(X.reshape(-1, 28, 28), np.random.default_rng(0),
                         Augmentation(shift=0, scale=(1, 1), stroke=0))
    for img in out:
        longer, com = _ink_box_and_centre(img)
        assert abs(longer - augment.BOX) <= 2.0
        assert np.abs(com - augment.CENTRE).max() < 0.6


def test_shift_and_scale_move_and_size_the_digit_within_their_ranges(digit_split):
    X = digit_split[0][:40].reshape(-1, 28, 28)
    moved = augment_images(X, np.random.default_rng(0), Augmentation(
        rotation=0, stretch=(1, 1), shear=0, scale=(0.85, 0.85), shift=2.0, stroke=0))
    offsets = np.array([_ink_box_and_centre(img)[1] - augment.CENTRE for img in moved])
    sizes = np.array([_ink_box_and_centre(img)[0] for img in moved])
    assert np.abs(offsets).max() < 2.6 and np.abs(offsets).max() > 1.0
    assert np.abs(sizes - 0.85 * augment.BOX).max() <= 2.0


def test_stroke_thickens_and_thins_the_ink(digit_split):
    X = digit_split[0][:32].reshape(-1, 28, 28)
    base = augment_images(X, np.random.default_rng(0), NONE)
    thick = augment_images(X, np.random.default_rng(0), Augmentation(
        rotation=0, stretch=(1, 1), shear=0, scale=(1, 1), shift=0, stroke=1.0))
    changed = np.abs(thick.sum(axis=(1, 2)) / base.sum(axis=(1, 2)) - 1)
    assert np.median(changed) > 0.2  # a full 3x3 dilation or erosion is a big change


def test_batch_source_augments_the_rows_it_is_asked_for(digit_split):
    X = digit_split[0][:100]
    calls = []

    def features(rows: np.ndarray) -> np.ndarray:
        calls.append(rows)
        return rows.astype(np.float32)

    get = batch_source(X, features, seed=3)
    first = get(slice(10, 42))
    assert first.shape == (32, 784) and first.dtype == np.float32
    again = batch_source(X, features, seed=3)(slice(10, 42))
    assert np.array_equal(first, again)  # the seed fixes every draw
    assert not np.array_equal(get(slice(10, 42)), first)  # ... and each call is afresh


def test_the_hook_only_changes_what_the_batches_hold(digit_split):
    """A hook that hands back the rows' own features gives the very fit made without one."""
    X, y = digit_split[0][:3000].astype(np.float32) / 255, digit_split[2][:3000]
    plain = FastLogisticRegression(shuffle=False, max_iter=5).fit(X, y)
    hooked = FastLogisticRegression(shuffle=False, max_iter=5).fit(
        X, y, batch_transform=lambda rows: X[rows])
    assert np.array_equal(plain.coef_, hooked.coef_) and plain.n_iter_ == hooked.n_iter_
    with pytest.raises(ValueError, match="shuffle=False"):
        FastLogisticRegression().fit(X, y, batch_transform=lambda rows: X[rows])


def test_an_augmented_fit_trains_on_new_digits_and_still_learns(digit_split):
    X_train, X_test, y_train, y_test = digit_split
    cfg = TrainConfig(train_size=3000, max_iter=8)
    plain = fitting.fit(cfg, X_train, y_train)
    aug = fitting.fit(cfg.replace(augment=True), X_train, y_train)
    again = fitting.fit(cfg.replace(augment=True), X_train, y_train)
    assert not np.array_equal(plain.model[-1].coef_, aug.model[-1].coef_)
    assert np.array_equal(aug.model[-1].coef_, again.model[-1].coef_)  # seeded
    assert aug.model.score(X_test, y_test) > 0.75
    assert list(aug.model.named_steps) == [PIXELS_STEP, LOGREG_STEP]  # nothing of it is kept


@pytest.mark.parametrize("solver", ["lbfgs", "sag"])
def test_augmentation_needs_a_mini_batch_solver_and_says_so(solver):
    with pytest.raises(ConfigError, match="digitlab-fast"):
        TrainConfig(solver=solver, augment=True)
    with pytest.raises(ConfigError, match="True or False"):
        TrainConfig(augment="yes")


def test_the_elastic_field_moves_pixels_by_about_alpha_smoothly():
    dx, dy = augment.elastic_field(16, 30, np.random.default_rng(0), alpha=2.0, sigma=4.0)
    assert dx.shape == dy.shape == (16, 30, 30) and dx.dtype == np.float32
    rms = np.sqrt((dx ** 2 + dy ** 2).mean(axis=(1, 2)) / 2)
    assert np.allclose(rms, 2.0, rtol=0.05)
    step = np.abs(np.diff(dx, axis=2)).mean()  # neighbours move almost alike: it bends,
    assert step < 0.25 * np.abs(dx).mean()  # it does not jitter
    a, b = augment.elastic_field(2, 30, np.random.default_rng(1), 2.0, 4.0)
    assert not np.allclose(a[0], a[1])  # each image its own field


def test_elastic_augmentation_bends_the_digit_and_keeps_its_ink(digit_split):
    X = digit_split[0][:32].reshape(-1, 28, 28)
    plain = augment_images(X, np.random.default_rng(3), NONE)
    bent = augment_images(X, np.random.default_rng(3),
                          Augmentation(**{**NONE.__dict__, "elastic": 1.5}))
    changed = np.abs(bent - plain).mean(axis=(1, 2))
    assert (changed > 1.0).all()
    ink = bent.sum(axis=(1, 2)) / plain.sum(axis=(1, 2))
    # bent: a stroke squeezed here, stretched there, but not smeared away or doubled
    assert 0.9 < np.median(ink) < 1.1 and ((ink > 0.5) & (ink < 1.6)).all()


def test_closing_fills_a_small_hole_and_only_in_the_share_asked_for():
    ring = np.zeros((28, 28), np.float32)
    ring[8:20, 8:20] = 255
    ring[13:15, 13:15] = 0  # a 2x2 hole: a loop drawn small with a fat pen
    X = np.repeat(ring[None], 200, axis=0)
    keep = Augmentation(**{**NONE.__dict__, "scale": (0.6, 0.6)})  # 12 px box stays 12 px
    shut = augment_images(X, np.random.default_rng(0), Augmentation(**{**keep.__dict__,
                                                                       "close": 0.5}))
    def has_hole(imgs):  # the framing moves it by up to a pixel
        return imgs[:, 11:17, 11:17].min(axis=(1, 2)) < 100

    assert 0.35 < has_hole(shut).mean() < 0.65  # about half kept their hole
    assert has_hole(augment_images(X, np.random.default_rng(0), keep)).all()
