"""The Train page's settings for digits unlike MNIST's: augmented training and the feature map.

The page's settings form calls `settings` (two widgets in its sidebar) and its preset buttons
call `extras` (what a preset adds, for its tooltip). What they do is digitlab's: augment.py,
features.py.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from digitlab import features, solvers
from digitlab.config import TrainConfig

_LABELS = {"pixels": "Pixels (the tutorial)", "rbf": "RBF kernel (Nystroem)"}


def _augmenting() -> list[str]:
    return [s.name for s in solvers.SOLVERS.values() if s.augments]


def _solver_that_augments(keys: dict[str, str]) -> None:
    """Turning augmentation on switches to a solver that can use it instead of refusing."""
    if st.session_state[keys["augment"]] and (st.session_state[keys["solver"]]
                                              not in _augmenting()):
        st.session_state[keys["solver"]] = _augmenting()[0]


def settings(keys: dict[str, str], kept: Callable[[str], dict]) -> None:
    """The augment toggle and the feature-map choice, keyed like the page's other settings."""
    st.toggle("Augment (new turned, stretched, re-inked digits every epoch)", **kept("augment"),
              on_change=_solver_that_augments, args=(keys,),
              help="Each epoch sees every training digit changed at random: rotated, sheared, "
                   "stretched, moved a little, its strokes thinned or thickened. Slower; "
                   "it helps with digits unlike MNIST's. Needs "
                   + " or ".join(_augmenting()) + ".")
    st.radio("Features", list(features.FEATURES), **kept("features"), horizontal=True,
             format_func=lambda f: _LABELS.get(f, f),
             help=" ".join(f"**{_LABELS.get(f.name, f.name)}**: {f.summary}."
                           for f in features.FEATURES.values())
             + " Weight images and evidence maps exist only for pixel features.")


def extras(config: TrainConfig) -> str:
    """What a preset adds beyond solver, C, max_iter and scaling, for its tooltip."""
    bits = [name for name, on in (("deskew", config.deskew), ("augment", config.augment)) if on]
    if config.features != features.PIXELS:
        bits.append(f"{config.features} features")
    return "".join(f", {b}" for b in bits)
