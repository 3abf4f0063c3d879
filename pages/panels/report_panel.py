"""The per-class report (scikit-learn's classification_report) as a table in the student's
language: its column names and its averages' names translated, its numbers written with the
language's decimal sign. The numbers stay numbers in the frame (a Styler writes them), so the
table still sorts by them. In projector mode it is a table of text instead, in the page's
large type: st.dataframe draws its cells on a canvas, in its own small font that no style
reaches, unreadable from the back of a room; what each column means is said under it."""

from __future__ import annotations

import streamlit as st

from digitlab.training import evaluate
from pages.shared import projector, tables
from pages.shared.i18n import N_, _, fmt

# scikit-learn's names for the columns and for the rows after the digits. The headers are short
# (the table sits in a narrow column, and a longer language still has to fit); the help says
# what each one means.
HEADERS = {"class": N_("digit"), "precision": N_("precision"), "recall": N_("recall"),
           "f1-score": N_("F1"), "support": N_("images")}
HELP = {"precision": N_("Of the test images the model called this digit, the share that were."),
        "recall": N_("Of this digit's test images, the share the model got right."),
        "f1-score": N_("The harmonic mean of precision and recall."),
        "support": N_("How many test images show this digit.")}
AVERAGES = {"micro avg": N_("micro average"), "macro avg": N_("macro average"),
            "weighted avg": N_("weighted average")}


def table(evaluation: evaluate.Evaluation, digits: int = 3) -> None:
    """The report, one row per digit then the averages; `digits` after the decimal sign."""
    frame = evaluate.report_frame(evaluation)
    frame.index = [_(AVERAGES[k]) if k in AVERAGES else k for k in frame.index]
    spec = f".{digits}f"
    if projector.on():  # the three scores: in the large type, the counts would not fit
        shown = frame[["precision", "recall", "f1-score"]].map(lambda v: fmt(v, spec))
        shown.columns = [_(HEADERS[name]) for name in shown.columns]
        shown.index.name = _(HEADERS["class"])
        st.container(key=projector.REPORT).markdown(tables.markdown(shown))
        st.caption(" ".join(f"**{_(HEADERS[name])}**: {_(HELP[name])}"
                            for name in ("precision", "recall", "f1-score")))
        return
    styled = frame.style.format({name: (lambda v: fmt(v, spec))
                                 for name in ("precision", "recall", "f1-score")}
                                | {"support": lambda v: fmt(v, ",")})
    st.dataframe(styled, width="stretch",
                 column_config={"_index": st.column_config.Column(_(HEADERS["class"])),
                                **{name: st.column_config.Column(_(label), help=_(HELP[name]))
                                   for name, label in HEADERS.items() if name != "class"}})
