"""Model files: a fitted pipeline and what it expects as input, in skops format (no pickle).

    save(result, "m.skops") / load("m.skops")      # the CLI's --save and predict --model
    to_bytes(result) / from_bytes(data)             # the app's download and upload

Loading refuses, with a sentence, before anything in the file runs: a file too big or that
unpacks too big, a damaged file, and any type outside DigitLab, scikit-learn, NumPy and
Python's builtins. `check_input` then refuses a model made for other input than the app's
(8x8 digits, pixels scaled or shaped another way).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.pipeline import LOGREG_STEP, PIXELS_STEP
from digitlab.text import N_
from digitlab.training.fitting import FitResult
from digitlab.training.session import Split, Trained, trained

FORMAT = "digitlab-model-1"
TRUSTED_PREFIXES = ("digitlab.", "sklearn.", "numpy.", "builtins.")
# Where the types a model file names lived before digitlab was cut into subpackages: a file
# saved then loads as if saved now (its type names are read with today's, `_renamed`).
MOVED = {
    "digitlab.transform": "digitlab.model.pipeline",
    "digitlab.fast": "digitlab.model.solvers.fast",
    "digitlab.features": "digitlab.model.features",
    "digitlab.deskew": "digitlab.data.deskew",
    "digitlab.augment": "digitlab.data.augment",
}
# Before that, one module `digitlab.model` held every type (`digitlab.model.PixelTransform`):
# such a file is from a DigitLab too old to read, and says so instead of failing on an import.
RETIRED_MODULE = "digitlab.model"
INPUT = "uint8 pixels 0..255, white ink on black, 28x28 MNIST-centred, flattened"
# An rbf model (1,200 landmark digits in float64) is about 8 MB; a pixel model 70 kB.
MAX_BYTES = 25_000_000
MAX_UNPACKED = 100_000_000  # what the arrays inside may unpack to (a zip bomb stops here)


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why and what to do."""


def payload_of(result: FitResult, data_name: str = "MNIST") -> dict[str, Any]:
    return {
        "format": FORMAT,
        "model": result.model,
        "config": result.config.to_dict(),
        "data": data_name,
        "input": INPUT,
        "scaling": result.config.scaling,
        "deskew": result.config.deskew,
        "fit_seconds": result.fit_seconds,
        "n_train": result.n_train,
        "n_iter": result.n_iter,
        "converged": result.converged,
        "stopped": result.stopped,
    }


def to_bytes(result: FitResult, data_name: str = "MNIST") -> bytes:
    """The model file's bytes (what `save` writes)."""
    import skops.io as sio

    return sio.dumps(payload_of(result, data_name))


def save(result: FitResult, path: str | Path, data_name: str = "MNIST") -> Path:
    """Write a skops file with the pipeline and what it expects as input."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(result, data_name))
    return path


def load(path: str | Path) -> dict[str, Any]:
    """Read a DigitLab skops file for this app's input (28x28 digits); refuses any type outside
    digitlab/sklearn/numpy before it is built, and anything else it cannot use, with a
    ModelFileError."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(N_("There is no model file at {path}; make one with: python -m "
                                "digitlab train --save PATH", path=path))
    payload = from_bytes(path.read_bytes(), name=str(path))
    check_input(payload, name=str(path))
    return payload


def from_bytes(data: bytes, name: str = "this file") -> dict[str, Any]:
    """A model file's payload (its config a TrainConfig), or ModelFileError with a sentence."""
    import skops.io as sio

    if len(data) > MAX_BYTES:
        raise ModelFileError(N_("{name} is {value:.0f} MB; a DigitLab model file is at most "
                                "{max_bytes:.0f} MB.", name=name, value=len(data) / 1e6,
                                max_bytes=MAX_BYTES / 1e6))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
            if z.testzip() is not None:
                raise zipfile.BadZipFile("a member's checksum does not match")
    except zipfile.BadZipFile as exc:
        raise ModelFileError(N_("{name} is damaged or is not a model file ({exc}). Download the "
                                "model again, or save it with `python -m digitlab train --save`.",
                                name=name, exc=exc)
                             ) from None
    if unpacked > MAX_UNPACKED:
        raise ModelFileError(N_("{name} unpacks to {unpacked:.0f} MB, more than any DigitLab "
                                "model; it was not opened.", name=name, unpacked=unpacked / 1e6))
    try:
        data = _renamed(data)
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # skops raises many kinds for a damaged file
        raise ModelFileError(N_("{name} is damaged or is not a model file ({exc}).", name=name,
                                exc=exc)) from None
    if any(t.rpartition(".")[0] == RETIRED_MODULE for t in untrusted):
        raise ModelFileError(N_("{name} was saved by an older DigitLab; train the model again "
                                "and save it with this version.", name=name))
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ModelFileError(N_("{name} contains types DigitLab does not trust: {types}. It was "
                                "not opened: only DigitLab's own model files load here.",
                                name=name, types=', '.join(bad)))
    try:
        payload = sio.loads(data, trusted=untrusted)
    except Exception as exc:
        raise ModelFileError(N_("{name} is damaged or is not a model file ({exc}).", name=name,
                                exc=exc)) from None
    if not isinstance(payload, dict) or not str(payload.get("format", "")).startswith(
            "digitlab-model-"):
        raise ModelFileError(N_("{name} is not a DigitLab model file.", name=name))
    if payload["format"] != FORMAT:
        raise ModelFileError(N_("{name} is a model file of another DigitLab version ({payload}; "
                                "this one reads {format}); train the model again and save it "
                                "with this version.", name=name, payload=payload['format'],
                                format=FORMAT))
    try:
        payload["config"] = TrainConfig.from_dict(payload["config"])
    except (ConfigError, TypeError, KeyError, ValueError) as exc:
        raise ModelFileError(N_("{name} holds settings DigitLab cannot use ({exc}).", name=name,
                                exc=exc)) from None
    return payload


