"""Train: every TrainConfig setting as a widget, presets, an honest expected time, a fit in a
background thread with live progress and a Stop button, then the scores.

Moving a widget never refits: only the Train button does (a fit already made with the same
settings, by anyone, comes back instantly from the shared store)."""

import math
import time

import streamlit as st

from digitlab.lab.links import BOUNDS
from digitlab.model import solvers
from digitlab.model.config import SCALINGS, ConfigError, TrainConfig
from digitlab.training import session as training
from pages.panels import (
    augment_panel,
    calibration_panel,
    classroom_panel,
    confusion_panel,
    explain_panel,
    history_panel,
    links_panel,
    modelfile_panel,
    movie_panel,
    queue_panel,
    report_panel,
    script_panel,
)
from pages.shared import chrome, figures, frame, i18n, state, tabs, timing
from pages.shared.i18n import N_, _, fmt
from pages.shared.sent import LastSent

REUSED = "train_reused"  # the last Train press found its fit stored: say so once
# The live curve is sent again at most this often (a class's pages at once: each is a message
# and a redraw in a browser).
LIVE_CURVE_S = 1.0
# While other fits wait in the queue (a class pressed Train at once), every update is work for
# the server and for the student's browser while the cores are wanted for the fits; a live curve
# is a chart the browser builds anew (measured the largest part of a page's work per press).
# Then the bar and its line move at most every BUSY_PROGRESS_S, and the curve is first drawn
# after BUSY_CURVE_S - LIVE_CURVE_S of fitting, then every BUSY_CURVE_S: a Fast fit ends before,
# and its whole curve is in the results a moment later.
BUSY_PROGRESS_S = 1.0
BUSY_CURVE_S = 5.0
C_STEPS = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0,
           1e3, 1e4, math.inf]
TOL_STEPS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
SUBSETS = [500, 1000, 2000, 5000, 10_000, 20_000, 30_000, None]
# Steps of the two fractions. Select sliders, not sliders: a slider writes its value itself,
# with a dot (0.5); a select slider shows format_func's text, 0,5 in French and Spanish.
L1_STEPS = [round(0.1 * i, 1) for i in range(11)]
TEST_STEPS = [round(0.05 * i, 2) for i in range(1, 11)]
# Widget keys, one per TrainConfig field: presets write them, the form reads them.
K = {f: f"cfg_{f}" for f in ("C", "l1_ratio", "solver", "max_iter", "tol", "test_size", "seed",
                             "scaling", "train_size", "deskew", "augment", "features",
                             "printed", "fat_pen")}


def kept(field: str, disabled: bool = False) -> dict:
    """Key a setting's widget; "session" keeps its value while the user visits other pages
    (Streamlit otherwise forgets the state of widgets it did not draw). A setting a lesson
    link fixed is disabled."""
    return {"key": K[field], "persist_state": "session", **links_panel.disabled(field, disabled)}


def steps(grid: list, field: str) -> list:
    return links_panel.on_grid(grid, st.session_state[K[field]])


def apply(config: TrainConfig) -> None:
    """Put a config into the widgets (a callback: runs before the widgets are drawn)."""
    for field, key in K.items():
        st.session_state[key] = getattr(config, field)


def keep_solver_valid() -> None:
    """When the penalty changes, switch to a solver that accepts it instead of refusing."""
    takers = solvers.accepting(st.session_state[K["l1_ratio"]], st.session_state[K["C"]])
    if st.session_state[K["solver"]] not in takers:
        st.session_state[K["solver"]] = takers[0]


def subset_label(n: int | None) -> str:
    return _("all") if n is None else fmt(n, ",")


