"""See inside the model: the weight images (Train), "why this answer" for one image (Draw, and
the Gallery's single view) and the maths panel with the current model's and image's numbers.

The numbers come from digitlab.lab.explain; this module only lays them out. Whether a model has
per-pixel weights at all is explain.pixel_weights's question: a model on other features gets a
sentence instead of a picture, and still its scores and softmax.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from digitlab.data.images import round_u8
from digitlab.lab import explain
from digitlab.lab.explain import Reading
from digitlab.model import solvers
from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.plots import explain as eplots
from pages.shared import bars, i18n, tables
from pages.shared import pictures as pictures_html
from pages.shared.i18n import N_, _, fmt

# The weight and evidence maps' (HTML) width: 168 px at the page's 16 px (6 screen pixels per
# MNIST pixel), more on a projector.
MAP_REM = 10.5
NO_PIXEL_WEIGHTS = ("This model reads features computed from the pixels, not the pixels "
                    "themselves, so no weight belongs to one pixel: there is no picture of "
                    "its weights or of where the ink pushed. Its ten scores and their softmax "
                    "still work exactly as below.")


# --- the Train page: the weight images -------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def weights_png(images: np.ndarray, titles: tuple[str, ...], lang: str,
                scale: float = 1.0) -> bytes:
    """Pure function of the weights and the language: safe to share between sessions."""
    words = i18n.words(lang)
    fig = eplots.weight_grid(images, titles,
                             note=words.say(N_("weight (red: ink here counts for the digit)")))
    return plots.to_png(words.ticks(fig), scale=scale)  # the colour bar's numbers: 0,5 in French


def weights(tr) -> None:
    """The ten coefficient images on one diverging scale, and how many weights are exactly 0."""
    st.markdown(_("#### What the model learned: one weight per pixel per digit"))
    w = explain.pixel_weights(tr.fit.model)
    if w is None:
        st.info(NO_PIXEL_WEIGHTS)
        return
    share, overall = explain.zero_share(w.coef)
    titles = [_("{c} · {s:.0%} zero", c=c, s=s) for c, s in zip(w.classes, share)]
    left, right = st.columns([3, 1], gap="medium")
    with left:
        # Coloured with numpy (no matplotlib figure, so no wait on its one lock, which a
        # class's finished fits all need at once), at MNIST's 28x28, enlarged by the browser;
        # one piece of HTML, not eleven pictures with a markdown caption each: a class's
        # finished fits draw it in every student's browser at once (pages/shared/pictures.py).
        images = w.images()
        limit = eplots.symmetric_limit(images)
        key = eplots.diverging_rgb(np.linspace(-limit, limit, 96)[None, :], limit, 96)
        st.html(pictures_html.html([eplots.diverging_rgb(image, limit, image.shape[-1])
                                    for image in images], titles,
                                   [_(alt.weights(str(c), s)) for c, s in zip(w.classes, share)],
                                   MAP_REM)
                + pictures_html.html([np.repeat(key, 3, axis=0)],
                                     [_("weight (red: ink here counts for the digit)")],
                                     [""], 5 * MAP_REM))  # the key: its caption says it all
    with right:
        st.metric(_("Weights exactly 0"), fmt(overall, ".1%"),
                  help=_("Over all ten images. L1 (l1_ratio near 1, solver saga) sets many "
                       "weights to exactly zero; pixels that are never inked in the training "
                       "images keep weight 0 under any penalty."))
        c = tr.config
        st.caption(_("Penalty: {penalty_name}, C = {c:g}. Red pixels are where ink adds to a "
                     "digit's score, blue where it subtracts, white where it does nothing. A "
                     "digit's score is the sum of its weights times the pixels, plus its "
                     "intercept.", penalty_name=c.penalty_name, c=c.C))
        if w.deskew:
            st.caption(_("This model deskews: its weights apply to the **straightened** image, "
                       "not to the pixels as drawn."))
        if w.pixels.scaling == "standard":
            st.caption(_("Pixels are z-scored: a weight multiplies (pixel − its mean) / its "
                       "spread, so an empty pixel counts too."))


# --- why this answer -------------------------------------------------------------------------


def _features_image(reading: Reading) -> np.ndarray:
    """x on the grid as grey levels (0..255), whatever the scaling, at its own size."""
    x = reading.features.reshape(reading.evidence.shape[1:])
    lo, hi = float(x.min()), float(x.max())
    grey = (x - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(x)
    return round_u8(grey)


def sum_line(reading: Reading, k: int) -> str:
    """"sum 4.12 + b 7 (-0.31) = z 3.81": the evidence map adds up to the score shown."""
    d = reading.label(k)
    return (_("Σ map {evidence_sum:+.2f}  +  b{sub} {intercept:+.2f}  =  z{sub} {scores:+.2f}",
              evidence_sum=reading.evidence_sum(k), sub=_sub(d), intercept=reading.intercept[k],
              scores=reading.scores[k]))


def _sub(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def evidence(reading: Reading, deskew: bool) -> str:
    """The answer's weights times the pixels = its evidence (where the ink pushed for and
    against it), and the runner-up's evidence beside it, with their colour key: as HTML
    (pages/shared/pictures.py says why), the maps at MNIST's 28x28, enlarged by the browser."""
    top, second = reading.predicted, reading.runner_up
    weight_image = reading.weights.images()[top]
    maps = reading.evidence[[top, second]]
    limit = eplots.symmetric_limit(maps)
    grey = _features_image(reading)
    pictures = [eplots.diverging_rgb(weight_image, eplots.symmetric_limit(weight_image),
                                     weight_image.shape[-1]),
                grey,
                *(eplots.diverging_rgb(m, limit, m.shape[-1]) for m in maps)]
    d, d2 = reading.label(top), reading.label(second)
    captions = [_("weights w{sub} of the answer, {d}", sub=_sub(d), d=d),
                (_("× x, the deskewed pixels they multiply") if deskew
                 else _("× x, the pixels they multiply")),
                _("= evidence for {d}: {sum_line}", d=d, sum_line=sum_line(reading, top)),
                _("evidence for the runner-up, {d2}: {sum_line}", d2=d2,
                  sum_line=sum_line(reading, second))]
    said = [_(alt.weights(d, float(np.mean(weight_image == 0)))),
            _("Your drawing as the model gets it, in grey levels."),
            _(alt.evidence(d, reading.evidence_sum(top))),
            _(alt.evidence(d2, reading.evidence_sum(second)))]
    key = eplots.diverging_rgb(np.linspace(-limit, limit, 96)[None, :], limit, 96)
    key_caption = _("evidence w·x per pixel: blue −{limit:.2g} (this ink counts against the "
                    "digit) · white 0 (no effect) · red +{limit:.2g} (counts for it)",
                    limit=limit)
    return (pictures_html.html(pictures, captions, said, MAP_REM)
            + pictures_html.html([np.repeat(key, 3, axis=0)], [key_caption], [""],
                                 4 * MAP_REM))  # the key: its caption says it all


