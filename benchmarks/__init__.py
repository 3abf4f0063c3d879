"""DigitLab's benchmarks: scripts that print figures beside a baseline in one run, outside the
library. Run each from the repository's root with the project's Python:
`python -m benchmarks.training [--quick] [--json]` (training speed: DigitLab's default fit beside
scikit-learn's routes, time to the tutorial's accuracy, memory, the issue's targets),
`python -m benchmarks.canvas [--quick] [--json]` (digits unlike MNIST's: test digits re-drawn,
printed typefaces, other writers' handwriting, drawn like canvas drawings and photos of paper
and read through `to_mnist` by plain, deskew, augment and rbf models) and
`python -m benchmarks.draw_latency [--trials N]` (mouse-up to Prediction in Chromium, beside a
bare canvas page) and `python -m benchmarks.train_burst [--sessions N]` (a class pressing Train
at once: server memory and time, beside one session) and `python -m benchmarks.estimates
[--full]` (the Train page's time estimates beside real fits of its presets). `common` holds
what they share; `--help` lists every option. `python3 run.py bench NAME` runs one with the
project's venv.
"""
