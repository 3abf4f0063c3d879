"""One question for the class: what it asks, its answers (choices, or a number within bounds),
its key if it has one (a number's key with a stated tolerance), how a student's answer is read
(anything else refused with a sentence), how it is graded; and the lesson's built-in questions.

    q = number(N_("Accuracy at C = {C} ..."), key=91.2, tolerance=2, low=0, high=100)
    value = read_answer(q, "90,5")     # "90.5": commas and dots both read as decimals
    grade(q, value)                    # True: within 2 points of 91.2

Built-in questions keep their English template and its arguments (`text`, `args`), so each
student's page says them in its own language; a teacher's own question is shown as typed.
Where they are posed and answered: digitlab.classroom.questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from digitlab.classroom.classdb import ClassSetError
from digitlab.text import N_, Message

CHOICE, NUMBER = "choice", "number"
MAX_CHOICES = 10
MAX_TEXT = 300  # characters of a question or a choice the teacher types
LARGEST = 1e9  # a number answer beyond this is refused: no lesson question needs it
DIGITS = tuple(str(d) for d in range(10))
CS = (0.001, 0.01, 0.1, 1.0, 10.0)  # the values of C the C questions ask about


class QuestionError(ClassSetError):
    """A question or an answer refused; the message says why and what to do."""


@dataclass(frozen=True)
class Question:
    kind: str  # CHOICE or NUMBER
    text: str  # the English template of a built-in question, or the teacher's words
    choices: tuple[str, ...] = ()
    key: str | None = None  # the true answer as stored (a choice, or a number's repr); None: none
    tolerance: float = 0.0  # a number answer within this of the key is right
    low: float | None = None  # the bounds of a number answer
    high: float | None = None
    builtin: str = ""  # which built-in question ('' for the teacher's own)
    args: Mapping[str, Any] = field(default_factory=dict)  # the built-in template's fields
    image28: np.ndarray | None = None  # the drawing a "what will the model answer" shows

    @property
    def prompt(self) -> str:
        """What it asks: a Message (translatable) for a built-in question."""
        return Message(self.text, self.args) if self.builtin else self.text

    def said(self, say: Callable[[str], str] = str) -> str:
        """The question in `say`'s language (a teacher's own words stay as typed)."""
        return say(self.prompt) if self.builtin else self.text

    def shown(self, value: str, say: Callable[[str], str] = str) -> str:
        """An answer as a person reads it: a built-in choice translated, a number plainly."""
        if self.kind == NUMBER:
            return f"{float(value):g}"
        return say(N_(value)) if self.builtin and value not in DIGITS else value

    @property
    def key_number(self) -> float | None:
        return None if self.key is None or self.kind != NUMBER else float(self.key)


def _template(text: str, args: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A built-in's N_() Message is stored as its English template and its fields."""
    if isinstance(text, Message):
        return text.msgid, {**text.args, **(args or {})}
    return text, dict(args or {})


def _text(text: str, what: Message) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise QuestionError(N_("Write the {what} first.", what=what))
    if len(text) > MAX_TEXT:
        raise QuestionError(N_("Keep the {what} under {n} characters.", what=what, n=MAX_TEXT))
    return text