def scores_chart(reading: Reading) -> str:
    """The ten scores z_k as bars (the answer highlighted), in plain HTML: it answers every
    stroke on the Draw page (pages/shared/bars.py)."""
    n = len(reading.scores)
    return bars.html([float(z) for z in reading.scores], [reading.label(k) for k in range(n)],
                     [fmt(float(z), ".2f") for z in reading.scores], reading.predicted,
                     _(alt.scores(reading.scores)), _("digit"), _("score z = w·x + b"))


def _number(v: float) -> str:
    """Readable at any size: 0.00012 as 1.2e-04, not 0.000."""
    return fmt(v, ".3f") if v == 0 or abs(v) >= 1e-3 else fmt(v, ".1e")


def softmax_table(reading: Reading) -> pd.DataFrame:
    """The softmax, digit by digit: z, e^(z - max z), and its share of the sum = the
    probability; as printed (a static table: it costs the browser far less than a grid)."""
    z = reading.scores
    e = np.exp(z - z.max())
    columns = {_("score z"): z, "e^(z − max z)": e, _("probability"): e / e.sum()}
    frame = pd.DataFrame({name: [_number(v) for v in values] for name, values in
                          columns.items()}, index=[reading.label(k) for k in range(len(z))])
    frame.index.name = _("digit")
    return frame


