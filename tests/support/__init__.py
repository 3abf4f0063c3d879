"""Helpers the tests and the benchmarks share, in one place; the benchmarks import nothing else
from tests/.

    browser    the real app on a free port and Debian's Chromium: start, move, draw, read
    procs      the child fits, sweeps and threads a test or a benchmark leaves behind
    drawings   digits drawn with OpenCV strokes as a canvas draws them, and a similarity
    threads    work in a thread of its own whose outcome the test's thread asserts

Helpers one kind of test keeps to itself stay beside it (tests/unit/synthetic.py, the unit
tests' data; tests/app/page_utils.py, AppTest's pages).
"""
