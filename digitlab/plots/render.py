"""One lock around all of matplotlib: every figure is made and rendered by one thread at a time.

The app's sessions are threads of one process, and matplotlib is not thread-safe: its mathtext
parser (the `10^{-4}` tick labels of a log axis) is one pyparsing object shared by every thread,
and two threads parsing at once raise "ParseException: exception raised in parse action";
pyplot's list of open figures and `rc_context`'s swap of the global rcParams are shared too.
So every function in digitlab.plots that touches pyplot or seaborn is wrapped in `@drawing`
(tests/unit/test_render_threads.py checks that none is missing), and `to_png` renders and closes
a figure under the same lock. Building is locked too, not only rendering: matplotlib's own
lock (Figure.draw's) leaves out layout, and `fig.tight_layout()` in a builder, like savefig's
`bbox_inches="tight"`, measures (so parses) every label. The lock is re-entrant: a figure
built inside another's lock, or rendered by a locked caller, does not deadlock.

What it costs (probability bars, 16 figures a trial, 6 trials, on a 2-core machine under a
load of ~25): 8 threads through the lock render as many figures a second as 1 thread (median
0.41 vs 0.40 fig/s); 8 threads without it render ~1.3x more (0.54 fig/s: Agg's rasterising and
PNG compression run outside Python's own lock), and break any figure with mathtext.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

P = ParamSpec("P")
R = TypeVar("R")

RENDERING = threading.RLock()  # held while a figure is made or rendered


def drawing(build: Callable[P, R]) -> Callable[P, R]:
    """`build` (a function that makes a figure, or draws with pyplot) runs under RENDERING."""

    @functools.wraps(build)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with RENDERING:
            return build(*args, **kwargs)

    return locked


@contextlib.contextmanager
def if_free() -> Iterator[bool]:
    """Hold RENDERING for the block if no other thread holds it (True), else go on at once
    without it (False): for a frame that may be skipped, like a live curve, which must not
    wait behind a class's figures while its fit's result is ready to be shown."""
    free = RENDERING.acquire(blocking=False)
    try:
        yield free
    finally:
        if free:
            RENDERING.release()


@drawing
def to_png(fig: Figure, dpi: int = 100, scale: float = 1.0) -> bytes:
    """Render `fig` to PNG bytes and close it (figures are never reused).

    `scale` > 1 makes its text and lines that much larger against the picture, which keeps
    about its pixel size (for a projector): the figure is laid out `scale` times smaller, in
    inches, and rendered at `scale` times the dpi."""
    buf = io.BytesIO()
    try:
        if scale != 1:
            width, height = fig.get_size_inches()
            fig.set_size_inches(width / scale, height / scale)
            # laid out again, unless an axes sits outside the grid (a colour bar beside a
            # grid of images), which tight_layout would pile onto the grid
            if all(ax.get_subplotspec() is not None for ax in fig.axes):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fig.tight_layout()
        fig.savefig(buf, format="png", dpi=dpi * scale, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buf.getvalue()


@drawing
def to_png_with_box(fig: Figure, ax, dpi: int = 100) -> tuple[bytes, tuple[float, ...],
                                                                  tuple[int, int]]:
    """Render `fig` (closing it) and say where `ax`'s plotting area landed: (PNG bytes,
    (left, top, right, bottom) of the axes in the PNG's pixels, (width, height) of the PNG).
    For drawing a clickable layer exactly over the figure's cells in the browser; no tight
    cropping, which would move the axes after they were measured."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
        # After drawing: the position a fixed aspect (a square heatmap) gave the axes, in
        # fractions of the figure, which do not depend on the dpi.
        pos = ax.get_position()
        width, height = (int(round(v * dpi)) for v in fig.get_size_inches())
    finally:
        plt.close(fig)
    box = (pos.x0 * width, (1 - pos.y1) * height, pos.x1 * width, (1 - pos.y0) * height)
    return buf.getvalue(), box, (width, height)
