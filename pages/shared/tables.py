"""A small table as markdown or as HTML: a real <table> in the page's own type, which projector
mode's larger text reaches, and which costs the browser no table library (st.table and
st.dataframe load its Arrow reader, ~0.7 MB of JavaScript, before their first cell)."""

from __future__ import annotations

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


def html(frame: pd.DataFrame, description: str = "") -> str:
    """`frame` (its cells text already) as an HTML <table class="dl-table">, for st.html: the
    same table as `markdown`, but the browser only sets it (no markdown parser, no React
    component per cell), which matters where it changes with every stroke (the Draw page)."""
    def cells(tag: str, values, first: str) -> str:
        out = [f'<{first} style="{CELL};text-align:left">{escape(str(values[0]))}</{first}>']
        out += [f'<{tag} style="{CELL};text-align:right">{escape(str(v))}</{tag}>'
                for v in values[1:]]
        return "<tr>" + "".join(out) + "</tr>"

    head = cells("th", [frame.index.name or "", *frame.columns], "th")
    body = "".join(cells("td", [i, *values], "th")
                   for i, values in zip(frame.index, frame.to_numpy().tolist()))
    label = f' aria-label="{escape(description)}"' if description else ""
    return (f'<table class="dl-table"{label} style="border-collapse:collapse;'
            f'font-variant-numeric:tabular-nums;font-size:.9rem">'
            f"<thead>{head}</thead><tbody>{body}</tbody></table>")
