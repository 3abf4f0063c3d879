"""Sweep: train and test accuracy along a grid of C (a validation curve) or of training sizes
(a learning curve), fitted in parallel on local cores or on a Dask cluster, with a progress bar
that counts fits, a Stop that keeps the finished points, and the figure (PNG) and numbers (CSV)
to download. The widgets describe a SweepSpec; digitlab.sweeps.run does the rest."""

import math
import time

import pandas as pd
import streamlit as st

from digitlab.model import solvers
from digitlab.model.config import ConfigError
from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.plots import sweep as sweep_plot
from digitlab.sweeps import SweepJob
from digitlab.sweeps import plan as sweep_plan
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps import spec as sweep
from pages.panels import classroom_panel, queue_panel
from pages.shared import figures, frame, i18n, projector, state, tables
from pages.shared.i18n import N_, _, fmt
from pages.shared.sent import LastSent

JOB, RESULT, PNG = "sweep_job", "sweep_result", "sweep_png"  # this session's sweep
PNG_SCALE = "sweep_png_scale"  # the figure scale PNG was drawn at (projector mode's or 1)
CURVES = {"C": N_("Validation curve: accuracy against C"),
          "train_size": N_("Learning curve: accuracy against training images")}
COMPARE = {"": N_("nothing"), "deskew": N_("deskew off and on"), "solver": N_("solvers"),
           "l1_ratio": N_("penalty mix (l1_ratio, with saga)")}
