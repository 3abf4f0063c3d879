"""Train's run history: every fit of this session newest first, one click to put a run's
settings back into the sidebar, and two runs side by side (accuracy, per-class recall, the
difference of their confusion matrices, their weight images).

The runs are state.history()'s (digitlab.lab.history); this module only lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from digitlab.lab import explain, history
from digitlab.model.config import TrainConfig
from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.plots import compare as compare_plots
from pages.panels import explain_panel
from pages.shared import change, i18n, projector, state, tables, tabs
from pages.shared.i18n import N_, _, fmt, ngettext

RESTORE = "history_restore"  # the pills: a click restores that run's settings
PICK = "history_pick"  # the two runs compared
NEWEST = "history_newest"  # the newest run when PICK was last reset


@st.cache_data(max_entries=16, show_spinner=False)
def difference_png(diff, labels, unit: str, names: tuple[str, str], lang: str,
                   scale: float = 1.0) -> bytes:
    """Pure function of the numbers: safe to share between sessions."""
    return plots.to_png(compare_plots.confusion_difference(diff, labels, unit, names,
                                                           words=i18n.words(lang)), scale=scale)


@st.cache_data(max_entries=16, show_spinner=False)
def recall_png(recall, labels, names: tuple[str, str], lang: str, scale: float = 1.0) -> bytes:
    return plots.to_png(compare_plots.recall_bars(recall, labels, names, words=i18n.words(lang)),
                        scale=scale)


def _restore(apply: Callable[[TrainConfig], None]) -> None:
    """The pills' callback (before the widgets are drawn): that run's settings, then the
    pills let go so the same run can be restored again later."""
    run = state.history().get(st.session_state.get(RESTORE) or -1)
    if run is not None:
        apply(run.config)
        st.toast(_("Run {number}'s settings are in the sidebar: press Train to fit them.",
                   number=run.number))
    st.session_state[RESTORE] = None


# The table's columns (history.Run.row's keys) as a student reads them; the settings' own names
# (C, l1_ratio, solver, max_iter) are the tutorial's and stay.
HEADERS = {"run": N_("run"), "accuracy": N_("accuracy"), "scaling": N_("scaling"),
           "train images": N_("train images"), "extras": N_("extras"), "fit s": N_("fit s"),
           "epochs / iterations": N_("epochs / iterations"), "ended": N_("ended")}
# How each number column is written: in the language's digits.
WORDS = ("solver", "scaling", "extras", "epochs / iterations", "ended")  # aligned left
NUMBERS = {"accuracy": ".4f", "l1_ratio": "g", "max_iter": ",", "train images": ",",
           "fit s": ".1f"}


def table(runs: list[history.Run]) -> pd.DataFrame:
    """The runs as a table of text, newest first, in the student's language (what the page
    shows, and what the tests read)."""
    rows = [{**r.row(), "extras": ", ".join(_(b) for b in history.extras(r.config))}
            for r in runs]
    frame = pd.DataFrame(rows).set_index("run").astype(object)
    frame["C"] = [("∞" if math.isinf(c) else fmt(c, "g")) for c in frame["C"]]
    for name in ("scaling", "epochs / iterations", "ended"):
        frame[name] = [_(v) for v in frame[name]]
    for name, spec in NUMBERS.items():
        frame[name] = ["" if v is None or v != v else fmt(v, spec) for v in frame[name]]
    frame.columns = [_(HEADERS[name]) if name in HEADERS else name for name in frame.columns]
    frame.index.name = _(HEADERS["run"])
    return frame


def best(runs: list[history.Run]) -> str:
    """The sentence that names the most accurate run so far (what a sort by accuracy showed)."""
    top = max(runs, key=lambda r: r.accuracy)
    return _("Best test accuracy so far: **run {number}** ({accuracy}).", number=top.number,
             accuracy=fmt(top.accuracy, ".4f"))


def panel(apply: Callable[[TrainConfig], None]) -> None:
    """The history, under Train's results (nothing before the first fit)."""
    runs = state.history().runs
    if not runs:
        return
    st.markdown(ngettext("#### Run history: {n} run this session",
                         "#### Run history: {n} runs this session", len(runs)))
    # a table of text, not st.dataframe: see pages/panels/report_panel.py (it scrolls inside
    # its box past about six runs)
    st.html(tables.html(table(runs), description=_("Run history"), max_height=260,
                        words=[_(HEADERS.get(n, n)) for n in WORDS]))
    if len(runs) > 1:
        st.markdown(best(runs))
    if evicted := [r.number for r in runs if r.evicted]:
        st.caption(_("To keep the server's memory in bounds, the models of the oldest runs "
                     "({runs}) were let go: their settings and scores stay here, and ↺ puts a "
                     "run's settings back to train it again.",
                     runs=", ".join(_("run {number}", number=n) for n in evicted)))
    st.pills(_("Put a run's settings back in the sidebar (one click)"), [r.number for r in runs],
             key=RESTORE, on_change=_restore, args=(apply,),
             format_func=lambda n: _("↺ run {n}", n=n))
    if len(runs) < 2:
        st.caption(_("Train again with other settings to compare two runs side by side."))
        return
    numbers = [r.number for r in runs]
    if st.session_state.get(NEWEST) != numbers[0] or not set(
            st.session_state.get(PICK) or ()) <= set(numbers):
        st.session_state[PICK] = numbers[1::-1]  # a new run: compare it with the one before
        st.session_state[NEWEST] = numbers[0]
    picked = st.multiselect(_("Compare two runs"), numbers, key=PICK, max_selections=2,
                            format_func=lambda n: _("run {number}", number=n))
    if len(picked) == 2:
        side_by_side(*(state.history().get(n) for n in picked))
    else:
        st.caption(_("Pick two runs to see them side by side."))


