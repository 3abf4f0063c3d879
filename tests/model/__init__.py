"""Model tests: the real MNIST (its integrity, accuracy against baselines, the benchmarks' quick
runs, preprocessing measured against real digits)."""
