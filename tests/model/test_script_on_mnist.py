"""The generated script runs, and prints the accuracy the app's fit of the same settings gets
(on a subset of the tutorial's training images, so it takes seconds)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from digitlab.data import mnist as data
from digitlab.lab import script
from digitlab.model.config import TrainConfig
from digitlab.training import evaluate, fitting

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("config", [
    TrainConfig(solver="lbfgs", C=0.05, max_iter=60, train_size=1500),  # scikit-learn alone
    TrainConfig(C=0.3, train_size=2000, scaling="standard"),  # digitlab-fast, z-scored
], ids=["lbfgs", "digitlab-fast"])
def test_the_generated_script_prints_the_apps_accuracy(config, mnist, tutorial_split, tmp_path):
    X_train, X_test, y_train, y_test = tutorial_split
    app = fitting.fit(config, X_train, y_train)
    expected = evaluate.evaluate(app.model, X_test, y_test).accuracy
    path = tmp_path / script.FILE
    path.write_text(script.sklearn_script(config))
    env = {**os.environ, "PYTHONPATH": ROOT, "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1"}  # one BLAS thread, as the app fits
    out = subprocess.run([sys.executable, str(path), str(data.cache_path())], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"accuracy: ([0-9.]+) on 10,500 test images", out.stdout)[1])
    assert printed == round(expected, 4)