def _renamed(data: bytes) -> bytes:
    """The file with the type names of MOVED read as today's; the same bytes when it names none.
    A skops file is a zip whose schema.json names each object's `__module__`."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        schema = json.loads(z.read("schema.json"))
        moved = [0]

        def rename(node: Any) -> None:
            if isinstance(node, dict):
                module = node.get("__module__")
                if isinstance(module, str) and module in MOVED:
                    node["__module__"] = MOVED[module]
                    moved[0] += 1
                for value in node.values():
                    rename(value)
            elif isinstance(node, list):
                for value in node:
                    rename(value)

        rename(schema)
        if not moved[0]:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
            for info in z.infolist():
                member = json.dumps(schema) if info.filename == "schema.json" else z.read(info)
                new.writestr(info, member)
    return out.getvalue()


def check_input(payload: dict[str, Any], side: int = 28, name: str = "this model") -> None:
    """Refuse, with a sentence, a model made for other input than `side` x `side` uint8 pixels
    0..255 of the digits 0-9 (the app's and `predict`'s)."""
    from digitlab.model.config import SCALINGS
    from digitlab.model.pipeline import PixelTransform

    model, config = payload["model"], payload["config"]
    steps = getattr(model, "named_steps", {})
    pixels = steps.get(PIXELS_STEP) if hasattr(steps, "get") else None
    if not isinstance(pixels, PixelTransform):
        raise ModelFileError(N_("{name} does not start with DigitLab's pixel step, so it expects "
                                "its pixels prepared some other way; train one on Train or with "
                                "`python -m digitlab train --save`.", name=name))
    data = str(payload.get("data", "MNIST"))
    if int(pixels.side) != side or getattr(pixels, "n_features_in_", side * side) != side ** 2:
        raise ModelFileError(N_("{name} was trained on {side}x{side} digits ({data}); the data "
                                "here is {side2}x{side2} digits. Train a model on this data "
                                "instead.", name=name, side=pixels.side, data=data, side2=side))
    if (payload.get("input") != INPUT or pixels.scaling not in SCALINGS
            or (pixels.scaling, bool(pixels.deskew)) != (config.scaling, config.deskew)):
        raise ModelFileError(N_("{name} expects other pixels than this app gives a model (it "
                                "says: {get!r}, scaling {scaling!r}); DigitLab models take "
                                "{input}.", name=name, get=payload.get('input'),
                                scaling=pixels.scaling, input=INPUT))
    classes = getattr(steps.get(LOGREG_STEP), "classes_", None)
    if classes is None or not np.array_equal(np.asarray(classes), np.arange(10)):
        raise ModelFileError(N_("{name} does not answer with the ten digits 0-9.", name=name))


def as_trained(payload: dict[str, Any], split: Split) -> Trained:
    """A loaded model as the app holds a fit: scored on the test images of the split its
    settings name (`split`: the caller makes it from the config's test_size and seed)."""
    model, config = payload["model"], payload["config"]
    est = model.named_steps[LOGREG_STEP]
    n_iter = payload.get("n_iter", int(np.max(getattr(est, "n_iter_", 0))))
    fit = FitResult(config, model, float(payload.get("fit_seconds", 0.0)), int(n_iter),
                    bool(payload.get("converged", True)), int(payload.get("n_train", 0)),
                    notes=(N_("Loaded from a model file."),),
                    stopped=bool(payload.get("stopped", False)))
    return trained(fit, split)