def settings_form(ds) -> TrainConfig | None:
    """The widgets; returns the config they describe, or None (with a sentence) if invalid."""
    st.markdown(_("##### Settings"))
    st.select_slider(_("C (inverse regularisation, log scale)"), steps(C_STEPS, "C"), **kept("C"),
                     format_func=lambda c: _("∞ (no penalty)") if math.isinf(c) else fmt(c, "g"),
                     on_change=keep_solver_valid,
                     help=_("Small C = strong penalty on large weights; ∞ = no penalty."))
    st.select_slider(_("Penalty mix l1_ratio (0 = L2, 1 = L1)"), steps(L1_STEPS, "l1_ratio"),
                     **kept("l1_ratio", math.isinf(st.session_state[K["C"]])),
                     format_func=lambda r: fmt(r, "g"), on_change=keep_solver_valid,
                     help=_("Anything above 0 needs a solver that takes L1: ")
                     + ", ".join(solvers.accepting(1.0, 1.0)) + ".")
    options = list(solvers.accepting(st.session_state[K["l1_ratio"]], st.session_state[K["C"]]))
    st.selectbox(_("Solver"), options, **kept("solver"),
                 help=_("Only the solvers that accept the chosen penalty are listed."))
    per_epoch = ", ".join(s.name for s in solvers.SOLVERS.values() if s.per_epoch)
    st.number_input(_("max_iter (epochs for {per_epoch})", per_epoch=per_epoch),
                    *BOUNDS["max_iter"], step=1,
                    **kept("max_iter"))
    st.select_slider(_("Training images"), steps(SUBSETS, "train_size"), **kept("train_size"),
                     format_func=subset_label,
                     help=_("Fit on the first n training images: small subsets fit in seconds."))
    st.radio(_("Pixel scaling"), list(SCALINGS), **kept("scaling"),
             format_func=lambda s: _(SCALINGS[s]))
    st.toggle(_("Deskew (straighten slanted digits)"), **kept("deskew"))
    augment_panel.settings(K, kept)
    with st.expander(_("Tolerance, test split, seed")):
        st.select_slider(_("tol (stopping tolerance)"), steps(TOL_STEPS, "tol"), **kept("tol"),
                         format_func=lambda t: fmt(t, "g"))
        st.select_slider(_("Test split"), steps(TEST_STEPS, "test_size"), **kept("test_size"),
                         format_func=lambda r: fmt(r, "g"),
                         help=_("The tutorial holds out {share:.0%} for testing.", share=0.15))
        st.number_input(_("Seed"), *BOUNDS["seed"], step=1, **kept("seed"))
    try:
        return TrainConfig(**{f: st.session_state[k] for f, k in K.items()})
    except ConfigError as exc:
        st.error(i18n.error_text(exc))
        return None


def preset_buttons(cols) -> list[str]:
    """One button per preset; a preset the lesson link contradicts is off, and the sentence
    saying why is returned (the page shows it under the row)."""
    why_not = []
    for col, (name, config) in zip(cols, training.presets().items()):
        clash = links_panel.preset_clash(config)
        col.button(_(name), on_click=apply, args=(config,), width="stretch",
                   disabled=clash is not None,
                   help=_("{solver}, C={c:g}, max_iter={max_iter}, {scaling} pixels",
                          solver=config.solver, c=config.C, max_iter=config.max_iter,
                          scaling=config.scaling) + augment_panel.extras(config)
                   + (f"\n\n{clash}" if clash else ""))
        if clash:
            why_not.append(_("**{preset}** is off: {why}", preset=_(name), why=clash))
    return why_not


def time_advice(config: TrainConfig, ds, n_available: int) -> None:
    """Show the expected time; when it is long, offer quicker variants of the same settings."""
    expected, drawing = state.fit_estimate(ds, config)
    if expected is None:
        return
    first = (" " + _("It includes about {seconds} to draw the printed and fat-pen training "
                     "digits, once: later fits read them from the cache.",
                     seconds=_(training.format_seconds(drawing)))) if drawing else ""
    if expected < training.LONG_FIT_SECONDS:
        st.caption(_("Expected fit time: about {format_seconds}.",
                     format_seconds=_(training.format_seconds(expected))) + first,
                   help=_("Estimated from fits of this kind measured on this machine: seconds "
                          "per epoch and per image, times the images and the epochs such fits "
                          "take."))
        return
    n = training.n_train_for(config, n_available)
    st.warning(_("These settings take up to about **{format_seconds}** here ({max_iter} {solver} "
                 "epochs over {n:,} images). {solver} passes 0.91 after a few epochs: try a "
                 "subset or fewer epochs first.",
                 format_seconds=_(training.format_seconds(expected)), max_iter=config.max_iter,
                 solver=config.solver, n=n) + first)
    quicker = {K["train_size"]: (10_000, config.replace(train_size=10_000),
                                 N_("Use {n:,} images", n=10_000)),
               K["max_iter"]: (3, config.replace(max_iter=3), N_("Stop after 3 epochs"))}
    for col, (key, (value, variant, text)) in zip(st.columns(2), quicker.items()):
        seconds = state.expected_seconds(ds, variant) or 0.0
        col.button(_("{text} (~{seconds})", text=_(text),
                     seconds=_(training.format_seconds(seconds))), key=f"quick_{key}",
                   on_click=st.session_state.update, args=({key: value},))


def train_label(config: TrainConfig | None, ds) -> str:
    expected = config and state.expected_seconds(ds, config)
    if expected and expected >= training.LONG_FIT_SECONDS:
        return _("Train anyway (~{format_seconds})",
                 format_seconds=_(training.format_seconds(expected)))
    return _("Train")


