"""Train's settings live in its link: widgets -> URL -> a new session with that URL -> the same
widgets, off-grid values kept exactly, bad values refused by name; lesson links lock and hide."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from digitlab.lab import links
from pages.panels import links_panel
from pages.shared import nav

from .page_utils import APP, open_app

SETTINGS = ("C", "l1_ratio", "solver", "max_iter", "tol", "test_size", "seed", "scaling",
            "train_size", "deskew", "augment", "features", "printed", "fat_pen")


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
    # the settings by the sidebar's names (without their explanations in brackets)
    assert "Fixed by the link: Solver = sag, max_iter = 5; hidden: tol = 0.0001, Seed = 0." \
        in lesson
    # A preset that would change what the lesson fixed is off, and the page says why; C still
    # moves, and the URL keeps the lesson.
    fast = next(b for b in at.button if b.label == "Fast")
    assert fast.disabled and "The lesson link fixes Solver, max_iter" in fast.help
    assert "**Fast** is off: The lesson link fixes Solver, max_iter" in " ".join(
        c.value for c in at.caption)
    at.select_slider(key="cfg_C").set_value(10.0).run()
    assert at.session_state["cfg_solver"] == "sag" and at.session_state["cfg_max_iter"] == 5
    assert at.query_params["lock"] == "solver,max_iter" and at.query_params["C"] == "10"


def test_the_lesson_builder_writes_the_link_of_the_current_settings(mnist):
    shut = open_app("train")  # built only while open: no lists, no link in a run of the page
    assert not [m for m in shut.multiselect if m.key == "share_lock"] and not shut.code
    at = open_app("train", {links_panel.BUILDER: True})  # as a click opens it
    at.select_slider(key="cfg_C").set_value(0.1).run()
    at.multiselect(key="share_lock").set_value(["solver", "max_iter"]).run()
    at.multiselect(key="share_hide").set_value(["tol"]).run()
    link = at.code[0].value
    assert link.endswith("/train?C=0.1&solver=digitlab-fast&max_iter=100&tol=0.0001"
                         "&lock=solver,max_iter&hide=tol")
    assert links.read(dict(p.split("=") for p in link.split("?")[1].split("&"))).config() == \
        links.DEFAULTS.replace(C=0.1)


def sidebar_labels(at: AppTest) -> set[str]:
    kinds = ("select_slider", "selectbox", "number_input", "radio", "toggle")
    return {w.label for kind in kinds for w in at.sidebar.get(kind)}


def test_the_builder_names_settings_as_the_sidebar_does_and_gives_a_short_link(mnist):
    at = open_app("train", {links_panel.BUILDER: True})
    lock = at.multiselect(key="share_lock")
    # the Lock and Hide lists say "Training images", as the sidebar does, not train_size
    assert len(set(lock.options)) == len(SETTINGS) and set(lock.options) <= sidebar_labels(at)
    assert "Training images" in lock.options
    assert not {"train_size", "l1_ratio", "max_iter"} & set(lock.options)
    lock.set_value(["scaling"]).run()
    long_link = at.code[0].value
    short = next(re.search(r"`(\S+\?l=(\w+))`", m.value) for m in at.markdown
                 if "?l=" in m.value)
    assert len(short.group(1)) < len(long_link) and short.group(1).endswith("/train?l="
                                                                             + short.group(2))
    assert any("QR code of the short lesson link" in str(i.proto) for i in at.get("image"))
    # a new visitor opening the short link gets the long link's settings and lesson
    student = open_link({"l": short.group(2)})
    assert student.query_params["lock"] == "scaling"
    assert student.radio(key="cfg_scaling").disabled
    assert "Fixed by the link: Pixel scaling = unit." in student.info[0].value
    # a code this server never made is said, and the page opens as usual
    lost = open_link({"l": "zzzzzzzz"})
    assert "does not know the short link **zzzzzzzz**" in lost.warning[0].value


def test_a_lock_turns_off_the_presets_it_contradicts_and_says_why(mnist):
    # the Fast preset's scaling locked: "Tutorial settings" (raw pixels) would train a mix
    at = open_link({"scaling": "unit", "lock": "scaling"})
    buttons = {b.label: b for b in at.button}
    assert buttons["Tutorial settings"].disabled
    assert not buttons["Fast"].disabled and not buttons["Best"].disabled
    said = " ".join(c.value for c in at.caption)
    assert "**Tutorial settings** is off: The lesson link fixes Pixel scaling" in said
