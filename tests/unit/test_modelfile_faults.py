"""Model files that cannot be used: truncated, damaged, from another DigitLab version, for
other input, or carrying untrusted types. Each is refused with one sentence, and nothing in
the file runs."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from digitlab import cli
from digitlab.model.config import TrainConfig
from digitlab.training import fitting, modelfile

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def good_file(digit_split, tmp_path_factory) -> Path:
    X_train, _, y_train, _ = digit_split
    r = fitting.fit(TrainConfig(train_size=1000), X_train, y_train)
    return modelfile.save(r, tmp_path_factory.mktemp("model") / "good.skops")


class Tripwire:
    """Leaves a file behind when it is rebuilt (skops calls __setstate__ while loading)."""

    marker: str = ""

    def __setstate__(self, state):
        Path(state["marker"]).write_text("ran")


class Evil:
    def __reduce__(self):
        import os
        return (os.system, ("touch pwned-by-pickle",))


def damaged(good: bytes, how: str) -> bytes:
    if how == "truncated":
        return good[: len(good) // 2]
    if how == "empty":
        return b""
    if how == "bytes flipped":
        middle = bytearray(good)
        for i in range(len(middle) // 3, len(middle) // 3 + 64):
            middle[i] ^= 0xFF
        return bytes(middle)
    if how == "a pickle":
        return pickle.dumps(Evil())
    raise AssertionError(how)


def refused(path: Path, ledger, *words: str) -> str:
    _, exc = ledger.result_or_sentence(modelfile.load, path, sentence=modelfile.ModelFileError)
    assert exc is not None, f"{path.name} was accepted"
    for word in words:
        assert word in str(exc), str(exc)
    return str(exc)


@pytest.mark.parametrize("how", ["truncated", "empty", "bytes flipped", "a pickle"])
def test_a_damaged_file_is_refused_with_a_sentence(good_file, tmp_path, monkeypatch, how,
                                                   ledger):
    monkeypatch.chdir(tmp_path)  # where the pickle would leave its mark
    path = tmp_path / f"{how}.skops"
    path.write_bytes(damaged(good_file.read_bytes(), how))
    ledger.fault()
    said = refused(path, ledger)
    assert "damaged or is not a model file" in said or "not a DigitLab model" in said
    assert not (tmp_path / "pwned-by-pickle").exists()


def test_a_file_from_another_version_says_so(good_file, tmp_path, ledger):
    import skops.io as sio

    payload = modelfile.load(good_file)
    payload["format"], payload["config"] = "digitlab-model-0", payload["config"].to_dict()
    sio.dump(payload, tmp_path / "old.skops")
    refused(tmp_path / "old.skops", ledger, "another DigitLab version", "digitlab-model-0")


def test_a_model_for_other_input_is_refused(tmp_path, ledger):
    rng = np.random.default_rng(0)
    X8, y8 = rng.integers(0, 256, (300, 64), dtype=np.uint8), np.arange(300) % 10
    r = fitting.fit(TrainConfig(max_iter=20), X8, y8, side=8)  # in this process
    path = modelfile.save(r, tmp_path / "eight.skops", data_name="digits (8x8)")
    refused(path, ledger, "trained on 8x8 digits", "digits (8x8)", "28x28")


def test_untrusted_types_are_refused_before_anything_in_the_file_runs(good_file, tmp_path,
                                                                       ledger):
    import skops.io as sio

    marker = tmp_path / "ran"
    wire = Tripwire()
    wire.marker = str(marker)
    payload = modelfile.load(good_file)
    payload["config"], payload["extra"] = payload["config"].to_dict(), wire
    sio.dump(payload, tmp_path / "wired.skops")
    refused(tmp_path / "wired.skops", ledger, "does not trust", "Tripwire")
    assert not marker.exists()


def test_the_cli_says_the_sentence_and_no_traceback(good_file, tmp_path, capsys, ledger):
    bad = tmp_path / "bad.skops"
    bad.write_bytes(good_file.read_bytes()[:100])
    ledger.bad_input()
    assert cli.main(["predict", "--model", str(bad), str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    ledger.no_traceback(err, "the CLI")
    assert "damaged or is not a model file" in err
