"""Questions, predict then reveal: the teacher poses a question (or an exit ticket, a few at
once), each student locks in one answer, sees their own result, and the teacher reveals the
class's answers beside the true one. Kept in the class set's SQLite file (tables `rounds`,
`questions`, `answers`: digitlab.classroom.classdb), so the question on screen and every answer
survive a server restart.

    board = Questions()                                  # $DIGITLAB_DB, like the class set
    live = board.pose([choice(N_("Which C ..."), ["0.01", "1"], key="1")], TEACHER)
    board.answer(live.questions[0].id, "1", Who("session-id"), name="Ana")   # once per student
    board.reveal(live.id, TEACHER); board.tally(live.id, Who("session-id"))  # counts, no names
    board.export_csv(live.id, TEACHER)                   # one row per student, graded

What a question is and how an answer is read and graded (numbers within a stated tolerance):
digitlab.classroom.question. Only the teacher (`Who.teacher`) poses, reveals, ends, exports
and reads who answered what; a student reads their own answers, and the class's counts once
revealed; anything else is `NotAllowed`. A refused answer is a `QuestionError` with a sentence.
They are the class's data as its drawings are: ClassSet.purge and ClassSet.expire (retention)
delete them too.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.classroom.classdb import ClassSetFile, default_path
from digitlab.classroom.classset import NotAllowed, Who, clean_text
from digitlab.classroom.question import (
    CHOICE,
    NUMBER,
    Question,
    QuestionError,
    grade,
    read_answer,
)
from digitlab.text import N_

MAX_QUESTIONS = 10  # in one exit ticket
OPEN, REVEALED, ENDED = "open", "revealed", "ended"


@dataclass(frozen=True)
class Posed:
    """A question as posed: stored, with its id and its place in its round."""

    id: int
    question: Question


@dataclass(frozen=True)
class Round:
    """What the teacher posed at once: one question, or an exit ticket of a few."""

    id: int
    created: float
    ticket: bool
    state: str  # OPEN (answers come in), REVEALED (answers closed, counts shown), ENDED
    questions: tuple[Posed, ...]

    @property
    def revealed(self) -> bool:
        return self.state == REVEALED


@dataclass(frozen=True)
class Answer:
    question: int
    value: str  # a choice as stored, or a number written back by repr()
    correct: bool | None  # None: the question has no key
    name: str = ""
    author: str = ""


@dataclass(frozen=True)
class Tally:
    """The class's answers to one question, without names: for a choice, how many picked each
    (in the choices' order); for a number, the values given (sorted)."""

    question: Posed
    counts: dict[str, int]
    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values) if self.question.question.kind == NUMBER else sum(
            self.counts.values())


def _need_teacher(who: Who, what: str) -> None:
    if not who.teacher:
        raise NotAllowed(N_("Only the teacher can {what}.", what=what))


_Q_COLUMNS = ("id, kind, builtin, text, args, choices, answer_key, tolerance, low, high, "
              "image28")


def _posed(row: tuple) -> Posed:
    id_, kind, builtin, text, args, choices, key, tolerance, low, high, image = row
    image28 = None if image is None else np.frombuffer(image, dtype=np.uint8)
    return Posed(id_, Question(kind, text, tuple(json.loads(choices)), key, tolerance, low, high,
                               builtin, json.loads(args), image28))


