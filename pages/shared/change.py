"""A change shown as a metric's delta: its arrow and colour only when the change is not zero at
the precision shown ("+0.0 points" has neither: nothing went up)."""

from __future__ import annotations


def delta(text: str, value: float, decimals: int) -> dict:
    """st.metric's delta arguments for `text`, the change `value` written with `decimals`."""
    if round(value, decimals) == 0:
        return {"delta": text, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text, "delta_color": "normal", "delta_arrow": "auto"}
