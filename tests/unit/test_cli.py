"""The command line, run in-process through main() as a user would type it; what it fits and reads
are synthetic digits (`fetch` of the real MNIST: tests/model/test_cli_on_mnist.py)."""

from __future__ import annotations

import json
import runpy
import sys

import cv2
import numpy as np
import pytest

from digitlab import cli, data, training
from digitlab.cli import train as train_cli
from digitlab.data import preprocess
from digitlab.model import predict
from digitlab.training import modelfile


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_command(capsys, monkeypatch):
    # `python -m digitlab --help`, run in this process (digitlab/__main__.py and all): a new
    # interpreter would spend seconds importing scikit-learn again
    monkeypatch.setattr(sys, "argv", ["python -m digitlab", "--help"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("digitlab", run_name="__main__")
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("fetch", "train", "predict", "reproduce"):
        assert command in out
    assert "bench" not in out  # the benchmarks live in benchmarks/, outside the library


def test_fetch_digits_is_labelled_as_not_mnist(capsys):
    code, out, _ = run(capsys, "fetch", "--source", "digits")
    assert code == 0 and "digits (8x8)" in out and "NOT MNIST" in out


def test_fetch_idx_without_a_path_is_a_sentence(capsys):
    code, _, err = run(capsys, "fetch", "--source", "idx")
    assert code == 2 and "needs a folder" in err


@pytest.fixture(scope="module")
def synthetic_data(digit_split):
    """A Dataset of the 7,000 synthetic digits, for the CLI to load instead of MNIST: what is
    tested here is the plumbing, not MNIST (that `fetch` finds the real cache:
    tests/model/test_cli_on_mnist.py)."""
    X_train, X_test, y_train, y_test = digit_split
    return data.Dataset(np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test]),
                        "synthetic digits", "tests", "tests/unit/synthetic.py", 28)


@pytest.fixture
def synthetic_load(monkeypatch, synthetic_data):
    monkeypatch.setattr(data, "load_mnist", lambda *args, **kwargs: synthetic_data)


def test_train_json_has_the_promised_fields(capsys, synthetic_load):
    code, out, _ = run(capsys, "train", "--train-size", "2000", "--max-iter", "50", "--json")
    assert code == 0
    result = json.loads(out)
    for key in ("accuracy", "fit_seconds", "n_iter", "confusion_matrix", "config"):
        assert key in result
    assert result["config"]["train_size"] == 2000 and result["accuracy"] > 0.8
    assert np.array(result["confusion_matrix"]).sum() == 1_050  # the test split: 15 % of 7,000
    assert 0 <= result["calibration_error"] <= 1  # a weighted gap between two probabilities


def test_train_refused_setting_is_one_sentence_not_a_traceback(capsys):
    code, _, err = run(capsys, "train", "--solver", "sag", "--l1-ratio", "1")
    assert code == 2
    assert "Choose solver 'saga'" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory, synthetic_data):
    path = tmp_path_factory.mktemp("model") / "m.skops"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "load_mnist", lambda *args, **kwargs: synthetic_data)
        assert cli.main(["train", "--solver", "lbfgs", "--train-size", "2000", "--save",
                         str(path), "--json"]) == 0
    return path


def _write_digit(path, digit28: np.ndarray, size: int, dark_on_light: bool) -> None:
    img = cv2.resize(digit28, (size, size), interpolation=cv2.INTER_CUBIC)
    canvas = np.zeros((size + 40, size + 60), np.uint8)
    canvas[20:20 + size, 30:30 + size] = img
    if dark_on_light:
        canvas = 255 - canvas
    cv2.imwrite(str(path), canvas)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_predict_classifies_image_files_and_survives_a_bad_one(capsys, tmp_path, saved_model,
                                                               digit_split):
    _, X_test, _, y_test = digit_split
    files = []
    for i in range(6):  # a spread of digits, both ink styles, odd sizes
        p = tmp_path / f"digit{i}.{'png' if i % 2 else 'jpg'}"
        _write_digit(p, X_test[i].reshape(28, 28), 90 + 37 * i, dark_on_light=bool(i % 2))
        files.append(str(p))
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"this is not an image")
    code, out, _ = run(capsys, "predict", "--model", str(saved_model), "--json",
                       files[0], str(junk), *files[1:])
    results = json.loads(out)
    assert code == 1  # one file failed, so not a clean exit; but every other file was read
    assert len(results) == 7
    assert set(results[1]) == {"file", "error"}
    good = [r for r in results if "digit" in r]
    assert len(good) == 6
    for r in good:
        assert len(r["probabilities"]) == 10 and abs(sum(r["probabilities"]) - 1) < 1e-3
    truth = [int(y_test[i]) for i in range(6)]
    assert sum(r["digit"] == t for r, t in zip(good, truth)) >= 5


