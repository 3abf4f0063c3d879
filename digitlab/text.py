"""Sentences for people, kept translatable without tying the library to a language or to
Streamlit.

The library hands users sentences (a refused setting, a refused file, what a preset does).
It writes each one in English with `N_("... {name} ...", name=value)`: the result is a `Message`,
a `str` whose value is the English sentence (so the CLI, logs and `str(exc)` read as before),
which also keeps its untranslated template (`msgid`) and its arguments. Babel's extractor finds
`N_(...)` calls (see babel.cfg); the app translates a Message where it shows it
(`pages/shared/i18n.py`: `_(message)` looks the template up in the session's catalogue and fills
in the arguments with that language's numbers). The CLI stays in English.

`LocalFormatter` fills a template's `{name:spec}` fields with Babel's numbers for a locale:
`{acc:.1%}` is 92.2% in English and 92,2 % in French and Spanish, `{n:,}` 59,500 / 59 500 /
59.500, `{x:.3f}` 0.922 / 0,922. The pages use the same formatter for their own sentences.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

Gettext = Callable[[str], str]


class Message(str):
    """An English sentence that remembers how to be said in another language."""

    msgid: str
    args: Mapping[str, Any]

    def __new__(cls, msgid: str, args: Mapping[str, Any]) -> Message:
        self = super().__new__(cls, msgid.format(**args) if args else msgid)
        self.msgid = msgid
        self.args = dict(args)
        return self

    def __reduce__(self):  # pickle and deepcopy: rebuilt from the template and its arguments
        return (Message, (self.msgid, self.args))

    def translate(self, gettext: Gettext, formatter: string.Formatter | None = None) -> str:
        """This sentence in the language of `gettext`, its numbers written by `formatter`."""
        template = gettext(self.msgid)
        args = {k: (v.translate(gettext, formatter) if isinstance(v, Message) else v)
                for k, v in self.args.items()}
        if not args:
            return template
        return (formatter or string.Formatter()).vformat(template, (), args)


def N_(msgid: str, /, **args: Any) -> Message:  # noqa: N802 - gettext's name for "mark only"
    """Mark a sentence for translation; it stays English until a page translates it."""
    return Message(msgid, args)


def join(parts: Sequence[str], sep: str = ", ") -> str:
    """`parts` joined by `sep`; when some are Messages, a Message that translates each part
    (the separator is no sentence: it is not looked up)."""
    if not any(isinstance(p, Message) for p in parts):
        return sep.join(parts)
    names = [f"p{i}" for i in range(len(parts))]
    return Message(sep.join("{" + n + "}" for n in names), dict(zip(names, parts)))


def to_json(text: str) -> str | dict[str, Any]:
    """`text` for a JSON line (a child process's answer): a Message keeps its template and
    arguments, so the page at the other end can still translate it."""
    if isinstance(text, Message):
        return {"msgid": text.msgid, "args": {k: to_json(v) if isinstance(v, str) else v
                                              for k, v in text.args.items()}}
    return text


def from_json(said: str | dict[str, Any]) -> str:
    """The sentence `to_json` wrote: a Message again when it was one."""
    if isinstance(said, dict):
        return Message(said["msgid"], {k: from_json(v) if isinstance(v, (str, dict)) else v
                                       for k, v in said["args"].items()})
    return said


def message_of(exc: BaseException) -> str:
    """An exception's sentence: its Message when it was raised with one, else str(exc)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)


_SPEC = re.compile(r"^(?P<comma>,)?(?:\.(?P<digits>\d+))?(?P<kind>[fd%])?$")


class LocalFormatter(string.Formatter):
    """str.format with numbers written the way `locale` writes them (Babel's CLDR data).

    Handles the specs the app uses: "", ",", ".Nf", ",.Nf", ".N%", "d", "g" and ".Ng";
    any other spec falls back to Python's and swaps in the locale's decimal sign."""

    def __init__(self, locale: str = "en") -> None:
        # Babel is imported here, not at the top: the library's modules (a child fit's too)
        # import N_ from this module, and only a page ever formats for a language.
        from babel import Locale

        super().__init__()
        self.locale: Locale = Locale.parse(locale)

    def format_field(self, value: Any, format_spec: str) -> str:
        from babel import numbers

        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
                value, "__float__"):
            return super().format_field(value, format_spec)
        if not isinstance(value, (int, float)):
            value = value.item() if hasattr(value, "item") else float(value)
        if isinstance(value, float) and (value != value or value in (float("inf"),
                                                                     float("-inf"))):
            return super().format_field(value, format_spec)
        m = _SPEC.match(format_spec)
        if m is None or (m["kind"] is None and format_spec and not m["comma"]):
            return self._swap(super().format_field(value, format_spec))
        digits = m["digits"]
        kind = m["kind"]
        if kind == "%":
            n = int(digits) if digits is not None else 0
            pattern = self.locale.percent_formats[None].pattern  # "#,##0%", "#,##0\u00a0%"
            last = pattern.rfind("0")
            pattern = pattern[:last + 1] + ("." + "0" * n if n else "") + pattern[last + 1:]
            return numbers.format_percent(value, format=pattern, locale=self.locale)
        if kind == "f" or digits is not None:
            n = int(digits or 0)
            group = "#,##0" if m["comma"] else "0"
            pattern = group + ("." + "0" * n if n else "")
            return numbers.format_decimal(value, format=pattern, locale=self.locale)
        if isinstance(value, int) or kind == "d":
            if m["comma"]:
                return numbers.format_decimal(value, format="#,##0", locale=self.locale)
            return str(value)
        # a bare float: as str() writes it, in this locale's digits
        return self._swap(super().format_field(value, format_spec))

    def _swap(self, text: str) -> str:
        """Python's "1,234.5" in this locale's signs."""
        from babel import numbers

        decimal = numbers.get_decimal_symbol(self.locale)
        group = numbers.get_group_symbol(self.locale)
        return text.replace(",", "\0").replace(".", decimal).replace("\0", group)

    def number(self, value: float, spec: str = "") -> str:
        """One number, as `format(value, spec)` would write it in this locale."""
        return self.format_field(value, spec)
