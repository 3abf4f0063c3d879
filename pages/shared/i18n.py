"""The app in the student's language: which language this session speaks, and `_()`,
`ngettext()` and `fmt()` that speak it.

Sessions are threads of one process, so nothing here is global to the process but the
read-only catalogues: `gettext.install()` would give every student the last one's language.
Each call looks the session's language up in st.session_state and translates with that
language's catalogue (one `gettext.translation` object per language, loaded once and shared:
a GNUTranslations object is only read after loading, so threads can share it).

The language, first match wins: `?lang=es` in the address (a lesson link, the class address),
the one chosen in the sidebar this session, the class default (`DIGITLAB_LANG`, which
`run.py app --lang es` sets), the browser's language (`st.context.locale`), English.

The library's sentences arrive as `digitlab.text.Message` (English str subclasses that keep
their template): `_(message)` translates those too, numbers included.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import cache, partial
from typing import Any

import streamlit as st
from babel import numbers

from digitlab import plots
from digitlab.plots import Words
from digitlab.text import N_, LocalFormatter, Message, message_of

__all__ = ["N_", "_", "ngettext", "fmt", "lang", "choose", "picker", "LANGS", "error_text"]

# the app's own folder, never a visitor's input
LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                       "locales")
DOMAIN = "digitlab"
# The languages a student can pick, each named in itself. "xx" is the pseudo-locale (accented,
# longer): reachable with ?lang=xx only, for finding strings that escaped translation.
LANGS = {"en": "English", "es": "Español", "fr": "Français"}
PSEUDO = "xx"
KNOWN = (*LANGS, PSEUDO)
DEFAULT = "en"
KEY = "lang"  # session state: this session's language; also the query parameter's name
PICKER = "lang_picker"  # the sidebar's widget
# Numbers in the pseudo-locale are written as in French (commas, narrow spaces): a figure or
# sentence that still shows 0.922 there skipped the formatter.
NUMBERS = {PSEUDO: "fr"}


def _known(code: str | None) -> str | None:
    """'es-MX', 'es_ES', 'FR' -> 'es', 'fr'; None for a language the app does not speak."""
    if not code:
        return None
    code = str(code).strip().replace("_", "-").split("-")[0].lower()
    return code if code in KNOWN else None


def class_default() -> str | None:
    """The teacher's choice for the class (DIGITLAB_LANG), if it names a language we have."""
    return _known(os.environ.get("DIGITLAB_LANG"))


def _browser() -> str | None:
    try:
        return _known(st.context.locale)
    except Exception:  # no browser (AppTest) or no context
        return None


def choose() -> str:
    """Settle this session's language for this run (app.py calls it first thing)."""
    asked = _known(st.query_params.get(KEY))
    if asked is not None:
        st.session_state[KEY] = asked
    elif st.session_state.get(KEY) not in KNOWN:
        st.session_state[KEY] = class_default() or _browser() or DEFAULT
    return st.session_state[KEY]


def lang() -> str:
    """This session's language (English outside a session, say in a test's import)."""
    try:
        code = st.session_state.get(KEY)
    except Exception:
        code = None
    return code if code in KNOWN else DEFAULT


@cache
def translation(code: str) -> _gettext.NullTranslations:
    """The catalogue of one language, read once (English: the strings as written)."""
    if code == DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALES, languages=[code], fallback=True)


@cache
def formatter(code: str) -> LocalFormatter:
    return LocalFormatter(NUMBERS.get(code, code))


def _(text: str, /, **args: Any) -> str:
    """`text` in this session's language, its {fields} filled with `args` (numbers written
    the language's way). A library Message keeps its own arguments."""
    return say_in(lang(), text, **args)


def say_in(code: str, text: str, /, **args: Any) -> str:
    """`_` in a given language (a cached figure is drawn for one language, not a session)."""
    if isinstance(text, Message):
        return text.translate(translation(code).gettext, formatter(code))
    template = translation(code).gettext(text)
    if not args:
        return template
    # a library sentence passed as a field is translated too ("run on {where}")
    args = {k: say_in(code, v) if isinstance(v, Message) else v for k, v in args.items()}
    return formatter(code).vformat(template, (), args)


def ngettext(singular: str, plural: str, n: int, /, **args: Any) -> str:
    """The form for `n` in this language; `n` is also a field of the template ({n})."""
    code = lang()
    template = translation(code).ngettext(singular, plural, n)
    return formatter(code).vformat(template, (), {"n": n, **args})


def words(code: str | None = None) -> Words:
    """How a figure speaks `code` (this session's language by default): its labels and its
    tick numbers. Pass the language, not the Words, to a cached figure: it keys the cache."""
    code = code or lang()
    f = formatter(code)
    return Words(say=partial(say_in, code), decimal=numbers.get_decimal_symbol(f.locale),
                 percent=partial(f.number, spec=".0%"))


def vega(spec: dict) -> dict:
    """A Vega-Lite spec whose numbers (axis ticks, tooltips, text marks) the browser writes
    this language's way: 0,35 and 1 020 in French (Vega-Lite's config.locale, from Babel)."""
    locale = formatter(lang()).locale
    number = {"decimal": numbers.get_decimal_symbol(locale),
              "thousands": numbers.get_group_symbol(locale), "grouping": [3],
              "currency": ["", ""]}
    return {**spec, "config": {**spec.get("config", {}), "locale": {"number": number}}}


def percent(p: float) -> str:
    """A probability as the pages show it (">99 %", nothing under 1 %), in this language."""
    return plots.percent(p, words())


def fmt(value: float, spec: str = "") -> str:
    """One number the language's way: fmt(0.922, '.1%') is 92,2 % in French."""
    return formatter(lang()).number(value, spec)


def error_text(exc: BaseException) -> str:
    """An exception's sentence for the user, translated when the library marked it."""
    return _(message_of(exc))


def picker() -> None:
    """The language menu in the sidebar; a choice also goes into the address, so a copied
    link keeps it."""
    current = lang()
    options = list(LANGS) + ([PSEUDO] if current == PSEUDO else [])

    def chosen() -> None:
        code = st.session_state[PICKER]
        st.session_state[KEY] = code
        st.query_params[KEY] = code

    st.session_state[PICKER] = current
    with st.sidebar:
        st.selectbox(_("Language"), options, key=PICKER, on_change=chosen,
                     format_func=lambda c: LANGS.get(c, "Pseudo (xx)"))


def label(option: Any) -> str:
    """format_func for a widget's options: text translated, numbers as they are. The options
    themselves stay the English N_() values the page compares."""
    return _(option) if isinstance(option, str) else str(option)