def why(model, image28: np.ndarray, deskew: bool) -> Reading:
    """"Why this answer" for one 28x28 image: evidence maps, scores, softmax."""
    reading = explain.read(model, image28)
    # The pictures, the scores' bars and the softmax table as one piece of HTML (the bars and
    # the table side by side, one above the other on a phone): not four columns of pictures,
    # a key, two columns, a chart and a markdown table, which a phone's browser mounted again
    # as some hundred React components after every Clear (st.table would load the Arrow
    # reader, ~0.7 MB of JavaScript, for thirty numbers).
    if not reading.has_evidence:
        st.info(NO_PIXEL_WEIGHTS)
    e = np.exp(reading.scores - reading.scores.max())
    # the sentence under the table in the same block, as small as a caption (projector.py's
    # `small` makes it as large as one on a wall): a caption is one more markdown render
    note = _("Softmax: each probability is e^z over the sum of all ten (Σ e^(z − max z) = "
             "{sum:.3f}); subtracting max z first changes nothing but keeps the numbers "
             "finite. These are the probabilities shown above.", sum=e.sum())
    st.html((evidence(reading, deskew) if reading.has_evidence else "")
            + '<div style="display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:flex-start;'
            'margin-top:1rem">'
            f'<div style="flex:1 1 16rem">{scores_chart(reading)}</div>'
            f'<div style="flex:0 1 auto">{tables.html(softmax_table(reading))}</div></div>'
            + pictures_html.note(note))
    return reading


# --- the maths panel -------------------------------------------------------------------------


def maths(model, fit, reading: Reading, label: int | None = None,
          key: str = "maths") -> None:
    """The maths, with this model's and this image's numbers: a collapsed expander whose
    content is only computed when it is open."""
    box = st.expander(_("The maths, with these numbers"), key=key, on_change="rerun",
                      icon=":material/function:")
    if box.open:
        with box:
            maths_body(model, fit, reading, label)


def maths_body(model, fit, reading: Reading, label: int | None) -> None:
    k, r = reading.predicted, reading.runner_up
    top, second = explain.one_vs_rest(reading.scores, k), explain.one_vs_rest(reading.scores, r)
    d, d2 = reading.label(k), reading.label(r)
    st.markdown(_("**1. The logistic function** turns any score into a probability:"))
    st.latex(r"\sigma(m) = \frac{1}{1 + e^{-m}}")
    st.markdown(_("With ten digits, a digit's probability is σ of its *margin* over the "
                "other nine:"))
    st.latex(r"m_k = z_k - \log \sum_{j \ne k} e^{z_j}")
    st.markdown(
        _("For the answer {d}: m = **{margin:.3f}**, and σ({margin:.3f}) = **{sigma:.4f}**, the "
          "probability shown ({probability:.4f}). For the runner-up {d2}: m = {margin2:.3f}, σ = "
          "{sigma2:.4g}.", d=d, margin=top.margin, sigma=top.sigma, probability=top.probability,
          d2=d2, margin2=second.margin, sigma2=second.sigma))
    st.caption(_("The tutorial prints it as 1/1-e^(-z). Read as written that is 1 − e^(−m): "
                 "{misprint:.4f} for {d} but **{misprint2:.4g}** for {d2} — not a probability. "
                 "The plus sign matters.", misprint=top.misprint, d=d, misprint2=second.misprint,
                 d2=d2))
    st.markdown(_("**2. The logit** undoes it: the log of the odds gives the margin back."))
    logit = N_("∞ (p rounds to 1)") if math.isinf(top.logit) else fmt(top.logit, ".3f")
    st.latex(r"\log\frac{p}{1-p} = m")
    st.markdown(_("log({probability:.4f} / {probability2:.4g}) = **{logit}** = m for {d}.",
                  probability=top.probability, probability2=1 - top.probability, logit=logit, d=d))
    st.markdown(_("**3. Softmax** over the ten scores (the table above):"))
    st.latex(r"p_k = \frac{e^{z_k}}{\sum_{j=0}^{9} e^{z_j}}, \qquad z_k = w_k \cdot x + b_k")
    e = np.exp(reading.scores - reading.scores.max())
    st.markdown(_("For {d}: e^(z − max z) = {e:.4g}, over their sum {sum:.4g} = **{sum2:.4f}** "
                  "(dividing top and bottom by e^(max z) = e^{max:.2f} changes nothing).", d=d,
                  e=e[k], sum=e.sum(), sum2=e[k] / e.sum(), max=reading.scores.max()))
    loss_panel(model, fit, reading, label)
    solvers_panel(fit.config.solver)


