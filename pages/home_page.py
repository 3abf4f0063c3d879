"""Home: what DigitLab is, where the data comes from (with a Fetch button), a look at the data,
whether a model is trained, and the way to the other pages."""

import streamlit as st

from digitlab.data import cachelock
from digitlab.data import mnist as data
from digitlab.plots import alt
from pages.panels import classroom_panel
from pages.shared import figures, frame, i18n, nav, state
from pages.shared.i18n import N_, _, fmt


def fetch_button(primary: bool) -> None:
    """Fetch MNIST with a progress bar; the reason in red when it failed."""
    if st.button(_("Fetch MNIST"), type="primary" if primary else "secondary",
                 icon=":material/download:"):
        bar = st.progress(0.0, text="starting")
        if state.fetch(bar) is not None:
            st.rerun()
    if error := st.session_state.get(state.DATA_ERROR):
        st.error(error)


def data_card(ds) -> None:
    st.markdown(_("##### The data"))
    if ds is None:
        st.write(_("There is no MNIST on this machine yet. **Fetch** downloads it once "
                 "(about 20 MB) and keeps a verified copy in the cache."))
        st.caption(_(data.cache_status(where=False)))
        fetch_button(primary=True)
        if st.session_state.get(state.DATA_ERROR):
            st.write(_("Without a network you can still try the app on scikit-learn's small "
                     "8x8 digits (1,797 images; not MNIST)."))
            st.button(_("Use the 8x8 digits instead"), on_click=state.use_digits_fallback)
        return
    if not ds.is_mnist:
        st.warning(_("You are using **{name}**: {detail}. It is a different, much smaller data "
                     "set (8x8 pixels), so the numbers here are not MNIST's and Draw is off. "
                     "Fetch MNIST to get the real thing.", name=ds.name, detail=ds.detail))
        fetch_button(primary=False)
        return
    st.markdown(_("**{name}**: {y:,} handwritten digits, {side}x{side} grey pixels each (0 = "
                  "black, 255 = white ink), labelled 0–9.", name=ds.name, y=len(ds.y),
                  side=ds.side))
    origin = N_("the local cache") if ds.source == "cache" else f"{ds.source} ({ds.detail})"
    st.caption(_("Loaded from {origin}; {cache_status}.", origin=origin,
                 cache_status=data.cache_status(where=False)))
    for note in (n for n in ds.notes if cachelock.MEMORY in n):
        st.warning(cachelock.as_sentence(note))


def model_card(ds) -> None:
    st.markdown(_("##### The model"))
    tr = state.trained()
    job = state.current_job()
    if job is not None and job.running:
        st.write(_("Training is running ({solver}); follow it on the Train page.",
                   solver=job.config.solver))
    elif tr is None:
        st.write(_("No model is trained yet in this browser: until you train one, Draw and the "
                 "Gallery use the class's model. The **Fast** preset fits all of MNIST in "
                 "seconds."))
    else:
        st.metric(_("Test accuracy"), fmt(tr.evaluation.accuracy, ".3f"))
        c = tr.config
        st.caption(_("{solver}, C={c:g}, {penalty_name}, {scaling} pixels", solver=c.solver,
                     c=c.C, penalty_name=c.penalty_name, scaling=c.scaling)
                   + (_(", deskewed") if c.deskew else "") + _("; fitted on {n_train:,} images in "
                                                            "{fit_seconds:.1f} s.",
                                                            n_train=tr.fit.n_train,
                                                            fit_seconds=tr.fit.fit_seconds))
        if not state.model_matches(tr, ds):
            st.caption(_("It was trained on a different data set than the one loaded now."))


def links() -> None:
    cols = st.columns(3)
    for col, (name, text) in zip(cols, [("train", N_("Train a model")),
                                        ("gallery", N_("Browse the test set")),
                                        ("draw", N_("Draw a digit for it"))]):
        with col.container(border=True):
            nav.link(name, _("**{page}**: {what}", page=_(nav.PAGES[name].title), what=_(text)))


def look_at_the_data(ds) -> None:
    left, right = st.columns([3, 2], gap="medium")
    with left:
        n = 12
        # the label alone over each image: "Étiquette 5" ran into its neighbours in French
        titles = tuple(str(int(label)) for label in ds.y[:n])
        st.image(figures.grid_png(ds.X[:n], titles, ds.side, 6), width="stretch",
                 caption=_("The first {n} of {name}'s images, each with its label.", n=n,
                           name=ds.name), alt=_(alt.digits(ds.y[:n])))
    with right:
        st.image(figures.balance_png(ds.y, i18n.lang()), width="stretch",
                 caption=_("Every digit is about equally common, so accuracy is a fair summary."),
                 alt=_(alt.balance(ds.y)))


with frame.guard(_("The Home page")):
    st.title(_("DigitLab"))
    st.markdown(_("Teach a computer to read handwritten digits: **multinomial logistic "
                "regression on MNIST**, the classic scikit-learn tutorial, as a live lab. "
                "Train a model, see where it errs, then draw your own digits for it."))
    classroom_panel.class_address()
    links()
    ds = state.dataset()
    cols = st.columns([3, 2], gap="medium")
    with cols[0]:
        data_card(ds)
    with cols[1]:
        model_card(ds)
    if ds is not None:
        look_at_the_data(ds)
