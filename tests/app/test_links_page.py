"""Train's settings live in its link: widgets -> URL -> a new session with that URL -> the same
widgets, off-grid values kept exactly, bad values refused by name; lesson links lock and hide."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from digitlab.lab import links
from pages.shared import nav

from .page_utils import APP, open_app

SETTINGS = ("C", "l1_ratio", "solver", "max_iter", "tol", "test_size", "seed", "scaling",
            "train_size", "deskew", "augment", "features")


def open_link(query: dict[str, str]) -> AppTest:
    """A new visitor opening /train?<query>."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page(nav.PAGES["train"].file).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def widgets(at: AppTest) -> dict:
    return {f: at.session_state[f"cfg_{f}"] for f in SETTINGS}


def test_moved_widgets_reach_the_link_and_a_new_session_opens_with_them(mnist):
    at = open_app("train")
    assert at.query_params == {}  # the Fast preset: nothing differs from the defaults
    at.select_slider(key="cfg_C").set_value(0.01).run()
    at.select_slider(key="cfg_l1_ratio").set_value(0.5).run()  # switches the solver to saga
    at.number_input(key="cfg_max_iter").set_value(7).run()
    at.select_slider(key="cfg_train_size").set_value(2000)
    at.toggle(key="cfg_deskew").set_value(True).run()
    assert at.query_params == {"C": "0.01", "l1_ratio": "0.5", "solver": "saga",
                               "max_iter": "7", "train_size": "2000", "deskew": "1"}
    again = open_link(at.query_params)
    assert widgets(again) == widgets(at)
    assert again.query_params == at.query_params and not again.warning


def test_an_off_grid_C_is_kept_exactly_and_a_bad_value_is_refused_by_name(mnist):
    at = open_link({"C": "0.05", "max_iter": "abc", "train_size": "3000", "tol": "-1"})
    assert at.session_state["cfg_C"] == 0.05  # not snapped to 0.03 or 0.1
    assert 0.05 in at.select_slider(key="cfg_C").options or "0.05" in at.select_slider(
        key="cfg_C").options
    assert at.session_state["cfg_train_size"] == 3000
    assert at.session_state["cfg_max_iter"] == 100  # refused: the default stays
    text = at.warning[0].value
    assert "max_iter=abc was not applied: max_iter is not a whole number." in text
    assert "tol=-1 was not applied" in text
    assert at.query_params == {"C": "0.05", "train_size": "3000"}  # the link, cleaned
    # and the off-grid value survives a round trip through another new session
    assert open_link(at.query_params).session_state["cfg_C"] == 0.05


def test_a_lesson_link_locks_and_hides_and_says_what_it_fixed(mnist):
    query = links.to_query(links.DEFAULTS.replace(solver="sag", max_iter=5, train_size=2000),
                           locked=("solver", "max_iter"), hidden=("tol", "seed"))
    assert query["lock"] == "solver,max_iter" and query["hide"] == "tol,seed"
    at = open_link(query)
    assert at.selectbox(key="cfg_solver").disabled
    assert at.number_input(key="cfg_max_iter").disabled
    assert not at.select_slider(key="cfg_C").disabled  # the class explores C
    assert at.number_input(key="cfg_seed").disabled  # hidden (by CSS) and fixed
    assert ".st-key-cfg_tol,.st-key-cfg_seed{display:none}" in "".join(
        h.proto.body for h in at.get("html"))
    lesson = at.info[0].value
    assert "Fixed by the link: solver = sag, max_iter = 5; hidden: tol = 0.0001, seed = 0." \
        in lesson
    # A preset cannot move what the lesson fixed; C still moves, and the URL keeps the lesson.
    next(b for b in at.button if b.label == "Fast").click().run()
    at.select_slider(key="cfg_C").set_value(10.0).run()
    assert at.session_state["cfg_solver"] == "sag" and at.session_state["cfg_max_iter"] == 5
    assert at.query_params["lock"] == "solver,max_iter" and at.query_params["C"] == "10"


def test_the_lesson_builder_writes_the_link_of_the_current_settings(mnist):
    at = open_app("train")
    at.select_slider(key="cfg_C").set_value(0.1).run()
    at.multiselect(key="share_lock").set_value(["solver", "max_iter"]).run()
    at.multiselect(key="share_hide").set_value(["tol"]).run()
    link = at.code[0].value
    assert link.endswith("/train?C=0.1&solver=digitlab-fast&max_iter=100&tol=0.0001"
                         "&lock=solver,max_iter&hide=tol")
    assert links.read(dict(p.split("=") for p in link.split("?")[1].split("&"))).config() == \
        links.DEFAULTS.replace(C=0.1)