class Questions(ClassSetFile):
    """The class's questions and answers in the class set's file. Holds no connection (see
    ClassSetFile): one instance serves every session's thread."""

    def __init__(self, path: str | Path | None = None, timeout: float = 10.0):
        super().__init__(Path(path) if path is not None else default_path(), timeout)

    # --- the teacher ---------------------------------------------------------------------------

    def pose(self, questions: Sequence[Question], who: Who, ticket: bool = False) -> Round:
        """Pose `questions` to the class: the round before it ends (its answers are kept)."""
        _need_teacher(who, N_("pose a question"))
        if not questions:
            raise QuestionError(N_("Add at least one question first."))
        if len(questions) > MAX_QUESTIONS:
            raise QuestionError(N_("An exit ticket holds at most {n} questions.",
                                   n=MAX_QUESTIONS))
        with self.transaction() as conn:
            conn.execute("UPDATE rounds SET state = ? WHERE state != ?", (ENDED, ENDED))
            cur = conn.execute("INSERT INTO rounds (created, ticket, state) VALUES (?, ?, ?)",
                               (time.time(), int(ticket), OPEN))
            round_id = cur.lastrowid
            for position, q in enumerate(questions):
                conn.execute(
                    f"INSERT INTO questions (round, position, {_Q_COLUMNS[4:]}) "
                    f"VALUES ({', '.join('?' * 12)})",
                    (round_id, position, q.kind, q.builtin, q.text, json.dumps(q.args),
                     json.dumps(list(q.choices)), q.key, q.tolerance, q.low, q.high,
                     None if q.image28 is None else q.image28.tobytes()))
        posed = self.round(int(round_id or 0))
        assert posed is not None
        return posed

    def reveal(self, round_id: int, who: Who) -> None:
        """Close the answers and show the class's counts to everyone."""
        self._set_state(round_id, who, REVEALED, N_("reveal the answers"))

    def end(self, round_id: int, who: Who) -> None:
        """Take the round off the students' screens (its answers are kept)."""
        self._set_state(round_id, who, ENDED, N_("end a question"))

    def _set_state(self, round_id: int, who: Who, state: str, what: str) -> None:
        _need_teacher(who, what)
        with self.transaction() as conn:
            conn.execute("UPDATE rounds SET state = ? WHERE id = ? AND state != ?",
                         (state, int(round_id), ENDED))

    def answers(self, round_id: int, who: Who) -> list[Answer]:
        """Every answer to the round, with who gave it: the teacher's only."""
        _need_teacher(who, N_("see who answered what"))
        rows = self._read("SELECT a.question, a.value, a.correct, a.name, a.author FROM answers a "
                          "JOIN questions q ON q.id = a.question WHERE q.round = ? "
                          "ORDER BY a.id", (int(round_id),))
        return [Answer(q, v, None if c is None else bool(c), n, a) for q, v, c, n, a in rows]

    def export_csv(self, round_id: int, who: Who,
                   say: Callable[[str], str] = str) -> str:
        """The round as a spreadsheet: one row per student (the name they typed), for each
        question their answer and whether it is right (blank without a key), then the score
        out of the questions with a key. `say` translates the headers (and built-in texts)."""
        _need_teacher(who, N_("export the answers"))
        posed = self.round(round_id)
        if posed is None:
            raise QuestionError(N_("That question is no longer stored."))
        by_author: dict[str, dict[int, Answer]] = {}
        for a in self.answers(round_id, who):
            by_author.setdefault(a.author, {})[a.question] = a
        keyed = [p for p in posed.questions if p.question.key is not None]
        header = [say(N_("Student"))]
        for i, p in enumerate(posed.questions, 1):
            header += [f"Q{i}: {p.question.said(say)}", say(N_("Q{i} right", i=i))]
        header += [say(N_("Score")), say(N_("Out of"))]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        right, wrong = say(N_("yes")), say(N_("no"))
        for given in by_author.values():
            name = next(iter(given.values())).name
            row = [_cell(name)]
            for p in posed.questions:
                a = given.get(p.id)
                row += [_cell(p.question.shown(a.value, say)) if a else "",
                        "" if a is None or a.correct is None else (right if a.correct else wrong)]
            row += [sum(1 for p in keyed if (a := given.get(p.id)) and a.correct), len(keyed)]
            writer.writerow(row)
        return out.getvalue()

    def who_answered(self, round_id: int, who: Who) -> set[str]:
        """The authors (session ids) who locked in an answer: the teacher's only."""
        _need_teacher(who, N_("see who answered what"))
        return {r[0] for r in self._read("SELECT DISTINCT a.author FROM answers a JOIN "
                                         "questions q ON q.id = a.question WHERE q.round = ?",
                                         (int(round_id),))}

    # --- everyone ------------------------------------------------------------------------------

    def current(self) -> Round | None:
        """The round on the students' screens (the newest not ended), or None."""
        rows = self._read("SELECT id FROM rounds WHERE state != ? ORDER BY id DESC LIMIT 1",
                          (ENDED,))
        return self.round(rows[0][0]) if rows else None

    def version(self) -> tuple[int, str] | None:
        """(id, state) of the current round: what a student's page polls (one small read)."""
        rows = self._read("SELECT id, state FROM rounds WHERE state != ? ORDER BY id DESC "
                          "LIMIT 1", (ENDED,))
        return (rows[0][0], rows[0][1]) if rows else None

    def rounds(self, limit: int = 10) -> list[Round]:
        """The rounds posed, newest first (the teacher's list of past questions)."""
        ids = self._read("SELECT id FROM rounds ORDER BY id DESC LIMIT ?", (int(limit),))
        return [r for (id_,) in ids if (r := self.round(id_)) is not None]

    def round(self, round_id: int) -> Round | None:
        rows = self._read("SELECT id, created, ticket, state FROM rounds WHERE id = ?",
                          (int(round_id),))
        if not rows:
            return None
        id_, created, ticket, state = rows[0]
        posed = tuple(_posed(r) for r in self._read(
            f"SELECT {_Q_COLUMNS} FROM questions WHERE round = ? ORDER BY position", (id_,)))
        return Round(id_, created, bool(ticket), state, posed)

    def answer(self, round_id: int, values: Mapping[int, object], who: Who,
               name: str = "") -> list[Answer]:
        """Lock in `who`'s answers to the round ({question id: what they gave}), all of them
        at once: once locked, an answer cannot change. Returns them, graded."""
        if not who.author:
            raise QuestionError(N_("Your page has no session yet; reload it and answer again."))
        name = clean_text(name)
        with self.transaction() as conn:
            row = conn.execute("SELECT state FROM rounds WHERE id = ?", (int(round_id),)
                               ).fetchone()
            if row is None or row[0] == ENDED:
                raise QuestionError(N_("This question is over; wait for the next one."))
            if row[0] == REVEALED:
                raise QuestionError(N_("The answers are revealed: this question takes no more "
                                       "answers."))
            posed = [_posed(r) for r in conn.execute(
                f"SELECT {_Q_COLUMNS} FROM questions WHERE round = ? ORDER BY position",
                (int(round_id),))]
            done = [r[0] for r in conn.execute(
                "SELECT a.value FROM answers a JOIN questions q ON q.id = a.question WHERE "
                "a.author = ? AND q.round = ? ORDER BY q.position", (who.author, int(round_id)))]
            if done:  # another tab of the same student, or a form from before a reload
                raise QuestionError(N_("You already answered: {answer}. A locked-in answer "
                                       "cannot change.", answer=", ".join(map(_plain, done))))
            missing = [i for i, p in enumerate(posed, 1) if values.get(p.id) in (None, "")]
            if missing:
                raise QuestionError(N_("Answer question {i} before locking in.", i=missing[0]))
            stored = []
            for p in posed:
                value = read_answer(p.question, values[p.id])
                correct = grade(p.question, value)
                conn.execute("INSERT INTO answers (question, author, name, created, value, "
                             "correct) VALUES (?, ?, ?, ?, ?, ?)",
                             (p.id, who.author, name, time.time(), value,
                              None if correct is None else int(correct)))
                stored.append(Answer(p.id, value, correct, name, who.author))
        return stored

    def mine(self, round_id: int, who: Who) -> dict[int, Answer]:
        """{question id: answer} of `who` in the round: their own, nobody else's."""
        if not who.author:
            return {}
        rows = self._read("SELECT a.question, a.value, a.correct, a.name FROM answers a JOIN "
                          "questions q ON q.id = a.question WHERE q.round = ? AND a.author = ?",
                          (int(round_id), who.author))
        return {q: Answer(q, v, None if c is None else bool(c), n, who.author)
                for q, v, c, n in rows}

    def count(self, round_id: int) -> int:
        """How many students locked in an answer (no names: anyone may know how many)."""
        return self._read("SELECT count(DISTINCT a.author) FROM answers a JOIN questions q ON "
                          "q.id = a.question WHERE q.round = ?", (int(round_id),))[0][0]

    def tally(self, round_id: int, who: Who) -> list[Tally]:
        """The class's answers to each question of the round, counted, without names. The
        teacher may look at any time; a student only once the teacher has revealed them."""
        posed = self.round(round_id)
        if posed is None:
            return []
        if not who.teacher and not posed.revealed:
            raise NotAllowed(N_("The class's answers show when the teacher reveals them."))
        tallies = []
        for p in posed.questions:
            given = [r[0] for r in self._read("SELECT value FROM answers WHERE question = ?",
                                              (p.id,))]
            if p.question.kind == CHOICE:
                seen = Counter(given)
                counts = {c: seen.get(c, 0) for c in p.question.choices}
                tallies.append(Tally(p, counts, ()))
            else:
                values = sorted(v for v in map(float, given) if math.isfinite(v))
                tallies.append(Tally(p, {}, tuple(values)))
        return tallies


def _cell(text: str) -> str:
    """A spreadsheet cell that cannot run as a formula (CSV injection): a leading = + - @ is
    quoted with an apostrophe, as spreadsheets themselves do."""
    try:
        float(text)
        return text  # a number, negative ones too
    except ValueError:
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _plain(value: str) -> str:
    """A stored answer as a student typed it: a number without repr()'s ".0"."""
    try:
        return f"{float(value):g}"
    except ValueError:
        return value