def follow(job: training.TrainingJob) -> None:
    """Poll the running job from this script thread until it ends, moving the bar and growing
    the curve. A click on Stop reruns the script, which ends this loop at its next update."""
    chrome.no_running_icon()  # the status below says what the run waits for, live
    status = st.status(_("Training ({solver})…", solver=job.config.solver), expanded=True)
    bar = status.empty()  # not `with status:` — leaving that block marks the status complete
    curve = status.empty()
    start = time.monotonic()
    drawn, drawn_at, moved_at = 0, start - LIVE_CURVE_S, 0.0  # alone: the curve at once
    label, bar_at = LastSent(), LastSent()  # only a change is sent again (pages/shared/sent.py)
    while job.running:
        if job.waiting() is not None:  # its fit went to the queue: the rerun shows its place
            return
        busy = others_wait(job)
        now = time.monotonic()
        if not busy or now - moved_at >= BUSY_PROGRESS_S:
            moved_at = now
            fraction, text = job.progress()
            if label.changed(text):
                # expanded must be repeated: an update without it folds the status shut
                status.update(label=_("Training: {text}", text=text), expanded=True)
            if fraction is not None and bar_at.changed(round(fraction, 2)):
                bar.progress(fraction)
        events = list(job.events)
        # redraw only when a point was added, and at most every LIVE_CURVE_S (BUSY_CURVE_S)
        if len(events) != drawn and now - drawn_at >= (BUSY_CURVE_S if busy else LIVE_CURVE_S):
            drawn, drawn_at = len(events), now
            figures.curve_chart(events, curve)
        time.sleep(0.25)
    status.update(label=_("Training finished"), state="complete", expanded=False)


def follow_turn(job: training.TrainingJob, train_slot, label: str) -> None:
    """A waiting fit whose turn came at the end of the run (queue_panel.wait_turn): followed
    there, under Train, which is now off as it is for any running fit (a second button: the
    first is already drawn in this run), and the sidebar says it trains."""
    train_slot.button(label, type="primary", width="stretch", disabled=True,
                      key="train_while_fitting")
    frame.model_line(state.trained())
    follow(job)


def others_wait(job: training.TrainingJob) -> bool:
    """Whether other fits wait in the queue this job ran from (a class pressed Train at once)."""
    return job.queue is not None and job.queue.counts()[1] > 0


def press_train(ds) -> None:
    """Train's callback: start the fit of the settings on screen before the page is drawn, so
    the run that follows the press already draws it waiting or fitting (one run of the page per
    press, not a run that starts it and a second that shows it: in a class, twenty presses)."""
    try:
        config = TrainConfig(**{f: st.session_state[k] for f, k in K.items()})
    except ConfigError:  # the settings form says why, in the run that follows
        return
    if state.start_training(config, ds, first=classroom_panel.is_teacher()) is None:
        st.session_state[REUSED] = True  # a stored fit: the model is here already


def continue_from(tr: training.Trained) -> None:
    ds = state.dataset()
    if ds is not None:
        state.start_training(tr.config, ds, warm_start=True, first=classroom_panel.is_teacher())


def results(tr: training.Trained, config: TrainConfig | None) -> None:
    ev = tr.evaluation
    fit = tr.fit
    m = st.columns(4)
    m[0].metric(_("Test accuracy"), fmt(ev.accuracy, ".3f"),
                help=_("on {n:,} held-out images", n=ev.n))
    m[1].metric(_("Fit time"), _("{seconds:.1f} s (reused)", seconds=fit.fit_seconds)
                if fit.reused else _("{seconds:.1f} s", seconds=fit.fit_seconds))
    solver = solvers.get(tr.config.solver)
    m[2].metric(_("Epochs") if solver.per_epoch else _("Iterations"), fmt(fit.n_iter, ","))
    m[3].metric(_("Training images"), fmt(fit.n_train, ","))
    if tr.stopped:
        notes = " ".join(_(n) for n in fit.notes)  # the library's sentences, translated
        st.info(notes or _("Stopped early after {n_iter} iterations: this is the best model "
                           "so far.", n_iter=fit.n_iter))
        if solver.keeps_best:
            st.button(_("Continue training from here"), key="continue", on_click=continue_from,
                      args=(tr,), help=_("Warm start: more epochs from these weights, not zero."))
    elif not fit.converged:
        st.warning(" ".join(_(n) for n in fit.notes)
                   or _("Did not converge in {n_iter} iterations: raise max_iter.",
                        n_iter=fit.n_iter),
                   icon=":material/warning:")
    if config is not None and config != tr.config:
        st.caption(_("These results are for the settings you trained with; press Train to fit "
                   "the settings now shown in the sidebar."))
    left, right = st.columns([3, 2], gap="large")
    with left:
        confusion_panel.confusion(tr, beside=right)  # click a cell: its images on the right
    with right:
        figures.curve_chart(fit.history)
        st.markdown(_("**Per-class report**"))
        report_panel.table(ev, digits=3)
    look_inside(tr)


def calibration(tr: training.Trained) -> None:
    ds = state.dataset()
    if ds is not None:
        calibration_panel.panel(tr, state.split_for(ds, tr.config))


