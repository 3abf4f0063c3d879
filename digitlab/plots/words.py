"""How a figure speaks: its titles, axis labels and legends in the reader's language, and its
tick labels with that language's decimal sign. The library stays free of any app: a figure
takes a `Words` and the English default is the CLI's; the app hands one in the page's language.

Each label is written in English and marked with N_() (digitlab.text), so Babel's extractor
puts it in the catalogue; `words(N_("digit"))` says it in the figure's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import Formatter


@dataclass(frozen=True)
class Words:
    say: Callable[[str], str] = str  # a sentence (English, or a digitlab.text.Message) -> shown
    decimal: str = "."  # the decimal sign of tick labels ("," in French and Spanish)
    percent: Callable[[float], str] | None = None  # 0.5 -> "50%" / "50 %"

    def __call__(self, text: str) -> str:
        return self.say(text)

    def pct(self, p: float) -> str:
        return self.percent(p) if self.percent else f"{p:.0%}"

    def ticks(self, fig: Figure) -> Figure:
        """Every axis of `fig` writes its tick numbers with this decimal sign."""
        if self.decimal != ".":
            for ax in fig.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    inner = axis.get_major_formatter()
                    if not isinstance(inner, _Decimal):
                        axis.set_major_formatter(_Decimal(inner, self.decimal))
        return fig


ENGLISH = Words()


class _Decimal(Formatter):
    """Another formatter's labels with a decimal comma (thousands stay as it writes them)."""

    def __init__(self, inner: Formatter, decimal: str) -> None:
        self.inner = inner
        self.decimal = decimal

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        self.inner.set_locs(locs)

    def __call__(self, x, pos=None) -> str:
        return str(self.inner(x, pos)).replace(".", self.decimal)

    def format_ticks(self, values):
        self.set_locs(values)
        return [self(v, i) for i, v in enumerate(values)]

    def get_offset(self) -> str:
        return self.inner.get_offset().replace(".", self.decimal)
