"""A run's settings as a Jupyter notebook that follows the tutorial's steps: load MNIST (from
DigitLab's cache, offline), split, prepare, fit, score, the confusion heatmap and three test
predictions, a short markdown cell before each step.

The code cells are digitlab.lab.script's pieces (the same split, pixels and estimator as the
script, so the notebook prints the accuracy `python -m digitlab train` reports); only the
loading differs: the cache file, no download. The notebook is plain JSON in nbformat 4.5
(written here, so the app needs no Jupyter package; the tests validate it with nbformat and
run it with nbclient). What scikit-learn has no word for (the digitlab-fast solver, deskewing)
is imported from digitlab, and the first cell says so. The markdown is in the reader's
language (the page passes its translation); the code and its comments are English, as in the
script.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from digitlab.lab import script
from digitlab.lab.links import to_query
from digitlab.model import solvers
from digitlab.model.config import TrainConfig
from digitlab.text import N_, Message

Say = Callable[[Message], str]  # a Message in the reader's language (str: English)

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


def _intro(config: TrainConfig) -> list[Message]:
    fast, deskew = config.solver == solvers.FAST, config.deskew
    given = script.settings(config) if to_query(config) else None
    said = [N_("The run DigitLab trained with {settings}, step by step, with its seed: running "
               "every cell prints the test accuracy DigitLab reported.", settings=given)
            if given else
            N_("The run DigitLab trained with its defaults (the Fast preset), step by step, "
               "with its seed: running every cell prints the test accuracy DigitLab reported."),
            N_("It reads MNIST from DigitLab's cache, so it runs offline once "
               "`python -m digitlab fetch` has filled the cache.")]
    if fast and deskew:
        said.append(N_("**The digitlab-fast solver and deskewing are DigitLab's own**, so the "
                       "notebook imports them from `digitlab` (run it where DigitLab is "
                       "installed, or from a DigitLab checkout). Choose a scikit-learn solver "
                       "(lbfgs, sag...) without deskew for a notebook with scikit-learn only."))
    elif fast:
        said.append(N_("**The digitlab-fast solver is DigitLab's own**, so the notebook imports "
                       "it from `digitlab` (run it where DigitLab is installed, or from a "
                       "DigitLab checkout). Choose a scikit-learn solver (lbfgs, sag...) for a "
                       "notebook with scikit-learn only."))
    elif deskew:
        said.append(N_("**Deskewing is DigitLab's own**, so the notebook imports it from "
                       "`digitlab` (run it where DigitLab is installed, or from a DigitLab "
                       "checkout). Turn deskew off for a notebook with scikit-learn only."))
    else:
        said.append(N_("Plain scikit-learn: nothing here needs DigitLab."))
    if config.augment:
        said.append(N_("Augmented training needs DigitLab's fitting loop: the notebook trains "
                       "without it (`python -m digitlab train --augment` keeps it)."))
    return said


def _split_text(config: TrainConfig) -> Message:
    if config.train_size is None:
        return N_("The tutorial's split: {share:.0%} of the images are kept aside to test the "
                  "model (`random_state={seed}` makes it the same split every time); the "
                  "model learns from the rest.", share=config.test_size, seed=config.seed)
    return N_("The tutorial's split: {share:.0%} of the images are kept aside to test the "
              "model (`random_state={seed}` makes it the same split every time); the model "
              "learns from the first {n:,} of the rest.", share=config.test_size,
              seed=config.seed, n=config.train_size)


def cells(config: TrainConfig, say: Say = str) -> list[dict]:
    """The notebook's cells for `config`, in the tutorial's order; `say` translates the
    markdown (the page passes its `_`; the code and its comments stay English, as in the
    script)."""
    def md(number: int | None, title: Message, *text: Message) -> dict:
        head = f"{'#' if number is None else '##'} " + (
            "" if number is None else f"{number}. ") + say(title)
        return _md(head, *[line for t in text for line in ("", say(t))])

    heading = ("", "import matplotlib.pyplot as plt",
               "from sklearn.metrics import ConfusionMatrixDisplay")
    imports = script.imports(config, heading[2:])
    imports.insert(1, heading[1])
    return [
        md(None, N_("Multinomial logistic regression on MNIST"), *_intro(config)),
        md(1, N_("The tools"), N_("NumPy for the arrays, scikit-learn for the model and the "
                                  "split, Matplotlib for the pictures.")),
        # the pictures in the notebook whatever MPLBACKEND says (Streamlit sets it to Agg)
        _code("%matplotlib inline", *imports),
        md(2, N_("Load MNIST"), N_("70,000 handwritten digits, each 28x28 = 784 pixel values "
                                   "from 0 (black) to 255 (white), and its label 0-9.")),
        _code(*_LOAD),
        md(3, N_("Split into training and test images"), _split_text(config)),
        _code(f"TRAIN_SIZE = {script.train_size(config)}  # the first TRAIN_SIZE training "
              "images (None: all)", *script.split(config),
              "test_images = X_test  # the pixels as drawn, for the pictures at the end"),
        md(4, N_("Prepare the pixels"), N_("What the model sees: the same arithmetic DigitLab "
                                           "applies, in the same precision (float32).")),
        _code(*script.prepare(config)),
        md(5, N_("Fit the model"), N_("Multinomial logistic regression: one weight per pixel "
                                      "and per digit, learnt from the training images. `C` is "
                                      "the inverse of the penalty on large weights.")),
        _code(*script.estimator(config), "model.fit(X_train, y_train)"),
        md(6, N_("Score it on the test images"),
           N_("The share of test images whose digit the model names right.")),
        _code(*_SCORE),
        md(7, N_("The confusion heatmap"),
           N_("Rows: the true digit; columns: the model's answer. The diagonal is right; "
              "everything else is a confusion (4 read as 9, 3 as 5...).")),
        _code(*_HEATMAP),
        md(8, N_("Three predictions"), N_("The 1st, 9th and 99th test images, with the "
                                          "model's answer and the true label.")),
        _code(*_SHOWN),
    ]


def notebook(config: TrainConfig, say: Say = str) -> dict:
    """The notebook for `config`, as the nbformat 4 dictionary."""
    return {"cells": cells(config, say),
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def notebook_json(config: TrainConfig, say: Say = str) -> str:
    """The .ipynb file's text for `config`, its markdown said by `say` (English: str)."""
    return json.dumps(notebook(config, say), indent=1, ensure_ascii=False) + "\n"
