"""A small table as markdown or as HTML: a real <table> in the page's own type, which projector
mode's larger text reaches, and which costs the browser no table library (st.table and
st.dataframe load its Arrow reader, ~0.7 MB of JavaScript, before their first cell)."""

from __future__ import annotations

from collections.abc import Collection
from html import escape

import pandas as pd


def markdown(frame: pd.DataFrame) -> str:
    """`frame` (its cells text already) as a markdown table, its index as the first column,
    every column but that one aligned right (numbers)."""
    def row(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    head = [frame.index.name or "", *frame.columns]
    return "\n".join([row(head), "|:---|" + "---:|" * len(frame.columns),
                      *(row([i, *values]) for i, values in zip(frame.index,
                                                              frame.to_numpy().tolist()))])


CELL = "padding:.25rem .6rem;border:1px solid rgba(49,51,63,.2)"  # as Streamlit's markdown tables


def html(frame: pd.DataFrame, description: str = "", max_height: int | None = None,
         words: Collection[str] = ()) -> str:
    """`frame` (its cells text already) as an HTML <table class="dl-table">, for st.html: the
    same table as `markdown`, but the browser only sets it (no markdown parser, no React
    component per cell), which matters where it changes with every stroke (the Draw page) and
    where a class's fits end at once (Train's report and history).

    `max_height` (px): the table scrolls inside a box that high (and as wide as the page: a
    phone scrolls a wide table sideways), a box the keyboard can reach and scroll (focusable,
    named by `description`); its cells do not wrap. The columns named in `words` hold words
    and are aligned left; the others hold numbers, aligned right."""
    align = ["left"] + ["left" if name in words else "right" for name in frame.columns]
    nowrap = ";white-space:nowrap" if max_height is not None else ""

    def cells(tag: str, values, first: str) -> str:
        return "<tr>" + "".join(
            f'<{first if i == 0 else tag} style="{CELL};text-align:{side}{nowrap}">'
            f"{escape(str(v))}</{first if i == 0 else tag}>"
            for i, (v, side) in enumerate(zip(values, align))) + "</tr>"

    head = cells("th", [frame.index.name or "", *frame.columns], "th")
    body = "".join(cells("td", [i, *values], "th")
                   for i, values in zip(frame.index, frame.to_numpy().tolist()))
    label = f' aria-label="{escape(description)}"' if description else ""
    table = (f'<table class="dl-table"{label} style="border-collapse:collapse;'
             f'font-variant-numeric:tabular-nums;font-size:.9rem">'
             f"<thead>{head}</thead><tbody>{body}</tbody></table>")
    if max_height is None:
        return table
    return (f'<div role="region" tabindex="0"{label} style="max-height:{int(max_height)}px;'
            f'max-width:100%;overflow:auto">{table}</div>')