def finite(value: object, what: Message) -> float:
    """`value` as a finite float of sensible size, else a QuestionError saying what is wrong.
    Text is read as a person writes it: "87.5", "87,5" (a decimal comma), "87.5 %"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, np.number)):
        raise QuestionError(N_("The {what} must be a number, such as 87.5.", what=what))
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip().replace("\u202f", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise QuestionError(N_("The {what} must be a number, such as 87.5.",
                                   what=what)) from None
    try:
        x = float(value)
    except OverflowError:  # an int too large for a float
        x = math.inf
    if math.isnan(x):
        raise QuestionError(N_("The {what} must be a number, such as 87.5.", what=what))
    if not abs(x) <= LARGEST:
        raise QuestionError(N_("The {what} is too large: keep it between -{largest:,.0f} and "
                               "{largest:,.0f}.", what=what, largest=LARGEST))
    return x


def choice(text: str, choices: Sequence[str], key: str | None = None, builtin: str = "",
           args: Mapping[str, Any] | None = None, image28: np.ndarray | None = None) -> Question:
    """A multiple-choice question; `key` (one of the choices) is the true answer, if any."""
    text, args = _template(text, args)
    if not builtin:
        text = _text(text, N_("question"))
        choices = [_text(c, N_("choice")) for c in choices if str(c or "").strip()]
    choices = tuple(str(c) for c in choices)
    if len(choices) < 2:
        raise QuestionError(N_("Give at least two choices."))
    if len(choices) > MAX_CHOICES:
        raise QuestionError(N_("Give at most {n} choices.", n=MAX_CHOICES))
    if len(set(choices)) != len(choices):
        raise QuestionError(N_("Each choice must be different."))
    if key is not None and key not in choices:
        raise QuestionError(N_("The true answer must be one of the choices."))
    return Question(CHOICE, text, choices, key, builtin=builtin, args=args,
                    image28=None if image28 is None else np.asarray(image28, np.uint8).ravel())


def number(text: str, key: float | str | None = None, tolerance: float | str = 0.0,
           low: float | None = None, high: float | None = None, builtin: str = "",
           args: Mapping[str, Any] | None = None) -> Question:
    """A question answered with a number; right when within `tolerance` of `key` (either may
    be text as the teacher typed it: see `finite`)."""
    text, args = _template(text, args)
    if not builtin:
        text = _text(text, N_("question"))
    tol = finite(tolerance, N_("tolerance"))
    if tol < 0:
        raise QuestionError(N_("The tolerance cannot be negative."))
    value = None if key is None else finite(key, N_("true answer"))
    return Question(NUMBER, text, (), None if value is None else repr(value), tol, low, high,
                    builtin, args)


def read_answer(q: Question, value: object) -> str:
    """A student's answer as stored, or a QuestionError that says what to give instead."""
    if q.kind == CHOICE:
        given = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) \
            else None
        if given not in q.choices:
            raise QuestionError(N_("Pick one of the choices."))
        return given
    x = finite(value, N_("answer"))
    if (q.low is not None and x < q.low) or (q.high is not None and x > q.high):
        raise QuestionError(N_("Give a number from {low:g} to {high:g}.",
                               low=-LARGEST if q.low is None else q.low,
                               high=LARGEST if q.high is None else q.high))
    return repr(x)


def grade(q: Question, value: str) -> bool | None:
    """Right or wrong against the key (None without one); a number is right within the
    tolerance (and a hair more: 0.1 + 0.2 is 0.3 here)."""
    if q.key is None:
        return None
    if q.kind == CHOICE:
        return value == q.key
    key = float(q.key)
    return abs(float(value) - key) <= q.tolerance + 1e-9 * max(1.0, abs(key))


# --- the lesson's built-in questions -----------------------------------------------------------


def model_answer(image28: np.ndarray, answer: int, label: int, model: str) -> Question:
    """"What will the model answer for this drawing?": the key is what `model` (a few words
    saying which model) answers for it; `label` is what the digit really is."""
    return choice(N_("What will the model answer for this drawing?"), DIGITS, str(int(answer)),
                  builtin="drawing", args={"label": int(label), "model": str(model)},
                  image28=image28)


def best_c(accuracies: Mapping[float, float], model: str = "") -> Question:
    """"Which C gives the best test accuracy?", among the Cs measured ({C: accuracy}) with
    `model`'s settings (a few words)."""
    cs = sorted(accuracies)
    best = max(cs, key=lambda c: accuracies[c])
    return choice(N_("Which C gives the best test accuracy?"), [f"{c:g}" for c in cs],
                  f"{best:g}", builtin="best_c",
                  args={"accuracies": {f"{c:g}": float(accuracies[c]) for c in cs},
                        "model": str(model)})


def accuracy_at(c: float, accuracy: float, tolerance: float = 2.0, model: str = "") -> Question:
    """"Accuracy at C = 0.001?" in percent, right within `tolerance` points; measured with
    `model`'s settings (a few words)."""
    return number(N_("Test accuracy at C = {C}, in percent?", C=f"{c:g}"),
                  round(100 * float(accuracy), 1), tolerance, 0.0, 100.0,
                  builtin="accuracy_at", args={"model": str(model)})


def exit_ticket() -> list[Question]:
    """The lesson's exit ticket: two questions with a key, one without (how sure they feel)."""
    less, more = N_("less"), N_("more")
    return [
        choice(N_("A larger C means the model is regularized …"), [less, more], less,
               builtin="ticket_c"),
        number(N_("How many weights does the model learn for each digit of a 28×28 image, "
                  "not counting its bias?"), 784, 0, 0, LARGEST, builtin="ticket_weights"),
        number(N_("How sure are you that you could explain to a friend how the model reads "
                  "a digit? (1: not at all, 5: very)"), None, 0, 1, 5, builtin="ticket_sure"),
    ]
