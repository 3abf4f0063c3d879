"""Train's model file: download this session's model (the skops file `python -m digitlab train
--save` writes) and load one back by upload, which then answers on Draw and Gallery.

Every check is digitlab.training.modelfile's (size, damage, trusted types, the input it expects); a
refusal is its sentence, shown here, and the session's model stays as it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from digitlab.data.mnist import Dataset
from digitlab.lab import links
from digitlab.model.config import TrainConfig
from digitlab.training import modelfile
from digitlab.training.session import Trained
from pages.shared import i18n, state, uploader
from pages.shared.i18n import _

UPLOAD = "model_upload"
SAID = "model_upload_said"  # session state: (kind, sentence) about the last upload


def file_name(tr: Trained) -> str:
    c = tr.config
    C = "inf" if math.isinf(c.C) else f"{c.C:g}"
    return f"digitlab-{c.solver}-C{C}-acc{tr.evaluation.accuracy:.3f}.skops"


def load_upload(apply: Callable[[TrainConfig], None]) -> None:
    """The uploader's callback (before the widgets are drawn): check the file, score it on its
    test split, make it this session's model and put its settings in the sidebar."""
    file = st.session_state.get(UPLOAD)
    if file is None:
        return
    ds = state.dataset()
    job = state.current_job()
    if ds is None or (job is not None and job.running):
        st.session_state[SAID] = ("error", "Load the model when no fit is running and the "
                                           "data is there (Home fetches it).")
        return
    try:
        payload = modelfile.from_bytes(file.getvalue(), name=file.name)
        modelfile.check_input(payload, side=ds.side, name=file.name)
        tr = modelfile.as_trained(payload, state.split_for(ds, payload["config"]))
    except modelfile.ModelFileError as exc:
        st.session_state[SAID] = ("error", i18n.error_text(exc))
        return
    state.history().record(tr, source="file")
    st.session_state.pop(state.JOB, None)  # a finished job would otherwise take its place
    st.session_state[state.TRAINED] = tr
    beyond = [f"{f}={links.write(f, getattr(tr.config, f))}" for f in links.FIELDS
              if links.beyond_page(f, getattr(tr.config, f))]
    if not beyond:
        apply(tr.config)  # the sidebar shows the settings of the model that answers
    st.session_state[SAID] = ("success", _("Loaded {name}: {solver}, {accuracy:.4f} on this "
                                           "data's test images. Draw and Gallery use it now.",
                                           name=file.name, solver=tr.config.solver,
                                           accuracy=tr.evaluation.accuracy) + (
                                  _(" Its {names} is beyond what the sidebar offers, so the "
                                    "sidebar keeps your settings.", names=", ".join(beyond))
                                  if beyond
                                  else ""))


def panel(tr: Trained | None, ds: Dataset, apply: Callable[[TrainConfig], None]) -> None:
    """Download (with a model) and upload, in a popover of the page's tool row."""
    with st.popover(_("Model file"), icon=":material/save:", width="stretch"):
        if tr is not None and state.model_matches(tr, ds):
            st.download_button(
                _("Download this model (.skops)"), icon=":material/download:", width="stretch",
                data=lambda: modelfile.to_bytes(tr.fit, ds.name), file_name=file_name(tr),
                mime="application/octet-stream", on_click="ignore")
            st.caption(_("The pipeline with its pixel scaling (and deskew, features) inside: "
                       "`python -m digitlab predict --model FILE digit.png` reads it too."))
        uploader.file_uploader(_("Load a model file"), type=["skops"], key=UPLOAD,
                               max_upload_size=25, on_change=load_upload, args=(apply,),
                               help=_("A file from this page's download or from `python -m "
                                      "digitlab train --save`."))
        said = st.session_state.get(SAID)
        if said is not None:
            (st.error if said[0] == "error" else st.success)(said[1])
