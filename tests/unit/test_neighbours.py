"""digitlab.lab.neighbours: exact nearest training images (checked against brute force), a training
image's nearest neighbour is itself, and the search widens when its first candidates might
miss one."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.lab import neighbours


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    # Clustered rows (ten "digits" plus noise), like images of a few kinds.
    centres = rng.integers(0, 256, size=(10, 784))
    y = rng.integers(0, 10, size=3000)
    X = np.clip(centres[y] + rng.normal(0, 40, size=(3000, 784)), 0, 255).astype(np.uint8)
    return X, y


@pytest.fixture(scope="module")
def index(rows):
    X, y = rows
    return neighbours.build(X, y, components=20)


def brute_force(X, q, k):
    d2 = ((X.astype(np.float64) - q.astype(np.float64)) ** 2).sum(axis=1)
    return np.argsort(d2, kind="stable")[:k], np.sqrt(np.sort(d2)[:k])


@pytest.mark.parametrize("candidates", [256, 8])  # 8: forces the search to widen
def test_nearest_is_exactly_the_brute_force_answer(rows, index, candidates):
    X, y = rows
    rng = np.random.default_rng(1)
    for _ in range(10):
        q = np.clip(X[rng.integers(len(X))] + rng.normal(0, 30, 784), 0, 255).astype(np.uint8)
        found, dist = neighbours.nearest(index, q, k=5, candidates=candidates)
        want, want_dist = brute_force(X, q, 5)
        assert np.allclose(dist, want_dist, rtol=1e-4)
        assert set(found) == set(want)


def test_a_training_image_is_its_own_nearest_neighbour(rows, index):
    X, y = rows
    for i in (0, 17, 2999):
        found, dist = neighbours.nearest(index, X[i].reshape(28, 28), k=3)
        assert found[0] == i and dist[0] == 0.0


def test_the_vote_counts_the_commonest_label(rows, index):
    X, y = rows
    found, _ = neighbours.nearest(index, X[5], k=8)
    label, votes = neighbours.vote(index, found)
    assert votes == int((y[found] == label).sum()) and votes >= 4


def test_a_deskewing_index_compares_deskewed_images(rows):
    from digitlab.data.deskew import deskew_rows

    X, y = rows
    index = neighbours.build(X[:500], y[:500], deskew=True, components=10)
    assert np.array_equal(index.X, deskew_rows(X[:500]))
    found, dist = neighbours.nearest(index, X[42], k=1)
    assert found[0] == 42 and dist[0] == 0.0
