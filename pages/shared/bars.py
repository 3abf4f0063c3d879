"""Ten bars as plain HTML (st.html): the Draw page's probabilities and its scores z.

Not a Vega-Lite chart: those answer every stroke, and a chart whose data changes is rebuilt by
the browser from its spec each time (Vega's compile, parse and render: ~0.5 s of a phone's
renderer per drawing, CPU throttled 4x, and ~1.8 s more for the first drawing, which loads
the chart library; benchmarks/phone.py). A few positioned <div>s cost the browser next to
nothing. Sizes are in rem, so projector mode's larger base text makes the bars larger too.
The whole is one picture to a screen reader (role="img") with the chart's sentence as its
label, as the Vega charts' description was.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from digitlab.plots import charts as plots

HEIGHT = 10.0  # rem: the bars' area (the value labels sit inside it, above or below a bar)


def html(values: Sequence[float], labels: Sequence[str], texts: Sequence[str], answer: int,
         description: str, x_title: str, y_title: str, top: float | None = None) -> str:
    """The bars of `values` (one per label, `texts` written at their ends), bar `answer` in
    the accent colour, on a scale from min(0, values) to max(values, `top`)."""
    hi = max(max(values), 0.0 if top is None else top, 0.0)
    lo = min(min(values), 0.0)
    span = (hi - lo) or 1.0
    # room for a label above the highest bar and below the lowest
    pad = 0.16 * span
    hi, lo = hi + pad, lo - (pad if lo < 0 else 0.0)
    span = hi - lo
    zero = (0.0 - lo) / span * 100  # % from the bottom
    columns = []
    for k, (value, text) in enumerate(zip(values, texts)):
        end = (value - lo) / span * 100
        bottom, height = min(zero, end), abs(end - zero)
        colour = plots.ACCENT if k == answer else plots.NEUTRAL
        at = (f"bottom:{end:.2f}%" if value >= 0 else f"top:{100 - end:.2f}%")
        columns.append(
            f'<div style="position:relative;flex:1;height:100%">'
            f'<div style="position:absolute;left:18%;right:18%;bottom:{bottom:.2f}%;'
            f'height:max({height:.2f}%,1px);background:{colour}"></div>'
            f'<div style="position:absolute;left:-20%;right:-20%;{at};text-align:center;'
            f'font-size:.78rem;line-height:1.25;white-space:nowrap">{escape(text)}</div></div>')
    ticks = "".join(f'<div style="flex:1;text-align:center">{escape(label)}</div>'
                    for label in labels)
    return (
        f'<figure class="dl-bars" role="img" aria-label="{escape(description)}" '
        f'style="margin:0 0 .5rem 0">'
        f'<div aria-hidden="true" style="font-size:.8rem">{escape(y_title)}</div>'
        f'<div aria-hidden="true" style="display:flex;height:{HEIGHT}rem;position:relative;'
        f'border-bottom:{"0" if lo < 0 else "1px solid #6e7781"}">'
        + (f'<div style="position:absolute;left:0;right:0;bottom:{zero:.2f}%;'
           f'border-top:1px solid #6e7781"></div>' if lo < 0 else "")
        + "".join(columns) + "</div>"
        f'<div aria-hidden="true" style="display:flex;font-size:.9rem;margin-top:.15rem">'
        f'{ticks}</div>'
        f'<div aria-hidden="true" style="text-align:center;font-size:.8rem">'
        f'{escape(x_title)}</div></figure>')


def bars(values: Sequence[float], labels: Sequence[str], texts: Sequence[str], answer: int,
         description: str, x_title: str, y_title: str, top: float | None = None) -> None:
    st.html(html(values, labels, texts, answer, description, x_title, y_title, top))
