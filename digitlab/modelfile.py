"""Model files: a fitted pipeline and what it expects as input, in skops format (no pickle).

Loading refuses any type outside DigitLab, scikit-learn, NumPy and Python's builtins before
anything in the file runs.
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
    """Read a DigitLab skops file; refuses any type outside digitlab/sklearn/numpy."""
    import skops.io as sio

    path = Path(path)
    untrusted = sio.get_untrusted_types(file=path)
    if any(t.startswith(MOVED) for t in untrusted):
        raise ValueError(f"{path} was saved by an older DigitLab; train the model again and "
                         "save it with this version.")
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ValueError(f"{path} contains types DigitLab does not trust: {', '.join(bad)}")
    payload = sio.load(path, trusted=untrusted)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a DigitLab model file")
    payload["config"] = TrainConfig.from_dict(payload["config"])
    return payload