def test_predict_with_a_missing_model_is_a_sentence(capsys, tmp_path):
    code, _, err = run(capsys, "predict", "--model", str(tmp_path / "nope.skops"), "x.png")
    assert code == 2 and "no model file" in err


def test_train_augment_and_rbf_are_flags_saved_into_the_model_file(capsys, tmp_path,
                                                                  synthetic_load, digit_split):
    """`train --augment --features rbf --save` then `predict` with that file: the settings
    travel in the file and the feature step reads the image."""
    path = tmp_path / "robust.skops"
    code, out, _ = run(capsys, "train", "--train-size", "1000", "--deskew", "--augment",
                       "--features", "rbf", "--save", str(path), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["config"]["augment"] is True and result["config"]["features"] == "rbf"
    assert result["accuracy"] > 0.8, result["accuracy"]  # 0.95 here on 1,000 images
    saved = modelfile.load(path)
    assert saved["config"].augment and saved["config"].features == "rbf"
    assert "features" in saved["model"].named_steps
    png = tmp_path / "digit.png"
    _write_digit(png, digit_split[1][0].reshape(28, 28), 140, dark_on_light=True)
    code, out, _ = run(capsys, "predict", "--model", str(path), "--json", str(png))
    prepared = preprocess.to_mnist(preprocess.read_image(png))
    expected = predict.predict_digit(saved["model"], prepared.image28)
    got = json.loads(out)[0]
    assert code == 0 and got["digit"] == expected[0]
    assert np.allclose(got["probabilities"], expected[1], atol=1e-5)


@pytest.mark.parametrize("argv, says", [
    (["--augment", "--solver", "lbfgs"], "choose solver 'digitlab-fast'"),
    (["--features", "wavelets"], "features must be one of pixels, rbf"),
])
def test_train_refuses_augment_without_mini_batches_and_unknown_features(capsys, argv, says):
    code, _, err = run(capsys, "train", *argv)
    assert code == 2 and says in err and "Traceback" not in err


@pytest.mark.parametrize("argv, says", [
    (["train", "--seed", "99999999999999999999"], "seed must be a whole number from 0 to"),
    (["train", "--seed", "4294967296"], "what NumPy and scikit-learn accept"),
    (["train", "--max-iter", "2147483648", "--solver", "sag"], "max_iter must be at most"),
    (["train", "--C", "1e-300"], "C must be at least"),
    (["sweep", "--C", "1", "--jobs", "0"], "(--jobs) must be a whole number of at least 1"),
    (["sweep", "--train-sizes", "inf"], "inf is not"),
    (["sweep", "--solver", ","], "--solver needs at least one solver"),
])
def test_an_option_beyond_its_domain_is_one_sentence_and_exit_code_2(capsys, argv, says):
    """Each was a traceback (InvalidParameterError, OverflowError) or went unchecked; all are
    refused before any data is loaded or fitted."""
    code, _, err = run(capsys, *argv)
    assert code == 2 and says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_test_size_that_leaves_no_training_images_is_a_sentence(capsys, synthetic_load):
    code, _, err = run(capsys, "train", "--test-size", "0.99999")
    assert code == 2 and "leaves no training images" in err


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_files_that_cannot_be_written_are_a_sentence(capsys, synthetic_load, tmp_path):
    missing = tmp_path / "no such folder"
    code, _, err = run(capsys, "sweep", "--C", "1", "--train-size", "300", "--jobs", "1",
                       "--csv", str(missing / "s.csv"))
    assert code == 2 and f"could not write {missing / 's.csv'}" in err
    (tmp_path / "taken").mkdir()
    code, _, err = run(capsys, "train", "--solver", "lbfgs", "--train-size", "300",
                       "--max-iter", "5", "--save", str(tmp_path / "taken"), "--json")
    assert code == 2 and "could not write" in err and "Traceback" not in err


@pytest.mark.parametrize("name", list(training.PRESET_IDS))
def test_train_preset_is_exactly_the_apps_preset(name):
    """`train --preset NAME` trains the config the Train page's button of that name sets (one
    definition, digitlab.training.presets); the options given beside it change it."""
    app = training.presets()[training.PRESET_IDS[name]]
    args = cli.build_parser().parse_args(["train", "--preset", name.upper()])
    assert train_cli.config_from_args(args) == app
    args = cli.build_parser().parse_args(["train", "--preset", name, "--train-size", "500"])
    assert train_cli.config_from_args(args) == app.replace(train_size=500)


def test_every_app_preset_has_a_name_on_the_command_line():
    assert set(training.PRESET_IDS.values()) == set(training.presets())


def test_an_unknown_preset_is_one_sentence(capsys):
    code, _, err = run(capsys, "train", "--preset", "turbo")
    assert code == 2 and "preset must be one of tutorial, fast, best, robust" in err
    assert "Traceback" not in err
