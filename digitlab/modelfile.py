"""Model files: a fitted pipeline and what it expects as input, in skops format (no pickle).

Loading refuses any type outside DigitLab, scikit-learn, NumPy and Python's builtins before
anything in the file runs. Every file it cannot use (missing, truncated or not a zip, from
another DigitLab version, for other input than 28x28 digits, carrying untrusted types) is a
`ModelFileError` whose message is one sentence saying what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitlab.config import TrainConfig
from digitlab.fitting import FitResult

FORMAT = "digitlab-model-1"
TRUSTED_PREFIXES = ("digitlab.", "sklearn.", "numpy.", "builtins.")
# Types that lived elsewhere before the package was reshaped: such a file is from an older
# DigitLab, and says so instead of failing on an import.
MOVED = ("digitlab.model.",)
PIXELS = 784  # what the app and the CLI feed a model: 28x28 MNIST-like images, flattened


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why and what to do."""


def save(result: FitResult, path: str | Path, data_name: str = "MNIST") -> Path:
    """Write a skops file with the pipeline and what it expects as input."""
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "model": result.model,
        "config": result.config.to_dict(),
        "data": data_name,
        "input": "uint8 pixels 0..255, white ink on black, 28x28 MNIST-centred, flattened",
        "scaling": result.config.scaling,
        "deskew": result.config.deskew,
        "fit_seconds": result.fit_seconds,
        "n_train": result.n_train,
    }
    sio.dump(payload, path)
    return path


def load(path: str | Path) -> dict[str, Any]:
    """Read a DigitLab skops file; refuses any type outside digitlab/sklearn/numpy (before it
    is built), and anything else it cannot use, with a ModelFileError."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"There is no model file at {path}; make one with: "
                             "python -m digitlab train --save PATH")
    redo = "train the model again and save it with this version"
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged zip surfaces as many exception types
        raise ModelFileError(f"{path} is damaged or is not a model file (it cannot be opened: "
                             f"{type(exc).__name__}); {redo}.") from exc
    if any(t.startswith(MOVED) for t in untrusted):
        raise ModelFileError(f"{path} was saved by an older DigitLab; {redo}.")
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ModelFileError(f"{path} contains types DigitLab does not trust, so it was not "
                             f"opened: {', '.join(bad)}.")
    try:
        payload = sio.load(path, trusted=untrusted)
    except Exception as exc:  # a type that moved inside scikit-learn, a truncated member...
        raise ModelFileError(f"{path} cannot be read by this DigitLab ({type(exc).__name__}: "
                             f"{exc}); {redo}.") from exc
    if not isinstance(payload, dict) or not str(payload.get("format", "")).startswith(
            "digitlab-model-"):
        raise ModelFileError(f"{path} is not a DigitLab model file.")
    if payload["format"] != FORMAT:
        raise ModelFileError(f"{path} is a model file of another DigitLab version "
                             f"({payload['format']}; this one reads {FORMAT}); {redo}.")
    takes = getattr(payload.get("model"), "n_features_in_", None)
    if takes != PIXELS:
        raise ModelFileError(f"{path} was trained on other input ({takes} pixels per image, "
                             f"{payload.get('data', 'unknown data')}); DigitLab reads 28x28 "
                             "digits (784 pixels): train it on MNIST.")
    try:
        payload["config"] = TrainConfig.from_dict(payload["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} holds settings this DigitLab does not know ({exc}); "
                             f"{redo}.") from exc
    return payload
