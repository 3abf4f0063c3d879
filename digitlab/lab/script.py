"""Code to reproduce a TrainConfig: a short Python script in plain scikit-learn (what a learner
pastes into a notebook) and the `python -m digitlab train ...` command.

The script trains on the tutorial's split exactly as DigitLab does (the same rows, the same
float32 pixels, the same estimator), so it prints the accuracy the app shows. What scikit-learn
has no word for is imported from DigitLab, and the script says so: the digitlab-fast solver
(and its row shuffle), deskewing. Augmented training needs DigitLab's fitting loop: the script
leaves it out and says so; the command includes it.
"""

from __future__ import annotations

import math

from digitlab.lab.links import DEFAULTS, to_query, write
from digitlab.model import features, solvers
from digitlab.model.config import TrainConfig

FILE = "digitlab_run.py"
_FLAGS = {"deskew": "--deskew", "augment": "--augment"}


def command(config: TrainConfig) -> str:
    """`python -m digitlab train` with the settings that differ from its defaults."""
    words = ["python -m digitlab train"]
    for f, value in config.to_dict().items():
        if getattr(config, f) == getattr(DEFAULTS, f):
            continue
        if f in _FLAGS:
            words.append(_FLAGS[f])
        elif f == "train_size" and value is None:
            continue  # all images: the default
        else:
            words.append(f"--{f.replace('_', '-')} {write(f, getattr(config, f))}")
    return " ".join(words)


def _number(v: float) -> str:
    return "np.inf" if math.isinf(v) else repr(float(v))


def _scaling(config: TrainConfig) -> list[str]:
    if config.scaling == "raw":
        return ["# raw pixels 0..255 (the tutorial), in float32 as DigitLab gives them",
                "X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)"]
    if config.scaling == "unit":
        return ["# pixels / 255, in float32 as DigitLab scales them",
                "X_train = X_train.astype(np.float32) * np.float32(1 / 255)",
                "X_test = X_test.astype(np.float32) * np.float32(1 / 255)"]
    return ["# each pixel z-scored over the training images (pixels that never vary stay 0)",
            "X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)",
            "mean = X_train.mean(axis=0, dtype=np.float64).astype(np.float32)",
            "std = X_train.std(axis=0, dtype=np.float64).astype(np.float32)",
            "std[std < 1e-3] = 1",
            "X_train, X_test = (X_train - mean) / std, (X_test - mean) / std"]


def _rbf(config: TrainConfig) -> list[str]:
    return ["",
            f"# RBF kernel features: {features.RBF_COMPONENTS:,} training digits as landmarks "
            "(Nystroem), standardised",
            f"gamma = {features.kernel_width(config.features)!r} / (X_train.shape[1] * "
            "X_train[:5000].var(dtype=np.float64))",
            f"landmarks = min({features.RBF_COMPONENTS}, len(X_train))",
            "kernel = make_pipeline(Nystroem(gamma=gamma, n_components=landmarks, "
            f"random_state={config.seed}),",
            "                       StandardScaler())",
            "X_train = kernel.fit_transform(X_train).astype(np.float32)",
            "X_test = kernel.transform(X_test).astype(np.float32)"]


def imports(config: TrainConfig, extra: tuple[str, ...] = ()) -> list[str]:
    """The import lines for `config`'s code (`extra`: more scikit-learn imports)."""
    fast = config.solver == solvers.FAST
    rbf = features.kernel_width(config.features) is not None
    sklearn = list(extra)
    if rbf:
        sklearn.append("from sklearn.kernel_approximation import Nystroem")
    if not fast:
        sklearn.append("from sklearn.linear_model import LogisticRegression")
    sklearn.append("from sklearn.model_selection import train_test_split")
    if rbf:
        sklearn += ["from sklearn.pipeline import make_pipeline",
                    "from sklearn.preprocessing import StandardScaler"]
    lines = ["import numpy as np", *sorted(sklearn)]
    if config.deskew or fast:
        lines.append("")  # DigitLab's own, after the third-party imports
    if config.deskew:
        lines.append("from digitlab.data.deskew import deskew_rows  # DigitLab's own")
    if fast:
        lines.append("from digitlab.model.solvers.fast import FastLogisticRegression"
                     "  # DigitLab's own")
    return lines


