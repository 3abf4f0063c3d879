"""The per-class report (scikit-learn's classification_report) as a table in the student's
language: its column names and its averages' names translated, its numbers written with the
language's decimal sign, what each column means said under it, and the digit the model finds
hardest named.

A table of text (a real <table>, `pages/shared/tables.py`), not st.dataframe: the grid draws
its cells on a canvas in its own small font that no style reaches (unreadable from the back of a
room, where projector mode makes this one larger), and it costs each browser about 0.45 CPU
seconds more per finished fit (the grid's reader and canvas; measured on Train's first result),
which a class pays twenty times at once. What sorting gave (which digit is weakest) the sentence
under the table says."""

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
SCORES = ("precision", "recall", "f1-score")
AVERAGES = {"micro avg": N_("micro average"), "macro avg": N_("macro average"),
            "weighted avg": N_("weighted average")}


def table(evaluation: evaluate.Evaluation, digits: int = 3) -> None:
    """The report, one row per digit then the averages; `digits` after the decimal sign. On
    the projector, the three scores only: in its large type the counts would not fit."""
    frame = evaluate.report_frame(evaluation)
    frame.index = [_(AVERAGES[k]) if k in AVERAGES else k for k in frame.index]
    spec = f".{digits}f"
    columns = SCORES if projector.on() else (*SCORES, "support")
    shown = frame[list(columns)].astype(object)
    for name in SCORES:
        shown[name] = [fmt(v, spec) for v in frame[name]]
    if "support" in columns:
        shown["support"] = [fmt(int(v), ",") for v in frame["support"]]
    shown.columns = [_(HEADERS[name]) for name in columns]
    shown.index.name = _(HEADERS["class"])
    st.container(key=projector.REPORT).html(
        tables.html(shown, description=_("Per-class report: precision, recall and F1 of each "
                                         "digit")))
    if sentence := hardest(frame, spec):
        st.markdown(sentence)
    st.caption(" ".join(f"**{_(HEADERS[name])}**: {_(HELP[name])}" for name in columns))


def hardest(frame, spec: str) -> str:
    """The sentence that names the digit with the lowest F1 (what a sort by F1 showed)."""
    digits = frame.loc[[k for k in frame.index if str(k).isdigit()], "f1-score"]
    if digits.empty:
        return ""
    return _("Hardest for this model: **{digit}** (F1 {f1}).", digit=digits.idxmin(),
             f1=fmt(float(digits.min()), spec))
