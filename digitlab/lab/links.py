"""Settings in a link: a TrainConfig <-> URL query parameters, every value checked, and lesson
links that fix some settings (`lock=solver,max_iter`) or hide them (`hide=tol,seed`).

    /train?C=0.05&solver=saga&l1_ratio=0.5&lock=solver&hide=tol,seed

A link carries only the settings that differ from TrainConfig()'s defaults (the Fast preset),
plus every setting it locks or hides, so it stays short and still says what it fixes. Values
are written exactly (the shortest text that reads back to the same float): C=0.05 stays 0.05,
never snapped to a slider's step. Reading a link never fails: each bad value is refused with a
sentence that names it, and the rest still apply. No Streamlit here: the page glue is
pages/panels/links_panel.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from digitlab.model import features, solvers
from digitlab.model.config import SCALINGS, ConfigError, TrainConfig
from digitlab.text import N_, join

LOCK, HIDE = "lock", "hide"
LANG = "lang"  # the page's language (?lang=es): carried by a link, not a setting
PROJECTOR = "projector"  # projector mode (?projector=1): carried by a link, not a setting
DEFAULTS = TrainConfig()
FIELDS = tuple(f.name for f in fields(TrainConfig))  # also the order a link is written in
# What the Train page's widgets can show (a link may not ask for more): its number inputs and
# sliders take these bounds from here.
BOUNDS = {"max_iter": (1, 5000), "seed": (0, 2**31 - 1), "test_size": (0.05, 0.5)}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class LinkError(ValueError):
    """One value of a link that cannot be used; the message names it."""


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise LinkError("is not a number") from None
    if math.isnan(value):
        raise LinkError("is not a number")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise LinkError("is not a whole number") from None


def _flag(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise LinkError("must be 1 or 0 (true or false)")


def _train_size(text: str) -> int | None:
    return None if text.lower() == "all" else _whole(text)


def _one_of(choices) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise LinkError(f"must be one of {', '.join(choices)}")
        return text
    return parse


PARSERS: dict[str, Callable[[str], Any]] = {
    "C": _number, "l1_ratio": _number, "solver": _one_of(solvers.SOLVERS), "max_iter": _whole,
    "tol": _number, "test_size": _number, "seed": _whole, "scaling": _one_of(SCALINGS),
    "train_size": _train_size, "deskew": _flag, "augment": _flag,
    "features": _one_of(features.FEATURES), "printed": _whole,
    "fat_pen": _whole,
}
assert set(PARSERS) == set(FIELDS), "every TrainConfig field needs a parser here"


def write(field: str, value: Any) -> str:
    """One setting as link text; `PARSERS[field]` reads it back to the same value."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return "all"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        short = f"{value:g}"  # 100 rather than 100.0, when that reads back exactly
        return short if float(short) == value else repr(value)
    return str(value)


@dataclass(frozen=True)
class Lesson:
    """What a lesson link fixes: `locked` settings are shown but cannot be changed, `hidden`
    ones are not shown; both keep the values in `fixed`."""

    fixed: dict[str, Any]
    locked: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.locked or self.hidden)

    def is_fixed(self, field: str) -> bool:
        return field in self.locked or field in self.hidden


@dataclass(frozen=True)
class Link:
    """A link read: the settings to apply (only those it gave and that passed), the lesson, and
    one sentence per value refused."""

    values: dict[str, Any]
    lesson: Lesson
    problems: tuple[str, ...]

    def config(self, base: TrainConfig = DEFAULTS) -> TrainConfig:
        return base.replace(**self.values)


def to_query(config: TrainConfig, locked=(), hidden=()) -> dict[str, str]:
    """The link's query parameters for `config`: the settings that differ from the defaults
    and every locked or hidden one, then `lock` and `hide`."""
    named = set(locked) | set(hidden)
    query = {f: write(f, getattr(config, f)) for f in FIELDS
             if f in named or getattr(config, f) != getattr(DEFAULTS, f)}
    for key, names in ((LOCK, locked), (HIDE, hidden)):
        if names:
            query[key] = ",".join(f for f in FIELDS if f in names)
    return query


def url(base: str, config: TrainConfig, locked=(), hidden=(), lang: str | None = None,
        projector: bool = False) -> str:
    """`base` (say http://host:8501/train) with `config`'s query, the language the link
    opens in (`lang=es`) when given, and `projector=1` when it opens in projector mode; commas
    stay readable."""
    query = to_query(config, locked, hidden)
    if lang:
        query[LANG] = lang
    if projector:
        query[PROJECTOR] = "1"
    query = urlencode(query, safe=",")
    return f"{base}?{query}" if query else base


def _one(params: Mapping[str, Any], key: str) -> str:
    """A parameter's text (the last one when a link repeats it, as st.query_params does)."""
    value = params[key]
    if isinstance(value, (list, tuple)):  # a key given twice: the last one counts
        value = value[-1] if value else ""
    return str(value).strip()