def split(config: TrainConfig) -> list[str]:
    """The tutorial's split of X, y, then the first TRAIN_SIZE training images."""
    lines = ["X_train, X_test, y_train, y_test = train_test_split(X, y, "
             f"test_size={config.test_size!r}, random_state={config.seed})",
             "X_train, y_train = X_train[:TRAIN_SIZE], y_train[:TRAIN_SIZE]"]
    if config.solver == solvers.FAST:
        lines += ["# digitlab-fast holds out the last tenth of the rows, shuffled by the seed",
                  f"order = np.random.default_rng({config.seed}).permutation(len(y_train))",
                  "X_train, y_train = X_train[order], y_train[order]"]
    return lines


def prepare(config: TrainConfig) -> list[str]:
    """The pixels as the model sees them: deskewed, scaled, kernel features."""
    lines = []
    if config.deskew:
        lines += ["# straighten slanted digits (moment-based shear), before scaling",
                  "X_train = deskew_rows(X_train.astype(np.uint8), 28)",
                  "X_test = deskew_rows(X_test.astype(np.uint8), 28)"]
    lines += _scaling(config)
    if features.kernel_width(config.features) is not None:
        lines += _rbf(config)
    return lines


def estimator(config: TrainConfig) -> list[str]:
    """`model = ...` for `config` (augmentation left out, and said so)."""
    lines = []
    if config.augment:
        lines += ["# augment=1 (new stretched, re-inked digits every epoch) needs DigitLab's",
                  "# fitting loop: this code trains without it; the command includes it."]
    if config.printed:
        lines += [f"# printed={config.printed} (printed digits added to the training images) "
                  "needs DigitLab's",
                  "# typefaces (digitlab.data.typeset): this code trains without them; the "
                  "command includes them."]
    if config.fat_pen:
        lines += [f"# fat_pen={config.fat_pen} (training digits re-drawn with a fat pen, added "
                  "to the training images) needs",
                  "# DigitLab's drawing path (digitlab.data.fatpen): this code trains without "
                  "them; the command includes them."]
    if config.solver == solvers.FAST:
        lines.append(f"model = FastLogisticRegression(C={_number(config.C)}, "
                     f"max_iter={config.max_iter}, tol={config.tol!r}, "
                     f"random_state={config.seed}, shuffle=False)")
    else:
        l1 = 0.0 if math.isinf(config.C) else float(config.l1_ratio)
        lines += [f"model = LogisticRegression(C={_number(config.C)}, l1_ratio={l1!r}, "
                  f'solver="{config.solver}",',
                  f"                           max_iter={config.max_iter}, tol={config.tol!r}, "
                  f"random_state={config.seed})"]
    return lines


def train_size(config: TrainConfig) -> str:
    return "None" if config.train_size is None else str(config.train_size)


def settings(config: TrainConfig) -> str:
    """The settings that differ from the defaults, as a lesson link writes them."""
    given = " ".join(f"{k}={v}" for k, v in to_query(config).items())
    return given or "its defaults (the Fast preset)"


def sklearn_script(config: TrainConfig) -> str:
    """A runnable script for `config`: `python digitlab_run.py` fetches MNIST from OpenML;
    `python digitlab_run.py mnist.npz [N]` reads arrays X and y from a file (DigitLab's cache
    is one) and fits on the first N training images."""
    lines = ['"""Multinomial logistic regression on MNIST, as DigitLab trains it with',
             f"{settings(config)}.",
             "",
             f"python {FILE}              # MNIST from OpenML (20 MB, once)",
             f'python {FILE} mnist.npz N  # arrays X, y from a file; N training images"""',
             "",
             "import sys",
             "",
             *imports(config, ("from sklearn.datasets import fetch_openml",)), "",
             f"TRAIN_SIZE = {train_size(config)}  # the first TRAIN_SIZE training images "
             "(None: all)",
             "if len(sys.argv) > 1:",
             "    with np.load(sys.argv[1]) as f:",
             '        X, y = f["X"], f["y"].astype(int)',
             "    TRAIN_SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else TRAIN_SIZE",
             "else:",
             '    X, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False)',
             "    y = y.astype(int)",
             "",
             "# the tutorial's split",
             *split(config), "", *prepare(config), "", *estimator(config),
             "model.fit(X_train, y_train)",
             'print(f"accuracy: {model.score(X_test, y_test):.4f} on {len(y_test):,} test '
             'images")', ""]
    return "\n".join(lines)
