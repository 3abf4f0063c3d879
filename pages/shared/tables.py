"""A small table as markdown: a real <table> in the page's own type, which projector mode's
larger text reaches, and which costs the browser no table library (st.table and st.dataframe
load its Arrow reader, ~0.7 MB of JavaScript, before their first cell)."""

from __future__ import annotations

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