def loss_panel(model, fit, reading: Reading, label: int | None) -> None:
    c = fit.config
    coef = explain.model_weights(model)
    y = reading.predicted if label is None else int(np.flatnonzero(
        reading.classes == label)[0])
    st.markdown(_("**4. The loss** the solver makes small, where C and l1_ratio weigh the "
                "penalty against the fit:"))
    st.latex(r"f(W,b) = \frac{1}{n}\sum_{i=1}^{n} -\log p_{y_i}(x_i) + \frac{1}{C\,n}"
             r"\Big(\tfrac{1-\rho}{2}\lVert W\rVert_2^2 + \rho\,\lVert W\rVert_1\Big),"
             r"\quad \rho = \texttt{l1\_ratio}")
    if coef is None:
        return
    lt = explain.loss_terms(coef, c.C, c.l1_ratio, fit.n_train, reading.probabilities, y)
    who = N_("its true label") if label is not None else N_("the model's answer")
    penalty = ("no penalty (C = ∞)" if math.isinf(c.C) else
               _("C = {c:g}, ρ = {l1_ratio:g}, n = {n_train:,}: ‖W‖² = {squared_norm:.4g}, ‖W‖₁ "
                 "= {abs_norm:.4g}, penalty term = **{penalty:.4g}**", c=c.C,
                 l1_ratio=lt.l1_ratio, n_train=lt.n_train, squared_norm=lt.squared_norm,
                 abs_norm=lt.abs_norm, penalty=lt.penalty))
    st.markdown(_("This image's term, for {who} {label}: −log p = **{image_loss:.4f}**. This "
                  "model: {penalty}. A smaller C makes the penalty count more: smaller weights, "
                  "a smoother model; ρ = 1 (L1) pushes weights to exactly 0.", who=who,
                  label=reading.label(y), image_loss=lt.image_loss, penalty=penalty))


def solvers_panel(current: str) -> None:
    st.markdown(_("**5. No learning rate?** scikit-learn's LogisticRegression takes none; "
                "each solver sets its own step:"))
    rows = [{"solver": s.name + (" (this model)" if s.name == current else ""),
             N_("step size"): s.step_size} for s in solvers.SOLVERS.values()]
    st.table(pd.DataFrame(rows).set_index("solver"))


# --- the Draw page's tab -----------------------------------------------------------------------


def drawing_tab(fit, image: np.ndarray, prepared) -> None:
    """"Why this answer" for a drawing (an entry of the Draw page's TABS)."""
    reading = why(fit.model, prepared.image28, fit.config.deskew)
    maths(fit.model, fit, reading, key="draw_maths")
