"""Gallery: browse the test set through the trained model's eyes, one image at a time or as a
grid; filter to the mistakes, to one true class, to one predicted class."""

import numpy as np
import streamlit as st

from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.training import evaluate
from pages.panels import explain_panel
from pages.shared import figures, frame, i18n, state
from pages.shared.i18n import N_, _, fmt, label

POS = "g_pos"  # position in the current selection
PAGE = "g_page"  # page of the grid view
GRID = 40  # images per grid page: 4 rows of 10 fit a projector screen
KEEP = {"persist_state": "session"}  # the place and filters survive a visit to another page
QUICK = {"1st": 0, "9th": 8, "99th": 98}  # the tutorial's examples: x_test[0], [8], [98]
# The mistakes' orders (digitlab.training.evaluate.ORDERS), as the page names them
ORDERS = dict(zip(evaluate.ORDERS, (N_("Confidently wrong first"), N_("Least sure first"),
                                    N_("Test-set order"))))


def reset_to(index: int) -> None:
    """Show test image `index` of the unfiltered test set (the quick buttons)."""
    st.session_state.update({"g_show": N_("All"), "g_true": "any", "g_pred": "any", POS: index,
                             "g_view": N_("One at a time")})


def step(delta: int, n: int) -> None:
    st.session_state[POS] = int(np.clip(st.session_state.get(POS, 0) + delta, 0, max(n - 1, 0)))


def filters() -> tuple[bool, int | None, int | None, str]:
    st.session_state.setdefault("g_view", N_("One at a time"))
    st.session_state.setdefault("g_show", N_("All"))
    c = st.columns([2, 2, 1, 1, 3])
    view = c[0].segmented_control(_("View"), [N_("One at a time"), N_("Grid")], key="g_view",
                                  format_func=label, **KEEP)
    show = c[1].segmented_control(_("Show"), [N_("All"), N_("Mistakes only")], key="g_show",
                                  format_func=label, **KEEP)
    classes = [N_("any")] + list(range(10))
    true = c[2].selectbox(_("True digit"), classes, key="g_true", format_func=label, **KEEP)
    pred = c[3].selectbox(_("Predicted"), classes, key="g_pred", format_func=label, **KEEP)
    with c[4]:
        st.markdown(_("**The tutorial's examples**"))
        q = st.columns(len(QUICK))
        for col, (name, index) in zip(q, QUICK.items()):
            col.button(name, on_click=reset_to, args=(index,), width="stretch",
                       help=_("The {name} test image, x_test[{index}]", name=name, index=index))
    return (show == N_("Mistakes only"), None if true == "any" else int(true),
            None if pred == "any" else int(pred), view or N_("One at a time"))


def one_at_a_time(idx: np.ndarray, split, ev, what: str, fit) -> None:
    n = len(idx)
    st.session_state[POS] = int(np.clip(st.session_state.get(POS, 0), 0, n - 1))
    nav = st.columns([1.3, 1.1, 2.5, 4], vertical_alignment="bottom")
    nav[0].button(_("◀ Previous"), on_click=step, args=(-1, n), width="stretch")
    nav[1].button(_("Next ▶"), on_click=step, args=(1, n), width="stretch")
    nav[2].number_input(_("Position in {what} (0–{n})", what=what, n=n - 1), 0, n - 1, step=1,
                        key=POS, **KEEP)
    i = int(idx[st.session_state[POS]])
    true, pred = int(split.y_test[i]), int(ev.yhat[i])
    proba = evaluate.probabilities(fit.model, split.X_test[i:i + 1])[0]  # not kept: recomputed
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.image(figures.big_digit(split.X_test[i], split.side, 336),
                 caption=_("x_test[{i}] — {side}x{side} pixels, shown enlarged", i=i,
                           side=split.side),
                 alt=_(alt.test_image(i, true, pred, proba[pred])))
    with right:
        m = st.columns(3)
        m[0].metric(_("True label"), true)
        m[1].metric(_("Predicted"), pred, delta=_("right") if pred == true else _("wrong"),
                    delta_color="normal" if pred == true else "inverse",
                    delta_arrow="off")
        m[2].metric(_("Confidence"), fmt(proba[pred], ".1%"))
        st.image(figures.bars_png(proba, pred, true, i18n.lang()),
                 caption=_("The ten probabilities (the true digit is outlined)."),
                 alt=_(alt.probabilities(proba)))
    st.markdown(_("#### Why this answer"))
    reading = explain_panel.why(fit.model, split.X_test[i], fit.config.deskew)
    explain_panel.maths(fit.model, fit, reading, label=true, key="gallery_maths")


def grid(idx: np.ndarray, split, ev, what: str, sure: bool = False) -> None:
    pages = max(1, -(-len(idx) // GRID))
    page = st.columns([1, 2])[0].number_input(_("Page (of {pages}; {value:,} {what})",
                                                pages=pages, value=len(idx), what=what), 1,
                                              pages, step=1, key=PAGE, **KEEP) - 1
    chunk = idx[page * GRID:(page + 1) * GRID]
    titles = tuple(f"{int(split.y_test[i])}→{int(ev.yhat[i])}"
                   + (f" {fmt(float(ev.confidence[i]), '.0%')}" if sure else "") for i in chunk)
    colors = tuple(plots.RIGHT if split.y_test[i] == ev.yhat[i] else plots.WRONG
                   for i in chunk)
    st.image(figures.grid_png(split.X_test[chunk], titles, split.side, 10, colors),
             caption=_("true → predicted, and how sure the model was; red titles are "
                       "mistakes.") if sure else _("true → predicted; red titles are mistakes."),
             alt=_(alt.answered_digits(split.y_test[chunk], ev.yhat[chunk])))


with frame.guard(_("The Gallery page")):
    st.title(_("Gallery"))
    ds = frame.need_data(state.dataset())
    tr = frame.need_model(ds, state.trained())
    split = state.split_for(ds, tr.config)
    ev = tr.evaluation
    mistakes_only, true, pred, view = filters()
    order = evaluate.ORDERS[0]
    if mistakes_only:
        st.session_state.setdefault("g_order", order)
        order = st.segmented_control(
            _("Order of the mistakes"), list(ORDERS), key="g_order",
            format_func=lambda o: _(ORDERS[o]), **KEEP,
            help=_("Confidently wrong first: the mistakes the model was surest of, the most "
                   "instructive ones.")) or order
    idx = evaluate.select(ev, split.y_test, mistakes_only, true, pred, order)
    what = (_("mistakes") if mistakes_only else _("test images")) + (
        _(", true {true}", true=true) if true is not None else "") + (
        _(", predicted {pred}", pred=pred) if pred is not None else "")
    if len(idx) == 0:
        st.info(_("No {what} to show: loosen the filters.", what=what))
    elif view == N_("Grid"):
        grid(idx, split, ev, what, sure=mistakes_only)
    else:
        one_at_a_time(idx, split, ev, what, tr.fit)
