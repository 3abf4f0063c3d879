"""Figures from many threads at once (the app's sessions are threads of one process):
without digitlab.plots.render's lock, matplotlib's shared mathtext parser breaks on the `10^{-4}`
tick labels of a log axis ("ParseException: exception raised in parse action"); with it, every
figure comes back whole. And a check that every function in digitlab.plots that draws holds
the lock, and that nothing outside digitlab.plots renders a figure, so a new figure cannot
forget it."""

from __future__ import annotations

import ast
import contextlib
import io
import sys
import threading
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from digitlab.plots import charts, render
from digitlab.plots.render import drawing

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8


@drawing
def log_axis_figure(k: int):
    """A small figure whose text is mostly mathtext: a log axis over a different range for each
    k (tick labels $10^{-3}$ ...), laid out tight (laying out parses the labels, outside
    matplotlib's own drawing lock), as the sweep's figure does."""
    with plt.rc_context(charts.STYLE):
        fig, ax = plt.subplots(figsize=(2.4, 1.8))
        ax.set_xscale("log")
        ax.set_xlim(10.0 ** -(1 + k % 9), 10.0 ** (1 + k % 4))
        ax.set_yticks([])
        ax.set_title(f"$10^{{-{k % 17}}}$")
        fig.tight_layout()
    return fig


def render_from_threads(per_thread: int, stop_at_first_error: bool = False):
    """THREADS threads each render `per_thread` figures at once (a different dpi for each, so
    mathtext's cache does not answer for the parser): (PNGs, errors)."""
    pngs: list[bytes] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            if stop_at_first_error and errors:
                return
            k = t * per_thread + i
            try:
                pngs.append(charts.to_png(log_axis_figure(k), dpi=30 + k % 50))
            except Exception as exc:  # noqa: BLE001 - what the test counts
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return pngs, errors


@pytest.fixture
def often_switching_threads():
    """Threads take turns every 0.1 ms instead of 5 ms: a race shows in fewer renders."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(before)
    plt.close("all")  # figures whose rendering failed were never closed


def test_without_the_lock_threads_break_matplotlibs_mathtext(monkeypatch,
                                                             often_switching_threads):
    monkeypatch.setattr(render, "RENDERING", contextlib.nullcontext())
    _, errors = render_from_threads(per_thread=50, stop_at_first_error=True)
    assert errors, "matplotlib's mathtext survived threads: is the lock still needed?"
    assert any("Parse" in str(e) for e in errors), errors[:3]


def test_with_the_lock_every_thread_gets_every_figure(often_switching_threads):
    pngs, errors = render_from_threads(per_thread=6)
    assert errors == []
    assert len(pngs) == THREADS * 6
    for png in pngs:
        image = Image.open(io.BytesIO(png))
        image.verify()  # a whole PNG, not a torn one
        assert image.format == "PNG" and min(image.size) > 10
    assert not plt.get_fignums()  # each one closed


def test_a_locked_figure_can_be_made_inside_another_lock():
    with render.RENDERING:  # re-entrant: a locked caller making a locked figure
        png = charts.to_png(charts.probability_bars(np.full(10, 0.1), 3, 3))
    assert png.startswith(b"\x89PNG")


# --- no figure outside the lock ----------------------------------------------------------------

# What draws or lays out text (and so parses mathtext), or touches pyplot's shared state.
DRAWS = {"savefig", "draw", "tight_layout", "get_window_extent", "get_tightbbox", "print_png",
         "colorbar"}


def _is_drawing(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Name) and decorator.id == "drawing") or (
        isinstance(decorator, ast.Attribute) and decorator.attr == "drawing")


def unlocked_functions(source: str) -> list[str]:
    """Functions that use pyplot or seaborn, or draw, without `@drawing`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef) or any(map(_is_drawing, node.decorator_list)):
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Name) and inner.id in {"plt", "sns"}) or (
                    isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in DRAWS):
                found.append(node.name)
                break
    return found


def test_every_function_in_plots_that_draws_holds_the_lock():
    missing = {path.name: names for path in (ROOT / "digitlab" / "plots").glob("*.py")
               if (names := unlocked_functions(path.read_text()))}
    assert missing == {}


def test_nothing_outside_plots_draws_a_figure():
    others = [p for folder in ("digitlab", "pages") for p in (ROOT / folder).rglob("*.py")
              if "plots" not in p.relative_to(ROOT).parts] + [ROOT / "app.py"]
    drawing_here = {str(p.relative_to(ROOT)): names for p in others
                    if (names := unlocked_functions(p.read_text()))}
    assert drawing_here == {}


def test_the_check_finds_a_figure_drawn_without_the_lock():
    assert unlocked_functions("def f():\n    fig, ax = plt.subplots()\n") == ["f"]
    assert unlocked_functions("def g(fig):\n    fig.savefig('x.png')\n") == ["g"]
    assert unlocked_functions("@drawing\ndef h():\n    plt.subplots()\n") == []
