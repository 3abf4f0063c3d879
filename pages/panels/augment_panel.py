"""The Train page's settings for digits unlike MNIST's: augmented training, and beside it the
feature map (the two that make a fit slower).

The page's settings form calls `settings` (two widgets in its sidebar) and its preset buttons
call `extras` (what a preset adds, for its tooltip). What they do is digitlab's: which solvers
augment is the solver registry's (digitlab.model.solvers), the feature maps, their names for
people and their summaries are the features registry's (digitlab.model.features).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from digitlab.model import features, solvers
from digitlab.model.config import TrainConfig
from pages.shared.i18n import _

PRINTED_STEPS = [0, 2000, 5000, 10_000]  # printed training digits (digitlab.data.typeset)
FAT_PEN_STEPS = [0, 2000, 5000, 10_000]  # fat-pen re-drawn training digits (digitlab.data.fatpen)


def _augmenting() -> list[str]:
    return [s.name for s in solvers.SOLVERS.values() if s.augments]


def _solver_that_augments(keys: dict[str, str]) -> None:
    """Turning augmentation on switches to a solver that can use it instead of refusing."""
    if st.session_state[keys["augment"]] and (st.session_state[keys["solver"]]
                                              not in _augmenting()):
        st.session_state[keys["solver"]] = _augmenting()[0]


def settings(keys: dict[str, str], kept: Callable[[str], dict]) -> None:
    """The augment toggle and the feature-map choice, keyed like the page's other settings."""
    st.toggle(_("Augment (stretched, re-inked copies every epoch)"), **kept("augment"),
              on_change=_solver_that_augments, args=(keys,),
              help=_("Each epoch sees every training digit changed at random: stretched wider or "
                   "narrower, its strokes thinned or thickened, framed as this app frames a "
                   "drawing. It helps with printed digits; it needs ")
                   + " or ".join(_augmenting()) + ".")
    st.radio(_("Features"), list(features.FEATURES), **kept("features"),
             format_func=lambda f: _(features.get(f).label),
             help=" ".join(_("**{label}**: {summary}.", label=_(f.label), summary=_(f.summary))
                          for f in features.FEATURES.values())
             + _(" Weight images and evidence maps exist only for pixel features."))
    st.select_slider(_("Printed digits added to training"),
                     sorted({*PRINTED_STEPS, st.session_state[keys["printed"]]}),
                     **kept("printed"), format_func=lambda n: f"{n:,}",
                     help=_("Digits set in typefaces, drawn at random sizes, pens and scans, "
                            "trained on beside MNIST's handwriting. They help with printed "
                            "digits; rendered once (a few minutes), then kept."))
    st.select_slider(_("Fat-pen digits added to training"),
                     sorted({*FAT_PEN_STEPS, st.session_state[keys["fat_pen"]]}),
                     **kept("fat_pen"), format_func=lambda n: f"{n:,}",
                     help=_("Training digits drawn again with a fat pen, as a thick brush on the "
                            "canvas draws them, and read as this app reads a drawing. They help "
                            "with digits drawn small or with a thick pen; drawn once (about a "
                            "minute), then kept."))
    if st.session_state[keys["augment"]] or st.session_state[keys["features"]] != features.PIXELS:
        st.caption(_("Augmentation and RBF features each make a fit 5-15 times slower than "
                   "pixels alone: tens of seconds on all of MNIST."))


def extras(config: TrainConfig) -> str:
    """What a preset adds beyond solver, C, max_iter and scaling, for its tooltip."""
    bits = [name for name, on in (("deskew", config.deskew), ("augment", config.augment)) if on]
    if config.features != features.PIXELS:
        bits.append(f"{config.features} features")
    if config.printed:
        bits.append(_("+{n:,} printed digits", n=config.printed))
    if config.fat_pen:
        bits.append(_("+{n:,} fat-pen digits", n=config.fat_pen))
    return "".join(f", {b}" for b in bits)
