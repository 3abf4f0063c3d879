"""A metric's change has an arrow and a colour only when it is not zero as shown."""

from __future__ import annotations

from pages.shared import change


def test_a_change_that_rounds_to_zero_has_no_arrow_and_no_colour():
    assert change.delta("+0.0 points", 0.04, 1) == {
        "delta": "+0.0 points", "delta_color": "off", "delta_arrow": "off"}
    assert change.delta("-0.0 points", -0.049, 1)["delta_arrow"] == "off"
    assert change.delta("+0.1 points", 0.05, 1)["delta_arrow"] == "auto"
    assert change.delta("+0.0004", 0.0004, 4)["delta_color"] == "normal"
