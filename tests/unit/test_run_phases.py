"""`python3 run.py test`: the whole suite is two pytest runs, the browser tests after every other
kind and not beside them; words given to it are one run, as given."""

from __future__ import annotations

import run


def test_the_whole_suite_runs_the_browser_tests_last_and_every_kind_once():
    runs = run.phases([])
    assert [words for _, words in runs] == [["-m", "not e2e"], ["-m", "e2e"]]


def test_words_given_are_one_run_as_given():
    for words in (["-m", "unit"], ["-k", "data"], ["tests/e2e/test_browser.py"], ["-n", "0"]):
        assert [given for _, given in run.phases(words)] == [words]
