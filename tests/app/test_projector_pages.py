"""Projector mode under AppTest: ?projector=1 turns it on and it stays on for the session as
the pages change; every page renders in it without an exception; the sidebar's toggle turns it
off (and ?projector=0 too); its style block is written only while it is on."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages import sweep_page
from pages.shared import nav, projector, state

from .page_utils import APP, html_table, open_app, serve_page


def styled(at) -> bool:
    return any("font-size: 20px" in str(h.proto.body) for h in at.get("html"))


def test_the_address_turns_it_on_for_the_session_and_the_toggle_off(small_model):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[projector.KEY] = "1"
    at.session_state[state.TRAINED] = small_model
    at.run()
    assert at.session_state[projector.KEY] is True and styled(at)
    assert at.toggle(key=projector.TOGGLE).value is True
    at.switch_page(nav.PAGES["draw"].file).run()  # the address no longer says it
    assert not at.exception and at.session_state[projector.KEY] is True and styled(at)
    at.toggle(key=projector.TOGGLE).set_value(False).run()
    assert at.session_state[projector.KEY] is False and not styled(at)


@pytest.mark.parametrize("page", list(nav.PAGES))
def test_every_page_renders_in_projector_mode(page, small_model, monkeypatch, store):
    serve_page(page, monkeypatch)
    at = open_app(page, {state.TRAINED: small_model, projector.KEY: True})
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert styled(at)


def test_the_per_class_report_is_large_text_on_the_projector_with_fewer_columns(small_model):
    ev = small_model.evaluation
    at = open_app("train", {state.TRAINED: small_model, projector.KEY: True})
    rows = html_table(at, "digit")
    assert set(map(str, range(10))) <= set(rows)  # one row per digit, then the averages
    assert rows["7"] == {"precision": f"{ev.report['7']['precision']:.3f}",
                         "recall": f"{ev.report['7']['recall']:.3f}",
                         "F1": f"{ev.report['7']['f1-score']:.3f}"}  # the counts would not fit
    assert any("the share the model got right" in c.value for c in at.caption)  # its help
    hardest = min(range(10), key=lambda d: ev.report[str(d)]["f1-score"])
    assert any(f"Hardest for this model: **{hardest}**" in m.value for m in at.markdown)
    at.toggle(key=projector.TOGGLE).set_value(False).run()
    assert html_table(at, "digit")["7"]["images"] == f"{int(ev.report['7']['support']):,}"


def test_a_sweep_on_the_projector_is_a_table_of_text_and_a_larger_figure(mnist):
    at = open_app("sweep", {projector.KEY: True})
    at.text_input(key="sweep_cs").set_value("0.01, 1")
    at.select_slider(key="sweep_train_size").set_value(500)
    next(b for b in at.run().button if b.label == "Run sweep").click().run()
    assert not at.exception and not at.error
    table = next(m.value for m in at.markdown if m.value.startswith("| # |"))
    assert "| 0.01 |" in table and "test accuracy" in table  # the points, in the large type
    assert not at.dataframe
    large = at.session_state[sweep_page.PNG]
    at.toggle(key=projector.TOGGLE).set_value(False).run()
    assert at.dataframe and at.session_state[sweep_page.PNG] != large  # drawn again at 1x
