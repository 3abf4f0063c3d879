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


@pytest.mark.parametrize("argv, says", [(["--models", "plain,best"], "must name some of"),
                                        (["--limit", "-1"], "at least 0"),
                                        (["--per-cell", "-2"], "at least 0")])
def test_main_refuses_unknown_models_and_negative_limits(argv, says, capsys):
    with pytest.raises(SystemExit) as e:
        bc.main(argv)
    assert e.value.code == 2 and says in capsys.readouterr().err


def test_the_benchmarked_presets_are_the_apps_and_augment_rows_have_a_plain_twin():
    for name, key in bc.PRESET_IDS.items():
        assert bc.MODELS[name] == bc.presets()[key]
    for name, config in bc.MODELS.items():
        if config.augment:  # its twin: the same model on MNIST alone (no augmentation, no
            # printed digits), so the table shows what the added training rows bring
            assert config.replace(augment=False, printed=0) in bc.MODELS.values(), name
