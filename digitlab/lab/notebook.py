"""A run's settings as a Jupyter notebook that follows the tutorial's steps: load MNIST (from
DigitLab's cache, offline), split, prepare, fit, score, the confusion heatmap and three test
predictions, a short markdown cell before each step.

The code cells are digitlab.lab.script's pieces (the same split, pixels and estimator as the
script, so the notebook prints the accuracy `python -m digitlab train` reports); only the
loading differs: the cache file, no download. The notebook is plain JSON in nbformat 4.5
(written here, so the app needs no Jupyter package; the tests validate it with nbformat and
run it with nbclient). What scikit-learn has no word for (the digitlab-fast solver, deskewing)
is imported from digitlab, and the first cell says so.
"""

from __future__ import annotations

import hashlib
import json

from digitlab.lab import script
from digitlab.model.config import TrainConfig

FILE = "digitlab_run.ipynb"
# the test images whose predictions the notebook shows: the 1st, 9th and 99th
SHOWN = (0, 8, 98)

_LOAD = [
    "import os",
    "from pathlib import Path",
    "",
    "# DigitLab's cache ($DIGITLAB_DATA, else ~/.cache/digitlab): `python -m digitlab fetch`",
    "# fills it once; from then on nothing is downloaded",
    'folder = os.environ.get("DIGITLAB_DATA") or Path(',
    '    os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "digitlab"',
    'with np.load(Path(folder).expanduser() / "mnist-70k.npz") as f:',
    '    X, y = f["X"], f["y"].astype(int)',
    'print(f"{len(y):,} images of {int(X.shape[1] ** 0.5)}x{int(X.shape[1] ** 0.5)} pixels")',
]

_SCORE = ["accuracy = model.score(X_test, y_test)",
          'print(f"test accuracy: {accuracy:.4f} on {len(y_test):,} test images")']

_HEATMAP = ["y_pred = model.predict(X_test)",
            "fig, ax = plt.subplots(figsize=(7, 6))",
            'ConfusionMatrixDisplay.from_predictions(y_test, y_pred, cmap="Blues", ax=ax,',
            '                                        colorbar=False, values_format="d")',
            'ax.set_title(f"Accuracy {accuracy:.1%}")',
            "plt.show()"]

_SHOWN = [f"shown = {list(SHOWN)}  # the 1st, 9th and 99th test images",
          "fig, axes = plt.subplots(1, len(shown), figsize=(9, 3.4))",
          "for ax, i in zip(axes, shown):",
          '    ax.imshow(test_images[i].reshape(28, 28), cmap="gray")',
          '    ax.set_title(f"predicted {y_pred[i]}, true {y_test[i]}")',
          '    ax.axis("off")',
          "plt.show()"]


def _cell(kind: str, lines: list[str]) -> dict:
    text = "\n".join(lines).strip("\n")
    source = [line + "\n" for line in text.split("\n")]
    source[-1] = source[-1].rstrip("\n")
    # a stable id (nbformat 4.5 wants one): the same settings give the same file
    cell: dict = {"cell_type": kind, "id": hashlib.sha1(text.encode()).hexdigest()[:8],
                  "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _md(*lines: str) -> dict:
    return _cell("markdown", list(lines))


def _code(*lines: str) -> dict:
    return _cell("code", list(lines))


def cells(config: TrainConfig) -> list[dict]:
    """The notebook's cells for `config`, in the tutorial's order."""
    own = script.uses_digitlab(config)
    intro = ["# Multinomial logistic regression on MNIST",
             "",
             f"The run DigitLab trained with {script.settings(config)}, step by step, "
             "with its seed: running every cell prints the test accuracy DigitLab reported.",
             "",
             "It reads MNIST from DigitLab's cache, so it runs offline once "
             "`python -m digitlab fetch` has filled the cache."]
    if own:
        intro += ["",
                  f"**{' and '.join(own).capitalize()}** {'are' if len(own) > 1 else 'is'} "
                  "DigitLab's own, so the notebook imports "
                  f"{'them' if len(own) > 1 else 'it'} from `digitlab` (run it where DigitLab "
                  "is installed, or from a DigitLab checkout). Choose a scikit-learn solver "
                  "(lbfgs, sag...) without deskew for a notebook with scikit-learn only."]
    else:
        intro += ["", "Plain scikit-learn: nothing here needs DigitLab."]
    if config.augment:
        intro += ["", "Augmented training needs DigitLab's fitting loop: the notebook trains "
                      "without it (`python -m digitlab train --augment` keeps it)."]
    heading = ("", "import matplotlib.pyplot as plt",
               "from sklearn.metrics import ConfusionMatrixDisplay")
    imports = script.imports(config, heading[2:])
    imports.insert(1, heading[1])
    prepared = script.prepare(config)
    return [
        _md(*intro),
        _md("## 1. The tools", "NumPy for the arrays, scikit-learn for the model and the "
            "split, Matplotlib for the pictures."),
        _code(*imports),
        _md("## 2. Load MNIST", "70,000 handwritten digits, each 28x28 = 784 pixel values "
            "from 0 (black) to 255 (white), and its label 0-9."),
        _code(*_LOAD),
        _md("## 3. Split into training and test images",
            f"The tutorial's split: {config.test_size:.0%} of the images are kept aside to "
            f"test the model (`random_state={config.seed}` makes it the same split every "
            "time); the model learns from the rest"
            + ("." if config.train_size is None else
               f", here from the first {config.train_size:,} of them.")),
        _code(f"TRAIN_SIZE = {script.train_size(config)}  # the first TRAIN_SIZE training "
              "images (None: all)", *script.split(config),
              "test_images = X_test  # the pixels as drawn, for the pictures at the end"),
        _md("## 4. Prepare the pixels", "What the model sees: the same arithmetic DigitLab "
            "applies, in the same precision (float32)."),
        _code(*prepared),
        _md("## 5. Fit the model", "Multinomial logistic regression: one weight per pixel "
            "and per digit, learnt from the training images. `C` is the inverse of the "
            "penalty on large weights."),
        _code(*script.estimator(config), "model.fit(X_train, y_train)"),
        _md("## 6. Score it on the test images",
            "The share of test images whose digit the model names right."),
        _code(*_SCORE),
        _md("## 7. The confusion heatmap", "Rows: the true digit; columns: the model's answer. "
            "The diagonal is right; everything else is a confusion (4 read as 9, 3 as 5...)."),
        _code(*_HEATMAP),
        _md("## 8. Three predictions", "The 1st, 9th and 99th test images, with the model's "
            "answer and the true label."),
        _code(*_SHOWN),
    ]


def notebook(config: TrainConfig) -> dict:
    """The notebook for `config`, as the nbformat 4 dictionary."""
    return {"cells": cells(config),
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def notebook_json(config: TrainConfig) -> str:
    """The .ipynb file's text for `config`."""
    return json.dumps(notebook(config), indent=1, ensure_ascii=False) + "\n"
