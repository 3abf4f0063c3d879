"""Train's "Show the code": the current settings as a runnable scikit-learn script, as the
`python -m digitlab train` command (both written by digitlab.lab.script) and as a notebook of
the tutorial's steps to download (digitlab.lab.notebook)."""

from __future__ import annotations

import streamlit as st

from digitlab.lab import notebook, script
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from pages.shared.i18n import _

OPEN = "show_code_open"  # the popover: open or shut


def panel(config: TrainConfig | None) -> None:
    if config is None:
        return
    box = st.popover(_("Show the code"), icon=":material/code:", width="stretch", key=OPEN,
                     on_change="rerun")
    if not box.open:  # built only while open (opening reruns the page): a notebook, a script
        return        # and their highlighting in every run of every student's page otherwise
    with box:
        st.download_button(_("Download as a notebook"), notebook.notebook_json(config, say=_),
                           file_name=notebook.FILE, mime="application/x-ipynb+json",
                           icon=":material/download:", key="download_notebook",
                           on_click="ignore")
        st.caption(_("The tutorial's steps with these settings and seed, for Jupyter: it "
                     "reads MNIST from DigitLab's cache and prints the accuracy DigitLab "
                     "reports."))
        st.markdown(_("**The command** (in a DigitLab checkout):"))
        st.code(script.command(config), language="bash", wrap_lines=True)
        st.markdown(_("**The script**: the tutorial's split, these settings, the accuracy (save "
                      "as `{file}`; `python {file} mnist.npz 2000` reads your own copy and fits "
                      "on 2,000 images).", file=script.FILE))
        fast, deskew = config.solver == solvers.FAST, config.deskew
        if fast and deskew:
            st.caption(_("The digitlab-fast solver and deskewing are DigitLab's own, so the "
                         "script imports them from digitlab; choose a scikit-learn solver "
                         "(lbfgs, sag...) without deskew for a script with scikit-learn only."))
        elif fast:
            st.caption(_("The digitlab-fast solver is DigitLab's own, so the script imports it "
                         "from digitlab; choose a scikit-learn solver (lbfgs, sag...) for a "
                         "script with scikit-learn only."))
        elif deskew:
            st.caption(_("Deskewing is DigitLab's own, so the script imports it from digitlab; "
                         "turn deskew off for a script with scikit-learn only."))
        if config.augment:
            st.caption(_("Augmented training needs DigitLab's fitting loop: the script leaves it "
                       "out, the command keeps it."))
        st.code(script.sklearn_script(config), language="python", line_numbers=True)
