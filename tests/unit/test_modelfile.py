"""Model files: a fitted pipeline and its preprocessing round-trip through skops; anything else
is refused with a sentence. (Synthetic digits: the file does not care what was learned.)"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from digitlab.model import predict
from digitlab.model.config import TrainConfig
from digitlab.model.pipeline import LOGREG_STEP
from digitlab.model.solvers.fast import FastLogisticRegression
from digitlab.training import fitting, modelfile


def test_a_fast_model_file_round_trips(tmp_path, digit_split):
    X_train, X_test, y_train, _ = digit_split
    r = fitting.fit(TrainConfig(train_size=2000), X_train, y_train)
    loaded = modelfile.load(modelfile.save(r, tmp_path / "fast.skops"))
    assert isinstance(loaded["model"].named_steps[LOGREG_STEP], FastLogisticRegression)
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          r.model.predict_proba(X_test[:50]))
    digit, proba = predict.predict_digit(loaded["model"], X_test[0].reshape(28, 28))
    assert 0 <= digit <= 9 and proba.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_model_file_round_trips_with_its_preprocessing(tmp_path, digit_split):
    X_train, X_test, y_train, _ = digit_split
    result = fitting.fit(TrainConfig(solver="lbfgs", train_size=1000, scaling="standard"),
                       X_train, y_train)
    path = modelfile.save(result, tmp_path / "m.skops")
    assert path.read_bytes()[:2] == b"PK"  # a skops zip, not a pickle
    loaded = modelfile.load(path)
    assert loaded["config"] == result.config
    assert loaded["scaling"] == "standard"
    assert np.array_equal(loaded["model"].predict_proba(X_test[:50]),
                          result.model.predict_proba(X_test[:50]))


def test_loading_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    import skops.io as sio

    p = tmp_path / "other.skops"
    sio.dump({"hello": [1, 2, 3]}, p)
    with pytest.raises(ValueError, match="not a DigitLab model file"):
        modelfile.load(p)


# --- the app's download and upload: bytes in, a sentence for every file it cannot use --------


@pytest.fixture(scope="module")
def small_fit(digit_split):
    X_train, _, y_train, _ = digit_split
    return fitting.fit(TrainConfig(train_size=1000, max_iter=5), X_train, y_train)


def test_bytes_round_trip_and_pass_the_input_check(small_fit, digit_split):
    payload = modelfile.from_bytes(modelfile.to_bytes(small_fit))
    modelfile.check_input(payload)
    X_test = digit_split[1]
    assert np.array_equal(payload["model"].predict(X_test), small_fit.model.predict(X_test))
    assert payload["n_iter"] == small_fit.n_iter and payload["config"] == small_fit.config


def _refused(data: bytes, match: str) -> None:
    with pytest.raises(modelfile.ModelFileError, match=match):
        modelfile.check_input(modelfile.from_bytes(data, name="up.skops"), name="up.skops")


def test_a_file_with_an_untrusted_type_is_refused_before_it_runs():
    import fractions

    import skops.io as sio

    data = sio.dumps({"format": modelfile.FORMAT, "model": fractions.Fraction(1, 3)})
    _refused(data, "up.skops contains types DigitLab does not trust: fractions.Fraction")


def test_a_damaged_or_foreign_file_is_refused(small_fit):
    good = modelfile.to_bytes(small_fit)
    _refused(good[: len(good) // 2], "up.skops is damaged or is not a model file")
    flipped = bytearray(good)
    middle = len(flipped) // 2
    flipped[middle:middle + 64] = bytes(64)
    _refused(bytes(flipped), "damaged")
    _refused(b"GIF89a not a model at all", "damaged or is not a model file")
    _refused(b"x" * (modelfile.MAX_BYTES + 1), "at most 25 MB")


def test_a_model_for_8x8_digits_is_refused():
    from sklearn.datasets import load_digits

    d = load_digits()
    X = np.round(d.data * 255 / 16).astype(np.uint8)
    r = fitting.fit(TrainConfig(train_size=1000, max_iter=5), X, d.target, side=8)
    _refused(modelfile.to_bytes(r, data_name="digits (8x8)"),
             r"trained on 8x8 digits \(digits \(8x8\)\); the data here is 28x28")


def test_a_model_for_other_pixels_is_refused(small_fit):
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    other = {**modelfile.payload_of(small_fit), "input": "float pixels 0..1"}
    _refused(sio.dumps(other), "expects other pixels than this app gives")
    bare = Pipeline([(LOGREG_STEP, small_fit.model.named_steps[LOGREG_STEP])])
    _refused(sio.dumps({**modelfile.payload_of(small_fit), "model": bare}),
             "does not start with DigitLab's pixel step")


@pytest.mark.parametrize("solver", ["fast", "lbfgs"])
def test_a_model_file_saved_before_the_subpackages_still_loads(solver):
    """Files written by main at 6c725ff name `digitlab.transform` and `digitlab.fast`, which
    moved into digitlab.model; they load and answer as they did (made by that commit from the
    digits in saved_by_6c725ff_digits.npz)."""
    here = Path(__file__).parent / "data"
    payload = modelfile.load(here / f"saved_by_6c725ff_{solver}.skops")
    with np.load(here / "saved_by_6c725ff_digits.npz") as saved:
        X, y, proba = saved["X"], saved["y"], saved["proba"]
    assert np.array_equal(payload["model"].predict(X), y)
    if solver == "lbfgs":
        # the same weights, read back; the logits are float32 products, whose last bits differ
        # with the CPU's kernels (measured 5e-6 apart, relative, with OpenBLAS's Prescott ones)
        np.testing.assert_allclose(payload["model"].predict_proba(X), proba, rtol=1e-4,
                                   atol=1e-7)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_file_from_the_single_module_digitlab_is_refused_with_a_sentence(tmp_path):
    """Before 845798c every type lived in one module, digitlab.model (now a package)."""
    import zipfile

    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (100, 784), dtype=np.uint8), np.arange(100) % 10
    good = modelfile.to_bytes(fitting.fit(TrainConfig(solver="lbfgs", max_iter=5), X, y))
    src = zipfile.ZipFile(io.BytesIO(good))
    schema = src.read("schema.json").decode().replace('"digitlab.model.pipeline"',
                                                       '"digitlab.model"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, schema if info.filename == "schema.json" else src.read(info))
    with pytest.raises(modelfile.ModelFileError, match="older DigitLab"):
        modelfile.from_bytes(out.getvalue())
