"""The notebook of a run, run top to bottom by nbclient on the real MNIST cache (offline),
prints the test accuracy `python -m digitlab train ... --json` reports for the same options,
to 4 decimals (on a subset of the training images, so it takes seconds)."""

from __future__ import annotations

import json
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from digitlab import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("options", [
    ["--solver", "lbfgs", "--C", "0.05", "--max-iter", "60", "--train-size", "1500"],
    ["--train-size", "2000", "--deskew", "--scaling", "standard"],  # DigitLab's own pieces
], ids=["lbfgs", "digitlab-fast-deskew"])
def test_the_notebook_prints_the_commands_accuracy(options, mnist, tmp_path, capsys,
                                                   monkeypatch):
    path = tmp_path / "run.ipynb"
    assert cli.main(["notebook", "--out", str(path), *options]) == 0
    assert cli.main(["train", *options, "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["accuracy"]

    # the kernel inherits this environment: this checkout's digitlab, one BLAS thread
    monkeypatch.setenv("PYTHONPATH", ROOT)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={
        "metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                      if o.get("name") == "stdout")
    accuracy = float(re.search(r"test accuracy: ([0-9.]+) on 10,500 test images", printed)[1])
    assert accuracy == round(expected, 4)
    pictures = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in
                o.get("data", {})]
    assert len(pictures) == 2  # the confusion heatmap and the three predictions
    assert not [o for c in nb.cells for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