def side_by_side(a: history.Run, b: history.Run) -> None:
    names = (_("run {number}", number=a.number), _("run {number}", number=b.number))
    try:
        cmp = history.compare(a, b)
    except ValueError as exc:
        st.info(_("Run {number} and run {number2} cannot be compared: {exc}.", number=a.number,
                  number2=b.number, exc=i18n.error_text(exc)))
        return
    tabs.lazy_tabs(COMPARE, COMPARE_TAB, a, b, cmp, names)


def accuracies(a: history.Run, b: history.Run, cmp: history.Comparison,
               names: tuple[str, str]) -> None:
    cols = st.columns(2)
    for col, run, other in zip(cols, (a, b), (b, a)):
        acc = run.accuracy
        delta = acc - other.accuracy
        said = (_("{delta:+.4f} vs run {number}", delta=delta, number=other.number)
                if round(delta, 4) else _("same"))
        col.metric(_("Run {number}: test accuracy", number=run.number), fmt(acc, ".4f"),
                   **change.delta(said, delta, 4))
        c = run.config
        col.caption(_("{solver}, C = {isinf}, penalty {penalty_name}, max_iter {max_iter}, "
                      "{scaling} pixels", solver=c.solver,
                      isinf='∞' if math.isinf(c.C) else f'{c.C:g}', penalty_name=c.penalty_name,
                      max_iter=c.max_iter, scaling=c.scaling)
                    + "".join(f", {_(b)}" for b in history.extras(c))
                    + f"; {_(run.row()['epochs / iterations'])}, {_(run.outcome)}.")


def differences(a: history.Run, b: history.Run, cmp: history.Comparison,
                names: tuple[str, str]) -> None:
    # on the projector one under the other, each as wide as the page: in columns the pictures
    # are shrunk to fit, and their text with them
    wall = projector.on()
    left, right = (st.container(), st.container()) if wall else st.columns([3, 2], gap="medium")
    with left:
        st.image(difference_png(cmp.difference, cmp.labels, cmp.unit, names, i18n.lang(),
                                scale=projector.figure_scale()),
                 alt=_(alt.difference(cmp.difference, cmp.labels)))
    with right:
        st.image(recall_png(cmp.recall, cmp.labels, names, i18n.lang(),
                            scale=projector.figure_scale()),
                 alt=_(alt.recall(names, cmp.recall)),
                 caption=_("Per-class recall: the share of each digit's test images the run "
                           "got right."))
        if not cmp.same_test_set:
            st.caption(_("The two runs were tested on different images (test split or seed), "
                       "so each row of the difference is in percent of its true digit's test "
                       "images."))


def weights(a: history.Run, b: history.Run, cmp: history.Comparison,
            names: tuple[str, str]) -> None:
    wall = projector.on()
    for col, run in zip([st.container(), st.container()] if wall else
                        st.columns(2, gap="medium"), (a, b)):
        if run.trained is None:
            col.caption(_("Run {number}'s model was let go to keep this session's memory in "
                          "bounds: no weight images. Put its settings back and train it again "
                          "to see them.", number=run.number))
            continue
        w = explain.pixel_weights(run.trained.fit.model)
        if w is None:
            col.caption(_("Run {number} reads kernel features, not pixels: no weight images.",
                          number=run.number))
            continue
        col.image(explain_panel.weights_png(w.images(), tuple(str(c) for c in w.classes),
                                            i18n.lang(), scale=projector.figure_scale()),
                  caption=_("Run {number}'s weights (red: ink here counts for the digit)",
                            number=run.number),
                  alt=_("Run {number}'s ten weight images, one per digit: red where ink counts "
                        "for the digit, blue where it counts against.", number=run.number))


# Two runs side by side, in tabs that run only while open (pages/shared/tabs.py): the
# accuracies first, the pictures a click away. Each new pair of runs made four matplotlib
# figures in every run that followed a second fit (~1.6 s of the server's CPU, measured with
# AppTest), for every student of a class who trained again, whether they looked or not.
COMPARE: dict[str, Callable[..., None]] = {
    N_("Test accuracy"): accuracies,
    N_("Where they differ"): differences,
    N_("Their weights"): weights,
}
COMPARE_TAB = "history_compare"  # the choice is kept as "history_compare_kept"
