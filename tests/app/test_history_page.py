"""Train's run history: every fit listed newest first, two runs side by side, one click puts a
run's settings back into the sidebar."""

from __future__ import annotations

from streamlit.proto.Metric_pb2 import Metric

from pages.panels import history_panel
from pages.shared import state

from .page_utils import html_table, image_captions, open_app

# The comparison's tab last chosen (pages/shared/tabs.py keeps it under key + "_kept").
KEPT = history_panel.COMPARE_TAB + "_kept"


def fit(at, C: float):
    at.select_slider(key="cfg_train_size").set_value(1000)
    at.select_slider(key="cfg_C").set_value(C)
    at.number_input(key="cfg_max_iter").set_value(5)
    next(b for b in at.button if b.label.startswith("Train")).click().run()
    assert not at.exception and not at.error
    return at.session_state[state.TRAINED]


def test_fits_are_listed_newest_first_compared_and_restored(mnist):
    at = open_app("train")
    first = fit(at, 1.0)
    second = fit(at, 0.01)
    runs = at.session_state[state.HISTORY].runs
    assert [r.trained for r in runs] == [second, first]  # newest first
    table = html_table(at, "run")
    assert list(table) == ["2", "1"] and [table[r]["C"] for r in table] == ["0.01", "1"]
    assert {"accuracy", "fit s", "epochs / iterations", "ended"} <= set(table["1"])
    assert table["1"]["accuracy"] == f"{first.evaluation.accuracy:.4f}"
    top = max(runs, key=lambda r: r.accuracy).number
    assert f"Best test accuracy so far: **run {top}**" in "".join(m.value for m in at.markdown)
    # The two newest are compared: accuracies first; the difference of the confusion
    # matrices, per-class recall and both runs' weight images each a tab away, and made only
    # when their tab is open.
    assert at.multiselect(key=history_panel.PICK).value == [1, 2]
    labels = [m.label for m in at.metric]
    assert "Run 1: test accuracy" in labels and "Run 2: test accuracy" in labels
    assert [t.label for t in at.tabs][-3:] == ["Test accuracy", "Where they differ",
                                               "Their weights"]
    assert not set(image_captions(at)) & {"Run 1's weights (red: ink here counts for the digit)",
                                     "Per-class recall: the share of each digit's test images "
                                     "the run got right."}
    at.session_state[KEPT] = "Where they differ"
    at.run()
    assert "Per-class recall: the share of each digit's test images the run got right." in (
        image_captions(at))
    assert "Run 1: test accuracy" not in [m.label for m in at.metric]
    at.session_state[KEPT] = "Their weights"
    at.run()
    captions = image_captions(at)
    assert "Run 1's weights (red: ink here counts for the digit)" in captions
    assert "Run 2's weights (red: ink here counts for the digit)" in captions
    at.session_state[KEPT] = "Test accuracy"
    # Training the same settings again reuses the fit: no new run.
    fit(at, 0.01)
    assert len(at.session_state[state.HISTORY]) == 2
    # One click: run 1's settings go back into the sidebar (and into the link).
    at.pills(key=history_panel.RESTORE).set_value(1).run()
    assert at.session_state["cfg_C"] == 1.0
    assert at.session_state[history_panel.RESTORE] is None  # ready for the next click
    assert "C" not in at.query_params  # C=1 is the default again


def test_no_history_before_the_first_fit(mnist):
    at = open_app("train")
    assert not any("Run history" in m.value for m in at.markdown)


def test_a_run_whose_model_was_let_go_says_so_and_can_be_trained_again(mnist, monkeypatch):
    monkeypatch.setenv(state.HISTORY_MB_ENV, "0.000001")  # room for the run on screen only
    at = open_app("train")
    fit(at, 1.0)
    fit(at, 0.01)
    old, new = at.session_state[state.HISTORY].runs[::-1]
    assert old.evicted and not new.evicted
    table = html_table(at, "run")
    assert "let go" in table["1"]["ended"] and "let go" not in table["2"]["ended"]
    assert any("run 1) were let go" in c.value for c in at.caption)
    assert "Run 1: test accuracy" in [m.label for m in at.metric]  # its scores stay
    at.session_state[KEPT] = "Their weights"
    at.run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Run 1's model was let go") for c in captions)
    assert "Run 2's weights (red: ink here counts for the digit)" in image_captions(at)
    at.pills(key=history_panel.RESTORE).set_value(1).run()
    assert at.session_state["cfg_C"] == 1.0 and not at.exception


def test_two_runs_as_good_as_each_other_show_no_arrow(mnist):
    at = open_app("train")
    fit(at, 1.0)
    at.select_slider(key="cfg_test_size").set_value(0.15)  # the same split ...
    at.select_slider(key="cfg_tol").set_value(1e-6)  # ... and a tol 5 epochs never reach
    fit(at, 1.0)
    a, b = at.session_state[state.HISTORY].runs
    assert a.config != b.config and a.accuracy == b.accuracy
    for m in (m for m in at.metric if m.label.endswith(": test accuracy")):
        assert m.delta == "same" and m.proto.color == Metric.MetricColor.GRAY
        assert m.proto.direction == Metric.MetricDirection.NONE  # no green arrow on a zero change
