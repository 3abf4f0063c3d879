"""benchmarks.canvas refuses silly sizes with a sentence before it loads anything. (Its runs on
real MNIST: tests/model/test_benchmarks_canvas_on_mnist.py.)"""

from __future__ import annotations

import pytest

from benchmarks import canvas as bc


@pytest.mark.parametrize("argv", [["--n", "3"], ["--train-size", "5"]])
def test_main_refuses_silly_sizes_with_a_sentence(argv, capsys):
    with pytest.raises(SystemExit) as e:
        bc.main(argv)
    assert e.value.code == 2 and "must be at least" in capsys.readouterr().err