def _names(text: str, key: str, problems: list[str]) -> tuple[str, ...]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for bad in [n for n in names if n not in FIELDS]:
        problems.append(f"{key}={bad} was ignored: {bad!r} is not a setting (the settings are "
                        f"{', '.join(FIELDS)}).")
    return tuple(f for f in FIELDS if f in names)


def _alone(field: str, value: Any) -> None:
    """Check one value on its own: beside settings that accept any value of it (a solver
    that takes L1 for l1_ratio, one that augments for augment), so only its own range counts."""
    base = DEFAULTS
    if field == "l1_ratio":
        base = base.replace(solver=solvers.accepting(1.0, 1.0)[0])
    elif field == "augment":
        base = base.replace(solver=next(s.name for s in solvers.SOLVERS.values() if s.augments))
    if beyond_page(field, value):
        low, high = BOUNDS[field]
        raise LinkError(f"is outside what the Train page offers ({low} to {high})")
    try:
        base.replace(**{field: value})
    except ConfigError as exc:
        raise LinkError(str(exc)) from None


def beyond_page(field: str, value: Any) -> bool:
    """Whether the Train page's widget for `field` cannot show `value` (a model file from the
    command line may carry max_iter=10000)."""
    low, high = BOUNDS.get(field, (None, None))
    return low is not None and not low <= value <= high


def _fill_solver(values: dict[str, Any]) -> None:
    """A link that asks for L1 or augmentation but names no solver gets the first solver that
    can do it, as the Train page's widgets switch it (instead of refusing the setting)."""
    if "solver" in values:
        return
    l1, C = values.get("l1_ratio", DEFAULTS.l1_ratio), values.get("C", DEFAULTS.C)
    takers = list(solvers.accepting(l1, C))
    if values.get("augment"):
        takers = [s for s in takers if solvers.get(s).augments]
    if takers and DEFAULTS.solver not in takers:
        values["solver"] = takers[0]


def _valid(values: dict[str, Any]) -> str | None:
    """None if these values make a valid config on the defaults, else why not."""
    try:
        DEFAULTS.replace(**values)
    except ConfigError as exc:
        return str(exc)
    return None


def read(params: Mapping[str, Any]) -> Link:
    """The settings, lesson and refusals in a link's query parameters (never raises)."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key in params:
        if key in (LOCK, HIDE, LANG, PROJECTOR):
            continue
        text = _one(params, key)
        if key not in PARSERS:
            problems.append(f"{key}={text} was ignored: {key!r} is not a setting (the settings "
                            f"are {', '.join(FIELDS)}).")
            continue
        try:
            value = PARSERS[key](text)
            _alone(key, value)
        except LinkError as exc:
            problems.append(f"{key}={text} was not applied: {_sentence(key, str(exc))}")
            continue
        values[key] = value
    _fill_solver(values)
    # Values that are fine alone may clash (solver=lbfgs with l1_ratio=0.5): refuse the one
    # whose removal makes the rest work, latest in the link's order first.
    while (why := _valid(values)) is not None:
        culprit = next((f for f in reversed(list(values)) if _valid(
            {k: v for k, v in values.items() if k != f}) is None), list(values)[-1])
        problems.append(f"{culprit}={write(culprit, values.pop(culprit))} was not applied: "
                        f"{why}")
    locked = _names(_one(params, LOCK), LOCK, problems) if LOCK in params else ()
    hidden = _names(_one(params, HIDE), HIDE, problems) if HIDE in params else ()
    config = DEFAULTS.replace(**values)
    fixed = {f: getattr(config, f) for f in FIELDS if f in locked or f in hidden}
    return Link(values, Lesson(fixed, locked, hidden), tuple(problems))


def _sentence(field: str, reason: str) -> str:
    """`reason` as the end of a sentence about `field` (a ConfigError already names it)."""
    reason = reason.rstrip(".")
    return (reason if reason.split(" ")[0] in FIELDS else f"{field} {reason}") + "."


def clashes(lesson: Lesson, config: TrainConfig) -> tuple[str, ...]:
    """The settings `lesson` fixes to other values than `config`'s, in the link's order: a
    preset with any of them cannot be used under that lesson (it would train a mix)."""
    return tuple(f for f in FIELDS if f in lesson.fixed and lesson.fixed[f] != getattr(config, f))


def describe(lesson: Lesson, config: TrainConfig,
             name: Callable[[str], str] = lambda field: field) -> str:
    """"solver = sag, max_iter = 5; hidden: tol = 0.0001, seed = 0", as the page says it
    (`name` writes a setting's name: the page gives the sidebar's)."""
    def values(names) -> str:
        return ", ".join(f"{name(f)} = {write(f, getattr(config, f))}" for f in names)

    hidden = N_("hidden: {values}", values=values(lesson.hidden)) if lesson.hidden else ""
    return join([part for part in (values(lesson.locked), hidden) if part], "; ")
