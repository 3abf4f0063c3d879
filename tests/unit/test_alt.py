"""The figures' alternative text (digitlab.plots.alt) says each figure's point: the model's
answer, the commonest mistake, where a sweep peaks; and it stays translatable."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.plots import alt
from digitlab.text import LocalFormatter, Message


def test_a_drawing_says_what_the_model_reads_and_how_sure():
    said = alt.drawing(7, 0.981)
    assert said == "Your digit as you drew it. The model reads 7, 98% sure."
    assert said.translate(lambda s: s, LocalFormatter("fr")).endswith("7, 98\xa0% sure.")


def test_a_confusion_matrix_names_its_commonest_mistake():
    m = np.diag([100] * 10)
    m[4, 9], m[9, 4], m[3, 5] = 28, 11, 7
    said = alt.confusion(m)
    assert "most mistakes are 4 read as 9 (28)" in said
    assert "1,000 of 1,046 digits read right" in said


def test_a_confusion_matrix_without_mistakes_says_so():
    assert "no mistake" in alt.confusion(np.diag([5, 6, 7]))


def test_a_test_image_says_right_or_a_mistake():
    assert "reads it right, 90% sure" in alt.test_image(3, 5, 5, 0.9)
    wrong = alt.test_image(3, 4, 9, 0.6)
    assert "a handwritten 4" in wrong and "reads 9, 60% sure: a mistake" in wrong


def test_a_share_is_never_rounded_to_certainty_or_to_nothing():
    assert [alt.share(p) for p in (0.9992, 0.98, 0.0004)] == [
        "more than 99%", "98%", "less than 1%"]
    assert "reads 0, more than 99% sure" in alt.drawing(0, 0.9992)


def test_probabilities_and_scores_name_the_two_likeliest_digits():
    p = np.full(10, 0.01)
    p[2], p[7] = 0.15, 0.77
    assert alt.probabilities(p).startswith("The ten probabilities: 7 at 77%, then 2 at 15%")
    assert alt.scores(np.log(p)).startswith("The ten scores z: 7 highest")


def test_a_grid_of_answers_lists_its_mistakes():
    assert alt.answered_digits([1, 2, 3], [1, 2, 3]) == "3 test images, all read right."
    said = alt.answered_digits([4, 2, 9], [9, 2, 4])
    assert "misreads 2" in said and "4→9, 9→4" in said


def test_the_class_balance_names_the_rarest_and_commonest_digit():
    y = np.array([0] * 5 + [1] * 9 + [2] * 7)
    assert alt.balance(y) == "Images per digit, nearly equal: from 5 0s to 9 1s."


def test_turning_a_drawing_says_where_the_answer_first_changes():
    angles = [-90, -45, 0, 45, 90]
    assert "at every angle" in alt.turned(angles, [7, 7, 7, 7, 7], 7)
    said = alt.turned(angles, [1, None, 7, 7, 2], 7)
    assert "at 3 of 5 angles, first at -45°" in said


def test_two_runs_differ_most_where_their_recall_does():
    r = np.array([[0.9, 0.8, 0.95], [0.9, 0.6, 0.96]])
    assert "differ most on 1: 80.0% against 60.0%" in alt.recall(["run 1", "run 2"], r)
    d = np.zeros((3, 3))
    assert alt.difference(d, [0, 1, 2]) == "The two runs' confusion matrices are the same."
    d[2, 1] = -6
    assert "2 read as 1, -6" in alt.difference(d, [0, 1, 2])


@pytest.mark.parametrize("said", [
    alt.drawing(1, 0.5), alt.confusion(np.eye(3) * 4), alt.digits([5, 0, 4]),
    alt.weights("3", 0.2), alt.evidence("3", 1.5), alt.sweep("C", "C=0.1", 0.92),
    alt.training(12, 0.3, 0.91), alt.training(12, 0.3, None)])
def test_every_sentence_is_a_translatable_message(said):
    assert isinstance(said, Message) and said.msgid != "" and said.endswith(".")
