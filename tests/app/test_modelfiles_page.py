"""Train's model file: the download is the CLI's skops file; uploading it back gives a model with
identical predictions on the test set that Draw and Gallery then use; a bad file is refused
with a sentence and the session's model stays."""

from __future__ import annotations

import numpy as np

from digitlab.training import modelfile
from pages.panels import modelfile_panel
from pages.shared import nav, state

from .page_utils import open_app


def test_download_then_upload_gives_identical_predictions_and_draw_uses_it(mnist,
                                                                            small_model):
    at = open_app("train", {state.TRAINED: small_model})
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download this model (.skops)" in labels  # beside the code's, the notebook's...
    data = modelfile.to_bytes(small_model.fit, mnist.name)  # what the button's data gives
    other = open_app("train")  # a new session, without a model
    other.file_uploader(key=modelfile_panel.UPLOAD).upload(
        modelfile_panel.file_name(small_model), data).run()
    assert not other.exception and not other.error
    loaded = other.session_state[state.TRAINED]
    assert loaded is not small_model
    assert np.array_equal(loaded.evaluation.yhat, small_model.evaluation.yhat)
    assert np.array_equal(loaded.evaluation.confidence, small_model.evaluation.confidence)
    assert "Draw and Gallery use it now" in other.success[0].value
    assert other.session_state["cfg_solver"] == small_model.config.solver  # its settings
    assert other.session_state[state.HISTORY].runs[0].outcome == "loaded from a file"
    other.switch_page(nav.PAGES["draw"].file).run()
    assert not other.exception
    assert not any("Answering:" in c.value for c in other.caption)  # its own model answers
    other.switch_page(nav.PAGES["gallery"].file).run()
    assert not other.exception and not other.error


def test_a_damaged_file_is_refused_with_a_sentence_and_the_model_stays(mnist, small_model):
    at = open_app("train", {state.TRAINED: small_model})
    good = modelfile.to_bytes(small_model.fit, mnist.name)
    at.file_uploader(key=modelfile_panel.UPLOAD).upload("half.skops", good[:5000]).run()
    assert not at.exception
    assert "half.skops is damaged or is not a model file" in at.error[0].value
    assert at.session_state[state.TRAINED] is small_model


def test_a_model_with_settings_beyond_the_sidebar_loads_and_the_sidebar_stays(
        mnist, tutorial_split):
    from digitlab.model.config import TrainConfig
    from digitlab.training import fitting

    X_train, _, y_train, _ = tutorial_split
    fit = fitting.fit(TrainConfig(solver="lbfgs", max_iter=9000, train_size=500), X_train,
                      y_train)  # the command line allows max_iter=9000; the sidebar stops at 5000
    at = open_app("train")
    at.file_uploader(key=modelfile_panel.UPLOAD).upload("cli.skops",
                                                      modelfile.to_bytes(fit)).run()
    assert not at.exception and not at.error
    assert at.session_state[state.TRAINED].config.max_iter == 9000
    assert "Its max_iter=9000 is beyond what the sidebar offers" in at.success[0].value
    assert at.session_state["cfg_max_iter"] == 100
