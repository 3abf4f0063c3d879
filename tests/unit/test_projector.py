"""Projector mode's chart sizes (pages/shared/projector.py): every Vega-Lite spec gets larger
text and thicker lines, its own sizes scaled and its own config kept; off, a spec is untouched."""

from __future__ import annotations

from pages.shared import projector

SPEC = {"data": {"values": [{"x": 1, "fontSize": 3}]},
        "layer": [{"mark": {"type": "line", "strokeWidth": 2, "point": {"size": 50}}},
                  {"mark": {"type": "text", "fontSize": 12, "dy": -9}},
                  {"mark": "rect"}],
        "title": {"text": "T", "fontSize": 18},
        "encoding": {"x": {"field": "x", "axis": {"labelFontSize": 14, "title": "x"}}},
        "config": {"axis": {"labelFontSize": 30}, "view": {"stroke": None}}}


def test_off_the_spec_is_the_same():
    assert projector.vega(SPEC, projecting=False) is SPEC


def test_on_text_is_larger_lines_thicker_and_the_spec_own_config_wins():
    wall = projector.vega(SPEC, projecting=True)
    line, text, rect = wall["layer"]
    assert line["mark"]["strokeWidth"] > 3 and line["mark"]["point"]["size"] >= 100
    assert text["mark"]["fontSize"] >= 16 and text["mark"]["dy"] < -9
    assert rect["mark"] == "rect"
    assert 18 < wall["title"]["fontSize"] <= projector.CONFIG["title"]["fontSize"]
    assert wall["encoding"]["x"]["axis"]["labelFontSize"] > 18
    assert wall["data"] == SPEC["data"]  # data is never scaled, even a field named fontSize
    config = wall["config"]
    assert config["axis"]["labelFontSize"] == 30  # the spec said more
    assert config["axis"]["titleFontSize"] >= 18 and config["line"]["strokeWidth"] >= 3
    assert config["view"] == {"stroke": None}
    assert SPEC["layer"][0]["mark"]["strokeWidth"] == 2  # the original is untouched