# Inside the model, in tabs that run only while open (as the Draw page's): a finished fit draws
# one panel, not three (a class's fits end at once, and each panel is work for the server and
# for every student's browser). A title (marked for translation) and the panel.
INSIDE = {
    N_("What the model learned"): explain_panel.weights,
    N_("Training as a movie"): movie_panel.panel,
    N_("How sure, when wrong?"): calibration,
}
INSIDE_TAB = "train_inside"  # the choice is kept as "train_inside_kept" (pages/shared/tabs.py)


def look_inside(tr: training.Trained) -> None:
    tabs.lazy_tabs(INSIDE, INSIDE_TAB, tr)


with frame.guard(_("The Train page")):
    st.title(_("Train"))
    ds = frame.need_data(state.dataset())
    if K["C"] not in st.session_state:  # first visit: start from the Fast preset
        apply(training.presets()["Fast"])
    links_panel.open_link(apply)  # the first visit's link: its settings (and lesson) win
    links_panel.pin(K)
    links_panel.hide_widgets(K)
    with st.sidebar:  # the settings beside the navigation; the results get the whole page
        config = settings_form(ds)
    links_panel.keep_in_step(config)
    links_panel.banner(config)
    n_available = len(state.split_for(ds, config).y_train) if config else 0
    job = state.current_job()
    tag = "-" if config is None else timing.tag_of(config.C)
    timing.step(tag, "run", job)  # benchmarks/class_train: what a lost result's page ran
    queued = queue_panel.queued(job)
    row = st.columns([1.35, 0.8, 0.8, 0.9, 1.5, 0.9])
    presets_off = preset_buttons(row[:4])
    # while this session's fit waits in the queue, a press replaces it (new settings)
    train_slot, train_text = row[4].empty(), train_label(config, ds)
    train_slot.button(train_text, type="primary", width="stretch",
                      on_click=press_train, args=(ds,),
                      disabled=config is None or (job is not None and job.running and not queued))
    # keyed (tests/support/browser.py STOP_TRAINING): Streamlit's toolbar has a "Stop" too
    stop = row[5].button(_("Stop"), disabled=job is None or not job.running, key="stop_training",
                         width="stretch",
                         help=_("Ends the fit within a second; DigitLab's solver keeps its best "
                              "model so far, the others keep nothing (yours stays)."))
    # a waiting fit's place goes right under Train: on a phone the buttons stack, and the
    # place would otherwise start below the screen's fold
    waiting_slot = st.empty()
    if presets_off:
        st.caption("  \n".join(presets_off))
    tools = st.columns(3)  # take the settings or the model away: a link, code, a file
    with tools[0]:
        links_panel.builder(config)
    with tools[1]:
        script_panel.panel(config)
    if config is not None:
        time_advice(config, ds, n_available)
    if stop and job is not None and job.running:
        job.stop()  # every solver ends within about a second (the registry's can_stop)
    if st.session_state.pop(REUSED, False):  # press_train found the fit stored
        st.toast(_("Same settings as an earlier fit: reused it."))
    # a fit waiting in the queue: its place is kept up to date at the end of the run
    # (queue_panel.wait_turn); asked again, as its turn may have come while the page above
    # was drawn
    queued = queue_panel.queued(job)
    if not queued and job is not None and job.running:
        timing.step(tag, "follows", job)
        follow(job)
        timing.step(tag, "followed: reruns", job)
        st.rerun()  # draw the results and the sidebar with the new model
    # a failed or stopped fit's sentence stays while its settings are the ones on screen
    said = job is not None and not job.running and job.config == config
    if said and job.error:
        st.error(_(job.error))
    if said and job.notice:
        st.info(_(job.notice))
    tr = state.trained()
    with tools[2]:  # filled last: a fit reused from the store just now is already the model
        modelfile_panel.panel(tr, ds, apply)
    if tr is not None and state.model_matches(tr, ds):
        results(tr, config)
        timing.result_drawn(job, "train")  # benchmarks/class_train's server-side clock
        timing.step(tag, "result drawn", job)
        classroom_panel.publish_panel(tr)
    elif tr is None and (job is None or not (job.error or job.running)):
        st.info(_("Pick a preset or your own settings (in the sidebar) and press **Train**. "
                  "The **Fast** preset fits all of MNIST in seconds."))
    elif tr is None and queued:
        st.empty()  # in the hint's place: else it stays on, greyed, while the fit waits below
    history_panel.panel(apply)
    if queued:
        timing.step(tag, "waits", job)
        queue_panel.wait_turn(job, waiting_slot, "fit", "leave_fit_queue",
                              lambda job: follow_turn(job, train_slot, train_text))
        # reached only when wait_turn returns without a rerun (AppTest, a browser gone)
        timing.step(tag, "stopped waiting, no rerun", job)
