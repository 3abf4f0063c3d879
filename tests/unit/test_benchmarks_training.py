"""`python -m benchmarks.training` without data: bad options are a sentence, and the per-row peak
memory is measured (or honestly not reported). (The --quick run on real MNIST:
tests/model/test_benchmarks_training_on_mnist.py.)"""

from __future__ import annotations

from benchmarks import common
from benchmarks import training as bench


def test_bad_options_are_a_sentence(capsys):
    assert bench.main(["--repeats", "0"]) == 2
    assert "--repeats" in capsys.readouterr().err


def test_peak_memory_reset_sees_a_new_allocation():
    # DigitLab runs on Linux (CI too): the per-row peak needs /proc/self/clear_refs there.
    assert common.reset_peak(), "cannot reset the peak-memory mark: /proc/self/clear_refs"
    import mmap

    before = common.peak_mb()
    block = mmap.mmap(-1, 64 << 20)  # fresh pages (malloc might reuse resident free memory)
    block.write(b"x" * (64 << 20))
    assert common.peak_mb() - before > 50
    block.close()


def test_a_peak_that_cannot_be_reset_is_not_reported(monkeypatch):
    monkeypatch.setattr(common, "reset_peak", lambda: False)
    with common.Peak() as p:
        pass
    assert p.mb is None
