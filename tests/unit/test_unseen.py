"""digitlab.data.unseen: the printed and writers families are drawings the Draw page can read,
repeat
with their seed, and hold their report and tuning parts apart."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.data import preprocess, unseen


def test_report_and_tuning_faces_are_disjoint_and_each_has_every_source():
    report, tuning = unseen.faces("report"), unseen.faces("tuning")
    assert not {f.name for f in report} & {f.name for f in tuning}
    assert len(report) + len(tuning) == len(unseen.FACES)
    for part in (report, tuning):
        assert {f.kind for f in part} == {"hershey", "opencv", "ttf"}
    with pytest.raises(ValueError, match="part"):
        unseen.faces("all")


@pytest.mark.parametrize("face", unseen.FACES, ids=lambda f: f"{f.kind}-{f.name}")
def test_every_face_renders_every_digit(face):
    rng = np.random.default_rng(0)
    for digit in range(10):
        g = unseen.glyph(face, digit, rng)
        assert g.dtype == np.float32 and g.max() > 0.9 and g.min() == 0.0
        ys, xs = np.nonzero(g > 0.5)
        assert np.ptp(ys) > unseen.GLYPH_PX * 0.4  # a whole digit, not a dot or a '?'


def test_writers_parts_split_the_digits_in_two_halves():
    report, tuning = unseen.writer_indices("report"), unseen.writer_indices("tuning")
    assert len(report) + len(tuning) == len(unseen.writer_digits()[1]) == 1797
    assert not set(report) & set(tuning)


@pytest.mark.parametrize("family", list(unseen.FAMILIES))
def test_drawings_are_canvases_the_preprocessing_reads_and_repeat_with_their_seed(family):
    canvas = list(unseen.drawings(family, "canvas", seed=0, limit=12))
    paper = list(unseen.drawings(family, "paper", seed=0, limit=3))
    assert len(canvas) == 12 and all(d.shape == (280, 280, 4) for d, _ in canvas)
    assert all(d.shape == (280, 280, 3) for d, _ in paper)
    assert all(0 <= label <= 9 for _, label in canvas)
    read = [preprocess.to_mnist(d) for d, _ in canvas + paper]
    assert sum(p.empty for p in read) <= 1
    again = list(unseen.drawings(family, "canvas", seed=0, limit=2))
    other = list(unseen.drawings(family, "canvas", seed=1, limit=2))
    assert np.array_equal(again[0][0], canvas[0][0]) and not np.array_equal(other[0][0],
                                                                            canvas[0][0])
    with pytest.raises(ValueError, match="family"):
        unseen.drawings("graffiti", "canvas")


def test_printed_drawings_cycle_through_every_face_and_digit_before_repeating():
    labels = [y for _, y in unseen.drawings("printed", "canvas", limit=20)]
    assert labels == list(range(10)) * 2