SWEEP_SOLVERS = [s for s in solvers.SOLVERS if s != solvers.FAST]
SUBSETS = [500, 1000, 2000, 5000, 10_000, 20_000, None]
C_STEPS = [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4]
TOLS = [1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
# The live figure is drawn again at most this often while a sweep runs: each drawing costs the
# server ~0.4 CPU s under Python's lock (matplotlib), which a class's answers would wait for.
LIVE_FIGURE_S = 2.0
# The results table's columns (SweepResult.rows' keys, the CSV's) as a student reads them; C,
# l1_ratio, solver and n_iter are the tutorial's names and stay.
HEADERS = {"deskew": N_("deskew"), "train_size": N_("training images"),
           "train_accuracy": N_("training accuracy"), "test_accuracy": N_("test accuracy"),
           "fit_seconds": N_("fit s"), "converged": N_("converged"),
           "objective": N_("objective"), "warm_start_from": N_("warm start from")}
NUMBERS = {"C": "g", "l1_ratio": "g", "train_size": ",", "train_accuracy": ".4f",
           "test_accuracy": ".4f", "fit_seconds": ".2f", "objective": ".5f"}


def kept(key: str, default) -> dict:
    """A widget's key, its value kept while the user visits other pages."""
    st.session_state.setdefault(key, default)
    return {"key": key, "persist_state": "session"}


def settings() -> sweep.SweepSpec | None:
    """The sidebar's widgets; the SweepSpec they describe, or None with a sentence."""
    st.markdown(_("##### Sweep"))
    x = st.radio(_("Curve"), list(CURVES), format_func=lambda k: _(CURVES[k]),
                 **kept("sweep_x", "C"))
    if x == "C":
        grid = st.text_input(_("Values of C (comma-separated)"),
                             help=_("Small C = strong penalty; each value is one fit."),
                             **kept("sweep_cs", ", ".join(f"{c:g}" for c in sweep.DEFAULT_CS)))
        n = st.select_slider(_("Training images"), SUBSETS, format_func=lambda v: _("all")
                             if v is None else fmt(v, ","), **kept("sweep_train_size", 5000),
                             help=_("Fewer images fit faster and over-fit sooner."))
    else:
        grid = st.text_input(_("Training sizes (comma-separated)"),
                             **kept("sweep_sizes", "100, 300, 1000, 3000, 10000"))
        c = st.select_slider("C", C_STEPS, format_func=lambda v: fmt(v, "g"),
                             **kept("sweep_c", 1.0))
    compare = st.selectbox(_("Compare"), list(COMPARE), format_func=lambda k: _(COMPARE[k]),
                           **kept("sweep_compare", ""))
    series_values: tuple = ()
    fixed = {}
    if compare == "solver":
        series_values = tuple(st.multiselect(_("Solvers"), SWEEP_SOLVERS,
                                             **kept("sweep_solvers", ["lbfgs", "newton-cg"])))
    elif compare == "l1_ratio":
        ratios = st.text_input(_("l1_ratio values"), **kept("sweep_l1", "0, 0.5, 1"),
                               help=_("0 = L2, 1 = L1, between = elastic net."))
        fixed["solver"] = "saga"
        st.caption(_("Solver: saga, the one that takes L1 (slower: keep the images few)."))
    else:
        fixed["solver"] = st.selectbox(_("Solver"), SWEEP_SOLVERS, **kept("sweep_solver", "lbfgs"))
    if compare == "deskew":
        series_values = (False, True)
    else:
        fixed["deskew"] = st.toggle(_("Deskew"), **kept("sweep_deskew", False))
    with st.expander(_("Stopping rule")):
        fixed["tol"] = st.select_slider("tol", TOLS, format_func=lambda t: fmt(t, "g"),
                                        **kept("sweep_tol", sweep.BASE.tol))
        fixed["max_iter"] = st.number_input("max_iter", 10, 20_000, step=100,
                                            **kept("sweep_max_iter", sweep.BASE.max_iter))
        warm = st.toggle(_("Warm starts along the grid"), **kept("sweep_warm", True),
                         help=_("For chains: learning curves and solvers other than lbfgs. "
                              "lbfgs along C fits its points side by side from cold, sharing "
                              "each pass over the data."))
    try:
        if compare == "l1_ratio":
            series_values = sweep.parse_list(ratios, "l1_ratio")
        if x == "C":
            fixed["train_size"] = n
        else:
            fixed["C"] = c
        return sweep.SweepSpec(x=x, values=sweep.parse_list(grid, x),
                               series=compare or None, series_values=series_values,
                               base=sweep.BASE.replace(**fixed), warm_start=warm)
    except ConfigError as exc:
        st.error(i18n.error_text(exc))
        return None


def figure_png(result: sweep.SweepResult) -> bytes:
    """The figure as shown and as downloaded: one rendering, closed at once; in projector mode
    with its text and lines larger (projector.figure_scale)."""
    return plots.to_png(sweep_plot.sweep_figure(result, words=i18n.words()),
                        scale=projector.figure_scale())


def follow(job: SweepJob, bar, picture) -> None:
    """Poll the running sweep: the bar counts fits, the figure grows with the points (drawn
    again at most every LIVE_FIGURE_S). A click on Stop reruns the script, which ends this loop
    at its next update."""
    drawn, drawn_at = 0, 0.0
    shown = LastSent()  # the bar's text: sent again only when it changes (once a second)
    while job.running:
        if job.waiting() is not None:  # it went to the queue: the rerun shows its place
            return
        done = len(job.points)
        text = _("{done} of {planned} fits done · {elapsed:.0f} s", done=done,
                 planned=job.planned, elapsed=job.elapsed)
        if job.stop_requested:
            text += _(" · stopping after the fits in flight")
        if shown.changed(text):
            bar.progress(done / job.planned, text=text)
        if done != drawn and done >= 1 and time.monotonic() - drawn_at >= LIVE_FIGURE_S:
            drawn, drawn_at = done, time.monotonic()
            if not figures.live_image(picture, lambda: figure_png(job.so_far()),
                                      width="stretch",
                                      alt=_("Train and test accuracy of the {done} fits done so "
                                            "far.", done=done)):
                drawn = 0  # skipped: draw it at the next turn
        time.sleep(0.25)


def finish(job: SweepJob) -> None:
    """Keep a finished job's result and its one rendering in the session."""
    if job.result is not None and st.session_state.get(RESULT) is not job.result:
        st.session_state[RESULT] = job.result
        st.session_state[PNG] = figure_png(job.result)
        st.session_state[PNG_SCALE] = projector.figure_scale()


def result_png(result: sweep.SweepResult) -> bytes:
    """The kept rendering, drawn again once if projector mode was turned on or off since."""
    if st.session_state.get(PNG_SCALE, 1.0) != projector.figure_scale():
        st.session_state[PNG] = figure_png(result)
        st.session_state[PNG_SCALE] = projector.figure_scale()
    return st.session_state[PNG]


def best_at(result: sweep.SweepResult, best) -> str:
    """Where the best test accuracy is: "C=0.1" or "5,000 images"."""
    return (f"C={fmt(best.x, 'g')}" if result.spec.x == "C"
            else _("{n:,} images", n=int(best.x)))


def show(result: sweep.SweepResult, png: bytes) -> None:
    best = result.best()
    across = "C" if result.spec.x == "C" else _("the number of training images")
    st.image(png, width="stretch", alt=_("Train and test accuracy against {across}.",
                                         across=across) if best is None else
             _(alt.sweep(across, best_at(result, best), best.test_accuracy)))
    left, mid, right = st.columns([2, 1, 1])
    if best is not None:
        at = best_at(result, best)
        left.markdown(_("**Best test accuracy {test_accuracy:.3f}** at {at}",
                        test_accuracy=best.test_accuracy, at=at)
                      + (f" ({sweep_plot.curve_label(result.spec.series, best.series)})"
                         if result.spec.series else ""))
    name = "validation-curve" if result.spec.x == "C" else "learning-curve"
    mid.download_button(_("Figure (PNG)"), png, _("digitlab-{name}.png", name=name), "image/png",
                        icon=":material/download:", width="stretch")
    right.download_button(_("Numbers (CSV)"), result.to_csv(), f"digitlab-{name}.csv", "text/csv",
                          icon=":material/download:", width="stretch")
    fits = (_("{points} of {planned} fits", points=len(result.points), planned=result.planned)
            if result.stopped else _("{points} fits", points=len(result.points)))
    st.caption(_("**Ran on** {where}: {fits} in {seconds:.1f} s, {describe}. ",
                 where=result.where, fits=fits, seconds=result.seconds,
                 describe=sweep_plan.describe(result.spec, result.chains)) + " ".join(
                   _("**Stopping rule:** {stopping_rule}.",
                     stopping_rule=result.spec.stopping_rule(s)) for s in result.solvers))
    if result.stopped:
        st.info(_("Stopped: the {points} finished fits are kept.", points=len(result.points)))
    if any(not p.converged for p in result.points):
        st.warning(_("Some fits hit max_iter before converging (marked in the table): raise "
                   "max_iter or tol in **Stopping rule**."), icon=":material/warning:")
    table = pd.DataFrame(result.rows()).drop(columns="worker")
    if projector.on():  # st.dataframe draws its cells in its own small font, on a canvas
        projector_table(table, result.spec)
        return
    styled = table.style.format(
        {name: (lambda v, spec=spec: "∞" if isinstance(v, float) and math.isinf(v)
                else "" if v is None or v != v else fmt(v, spec))
         for name, spec in NUMBERS.items() if name in table})
    st.dataframe(styled, width="stretch", hide_index=True,
                 column_config={name: st.column_config.Column(_(label))
                                for name, label in HEADERS.items()})


def projector_table(table: pd.DataFrame, spec: sweep.SweepSpec) -> None:
    """The results in the page's large type: the curve's columns and the accuracies, a table of
    text (the CSV has every column)."""
    names = [n for n in dict.fromkeys([spec.x, spec.series or spec.x, "train_accuracy",
                                       "test_accuracy", "fit_seconds", "converged"])
             if n in table]
    shown = pd.DataFrame({_(HEADERS.get(n, n)): [
        "∞" if isinstance(v, float) and math.isinf(v) else
        ("✓" if v else "✗") if n == "converged" else
        "" if v is None or v != v else fmt(v, NUMBERS[n]) if n in NUMBERS else str(v)
        for v in table[n]] for n in names})
    shown.index = pd.RangeIndex(1, len(shown) + 1, name="#")
    st.container(key=projector.REPORT).markdown(tables.markdown(shown))


with frame.guard(_("The Sweep page")):
    st.title(_("Sweep"))
    st.caption(_("How accuracy on the training and the test images moves as C changes (too "
               "little penalty over-fits, too much under-fits), or as the model sees more "
               "images. Each point is a fit run to convergence."))
    ds = frame.need_data(state.dataset())
    with st.sidebar:
        spec = settings()
    where = sweep_run.Where.from_env()
    job: SweepJob | None = st.session_state.get(JOB)
    running = job is not None and job.running
    queued = queue_panel.queued(job)
    row = st.columns([1.3, 1.4, 3.0])  # room for a longer language's Stop (Arrêter le balayage)
    # while this session's sweep waits in the queue, a press replaces it (new settings)
    run = row[0].button(_("Run sweep"), type="primary", width="stretch",
                        disabled=spec is None or (running and not queued))
    stop = row[1].button(_("Stop sweep"), width="stretch", disabled=not running,
                         help=_("Ends the sweep after the fits in flight; keeps finished points."))
    n_fits = len(spec.configs()) if spec is not None else 0
    row[2].caption(_("{n_fits} fits, run on {describe}", n_fits=n_fits, describe=where.describe())
                   + (" (DIGITLAB_DASK_SCHEDULER)" if where.scheduler else ""))
    if stop and running:
        job.stop()
    if run and spec is not None:
        waiting = job if queued else None
        job = SweepJob(spec, state.split_for(ds, spec.base), where,
                       owner_alive=state.session_alive(), queue=state.sweep_queue(),
                       owner=state.owner(), first=classroom_panel.is_teacher(),
                       store=state.sweep_store()).start()
        if waiting is not None:  # the new press replaces it in the queue
            waiting.leave()
        st.session_state[JOB] = job
        st.rerun()  # redraw the buttons: Run off, Stop on
    # a sweep waiting in the queue: its place, kept up to date at the end of the run
    # (queue_panel.wait_turn)
    queued = queue_panel.queued(job)
    waiting_slot = st.empty()
    if not queued and job is not None and job.running:
        follow(job, st.progress(0.0, text="starting"), st.empty())
        st.rerun()
    if job is not None and job.error:
        st.error(_(job.error))
    if job is not None and job.notice:
        st.info(_(job.notice))
    if job is not None and not job.running:
        finish(job)
    if RESULT in st.session_state:
        if spec is not None and spec != st.session_state[RESULT].spec:
            st.caption(_("These are the results of the last sweep you ran; press **Run sweep** "
                       "for the settings now in the sidebar."))
        show(st.session_state[RESULT], result_png(st.session_state[RESULT]))
    elif job is None:
        st.info(_("Choose a curve in the sidebar and press **Run sweep**. The default, nine "
                "values of C on 5,000 images, takes seconds to a minute."))
    elif queued:
        st.empty()  # in the hint's place: else it stays on, greyed, while the sweep waits
    if queued:
        queue_panel.wait_turn(job, waiting_slot, "sweep", "leave_sweep_queue")
