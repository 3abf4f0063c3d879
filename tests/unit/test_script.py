"""The generated code: valid Python for every kind of setting, short lines, and the command
for exactly these settings. (tests/model/test_script_on_mnist.py runs the script.)"""

from __future__ import annotations

import math

import pytest

from digitlab import cli
from digitlab.cli import train as train_cli
from digitlab.lab import script
from digitlab.model import features
from digitlab.model.config import TrainConfig


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig(solver="saga", l1_ratio=0.5, C=math.inf, scaling="raw"),
    TrainConfig(C=0.05, train_size=2000, deskew=True, features="rbf", augment=True,
                scaling="standard"),
    TrainConfig(deskew=True, features="rbf-wide", printed=5000),  # the Robust preset
])
def test_the_script_is_python_with_short_lines_and_the_command_parses_back(config):
    text = script.sklearn_script(config)
    compile(text, script.FILE, "exec")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert ("from digitlab" in text) == (config.solver == "digitlab-fast" or config.deskew)
    assert ("# augment=1" in text) == config.augment
    width = features.kernel_width(config.features)
    assert ("Nystroem(" in text) == (width is not None)
    assert width is None or f"gamma = {width!r} / (X_train.shape[1]" in text
    words = script.command(config).split()
    assert words[:4] == ["python", "-m", "digitlab", "train"]
    assert train_cli.config_from_args(cli.build_parser().parse_args(words[3:])) == config
