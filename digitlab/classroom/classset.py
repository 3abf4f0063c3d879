"""The class set: digits a class drew, with the labels they gave them, in one SQLite file
(digitlab.classroom.classdb: where it lives, its schema, transactions, errors as sentences).

    store = ClassSet()                          # $DIGITLAB_DB, else the user's data folder
    saved = store.save(image28, label=7, answer=1, confidence=0.93, name="Ana", group="5b",
                       author=session_id)
    X, y = store.arrays()                       # every kept digit, for training and scoring

A digit is identified by its 28x28 pixels and its author (`uid`, a sha256 of both): the author
saving the same drawing twice (a double click, a retry) keeps one record, and saving it again
with another label corrects it; two authors' drawings are two records even when their pixels
are the same (a class draws many plain 1s). The author is whoever saves: the app passes the
saving session's id (pages/panels/classset_panel.py); imports and records from before authors
were kept have author '' and are identified by their pixels alone, as they always were.
Delete means gone: `delete` and `purge` remove records and zero their bytes in the file
(classdb: secure_delete, then the write-ahead log emptied), and `expire` does the same for records
older than the retention. Undo is the caller's: `delete` hands back what it removed (kept in the
page's memory only) and `put_back` saves it again as a new record. Only the teacher (`TEACHER`;
the command line is the teacher too) may delete another author's records or purge; anyone else
gets `NotAllowed`. A failure a user or the machine can cause is a `ClassSetError` with a
sentence.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.classroom.classdb import (
    ClassSetError,
    ClassSetFile,
    default_path,
    forget_questions,
    forget_roster,
)
from digitlab.text import N_

MAX_DIGITS = 50_000  # a class set is a few hundred; this stops a runaway script filling the disk
MAX_PNG_BYTES = 2_000_000  # the canvas PNG is ~5-20 kB; uploads are shrunk before they get here
MAX_TEXT = 40  # characters of a name or group
PIXELS = 784


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """A name or group as stored: no control characters, single spaces, at most `limit`."""
    text = "".join(c for c in str(text or "") if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())[:limit]


def digit_uid(image28: np.ndarray, author: str = "") -> str:
    """What makes a record one: the pixels' sha256, and the author's when there is one (so the
    uid of an authorless record is what it was before authors were kept)."""
    digest = hashlib.sha256(image28.tobytes())
    if author:
        digest.update(b"\0author\0" + author.encode())
    return digest.hexdigest()


def as_image28(image28: np.ndarray) -> np.ndarray:
    """A 28x28 (or 784) uint8 image as 784 contiguous bytes; anything else is a bug."""
    a = np.asarray(image28)
    if a.dtype != np.uint8 or a.size != PIXELS:
        raise ValueError(f"expected 784 uint8 pixels, got {a.shape} {a.dtype}")
    return np.ascontiguousarray(a.reshape(PIXELS))


@dataclass(frozen=True)
class Record:
    """One saved digit. `answer`/`confidence`: what the model said when it was saved (None for
    an imported digit); `fooled` when that answer was wrong."""

    id: int
    created: float
    label: int
    answer: int | None
    confidence: float | None
    name: str
    group: str
    model: str
    image28: np.ndarray  # (784,) uint8
    author: str = ""  # who saved it (a session's id; '' for imports and older records)

    @property
    def fooled(self) -> bool:
        return self.answer is not None and self.answer != self.label


@dataclass(frozen=True)
class Saved:
    id: int
    how: str  # "saved" (new), "already" (the same drawing and label: nothing changed),
    #           "relabelled" (the same drawing with another label, or a deleted one, brought back)


@dataclass(frozen=True)
class Filter:
    """Which kept digits to list: None means any."""

    label: int | None = None
    group: str | None = None
    fooled: bool | None = None

    def where(self) -> tuple[str, list]:
        sql, args = ["deleted IS NULL"], []
        if self.label is not None:
            sql.append("label = ?")
            args.append(int(self.label))
        if self.group is not None:
            sql.append("grp = ?")
            args.append(self.group)
        if self.fooled is True:
            sql.append("answer IS NOT NULL AND answer != label")
        elif self.fooled is False:
            sql.append("(answer IS NULL OR answer = label)")
        return " AND ".join(sql), args


class NotAllowed(ClassSetError):
    """Someone other than the teacher tried what only the teacher may do."""


@dataclass(frozen=True)
class Who:
    """Who asks: a session's author id, and whether it is the teacher's."""

    author: str = ""
    teacher: bool = False


TEACHER = Who(teacher=True)  # the teacher's session, and the command line (the server's owner)
DAY = 86_400.0


@dataclass(frozen=True)
class Removed:
    """A deleted record as it was, held by the page that deleted it so Undo can put it back."""

    record: Record
    png: bytes | None


_COLUMNS = "id, created, label, answer, confidence, name, grp, model, image28, author"


def _record(row: tuple) -> Record:
    id_, created, label, answer, confidence, name, grp, model, blob, author = row
    return Record(id_, created, label, answer, confidence, name, grp, model,
                  np.frombuffer(blob, dtype=np.uint8), author)


class ClassSet(ClassSetFile):
    """The digits of the class set in its SQLite file (ClassSetFile: opening it, transactions).
    One instance can be shared by every session's thread."""

    def __init__(self, path: str | Path | None = None, timeout: float = 10.0):
        super().__init__(Path(path) if path is not None else default_path(), timeout)

    # --- writing -------------------------------------------------------------------------------

    def save(self, image28: np.ndarray, label: int, answer: int | None = None,
             confidence: float | None = None, png: bytes | None = None, name: str = "",
             group: str = "", model: str = "", author: str = "") -> Saved:
        """Store one drawing with its label (and what the model answered) as `author`'s (an
        opaque id: the saving session's); see the module doc for what saving the same drawing
        again does."""
        pixels = as_image28(image28)
        if not 0 <= int(label) <= 9:
            raise ValueError(f"label must be 0-9, got {label}")
        if png is not None and len(png) > MAX_PNG_BYTES:
            raise ClassSetError("That picture is too large to keep; shrink it and try again.")
        author = clean_text(author, 120)
        row = (digit_uid(pixels, author), time.time(), int(label),
               None if answer is None else int(answer),
               None if confidence is None else float(confidence), clean_text(name),
               clean_text(group), clean_text(model, 120), pixels.tobytes(), png, author)
        with self.transaction() as conn:
            old = conn.execute("SELECT id, label, deleted FROM digits WHERE uid = ?",
                               (row[0],)).fetchone()
            if old is None:
                self._check_room(conn, 1)
                cur = conn.execute(f"INSERT INTO digits (uid, created, label, answer, "
                                   f"confidence, name, grp, model, image28, png, author) "
                                   f"VALUES ({', '.join('?' * 11)})", row)
                if cur.lastrowid is None:  # an INSERT always sets it
                    raise sqlite3.DatabaseError("INSERT gave no row id.")
                return Saved(cur.lastrowid, "saved")
            id_, old_label, deleted = old
            if old_label == row[2] and deleted is None:
                return Saved(id_, "already")
            conn.execute("UPDATE digits SET label = ?, answer = ?, confidence = ?, name = ?, "
                         "grp = ?, model = ?, deleted = NULL WHERE id = ?",
                         (row[2], row[3], row[4], row[5], row[6], row[7], id_))
            return Saved(id_, "relabelled")

    def add_many(self, X: np.ndarray, y: np.ndarray, names: Sequence[str] | None = None,
                 groups: Sequence[str] | None = None) -> tuple[int, int]:
        """Import digits in one transaction (all or none); drawings already in the set are
        skipped. Returns (added, skipped)."""
        X = np.asarray(X, dtype=np.uint8).reshape(-1, PIXELS)
        y = np.asarray(y)
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise ValueError("labels must be 0-9 (digitlab.classroom.classfiles checks imported "
                             "files)")
        names = names if names is not None else [""] * len(y)
        groups = groups if groups is not None else [""] * len(y)
        now = time.time()
        with self.transaction() as conn:
            self._check_room(conn, len(y))
            before = conn.total_changes
            conn.executemany(
                "INSERT INTO digits (uid, created, label, name, grp, image28) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
                ((digit_uid(x), now, int(label), clean_text(n), clean_text(g), x.tobytes())
                 for x, label, n, g in zip(X, y, names, groups, strict=True)))
            added = conn.total_changes - before
        return added, len(y) - added

    @staticmethod
    def _check_room(conn: sqlite3.Connection, n: int) -> None:
        have = conn.execute("SELECT count(*) FROM digits").fetchone()[0]
        if have + n > MAX_DIGITS:
            raise ClassSetError(f"The class set is full ({have:,} digits; at most "
                                f"{MAX_DIGITS:,}). Export it and start a new one.")

    def delete(self, ids: Sequence[int], who: Who = TEACHER) -> list[Removed]:
        """Remove digits for good (their bytes zeroed in the file) and return them as they were,
        for an Undo kept in memory. A student (`who` not the teacher) may delete only their
        own records: any other id refuses the whole call with `NotAllowed`."""
        ids = [int(i) for i in ids]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        with self.transaction() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS}, png FROM digits WHERE id IN ({marks}) "
                                "AND deleted IS NULL", ids).fetchall()
            if not who.teacher and any(r[9] != who.author or not who.author for r in rows):
                raise NotAllowed(N_("Only the teacher can delete other students' drawings."))
            conn.execute(f"DELETE FROM digits WHERE id IN ({marks})", ids)
        self.wipe()
        return [Removed(_record(r[:10]), r[10]) for r in rows]

    def put_back(self, removed: Sequence[Removed]) -> list[int]:
        """Undo a delete: save the removed digits again, each as a new record (new ids; the
        time they were first saved is kept, so the retention still counts from it)."""
        ids = []
        with self.transaction() as conn:
            self._check_room(conn, len(removed))
            for gone in removed:
                r = gone.record
                cur = conn.execute(
                    "INSERT INTO digits (uid, created, label, answer, confidence, name, grp, "
                    "model, image28, png, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (uid) DO NOTHING",
                    (digit_uid(r.image28, r.author), r.created, r.label, r.answer,
                     r.confidence, r.name, r.group, r.model, r.image28.tobytes(), gone.png,
                     r.author))
                if cur.rowcount and cur.lastrowid is not None:
                    ids.append(cur.lastrowid)
        return ids

    def purge(self, who: Who = TEACHER) -> int:
        """Delete everything in the class set for good (its questions and answers, and the class
        view's names, too); returns
        how many digits went. Only the teacher may. The file is then compacted (VACUUM), so it
        keeps no free pages either."""
        if not who.teacher:
            raise NotAllowed(N_("Only the teacher can delete everything from the class."))
        with self.transaction() as conn:
            gone = conn.execute("DELETE FROM digits").rowcount
            forget_questions(conn)
            forget_roster(conn)
        self.compact()
        return gone

    def expire(self, days: float, now: float | None = None) -> int:
        """Delete for good the records saved more than `days` days ago (and any a DigitLab
        before version 3 only marked deleted), and the questions posed before then with their
        answers; returns how many digits. The server runs it at start-up."""
        cutoff = (time.time() if now is None else now) - float(days) * DAY
        with self.transaction() as conn:
            gone = conn.execute("DELETE FROM digits WHERE created < ? OR deleted IS NOT NULL",
                                (cutoff,)).rowcount
            answers = forget_questions(conn, cutoff)
            forget_roster(conn, cutoff)
        if gone or answers:
            self.wipe()
        return gone

    # --- reading -------------------------------------------------------------------------------

    def records(self, where: Filter = Filter(), limit: int | None = None,
                offset: int = 0) -> list[Record]:
        """Kept digits matching `where`, newest first."""
        sql, args = where.where()
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [_record(r) for r in self._read(
            f"SELECT {_COLUMNS} FROM digits WHERE {sql} ORDER BY id DESC{page}", args)]

    def count(self, where: Filter = Filter()) -> int:
        sql, args = where.where()
        return self._read(f"SELECT count(*) FROM digits WHERE {sql}", args)[0][0]

    def arrays(self, where: Filter = Filter()) -> tuple[np.ndarray, np.ndarray]:
        """(X (n, 784) uint8, y (n,) uint8) of the kept digits, oldest first (a stable order,
        so a seeded hold-out picks the same digits while the set only grows)."""
        sql, args = where.where()
        rows = self._read(f"SELECT image28, label FROM digits WHERE {sql} ORDER BY id", args)
        X = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.uint8).reshape(-1, PIXELS)
        return X.copy(), np.array([r[1] for r in rows], dtype=np.uint8)

    def groups(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT grp FROM digits WHERE deleted IS NULL "
                                         "AND grp != '' ORDER BY grp")]

    def fooled_board(self, n: int = 8) -> list[Record]:
        """The drawings that fooled the model most confidently when they were saved."""
        return [_record(r) for r in self._read(
            f"SELECT {_COLUMNS} FROM digits WHERE deleted IS NULL AND answer IS NOT NULL AND "
            "answer != label ORDER BY confidence DESC, id DESC LIMIT ?", (int(n),))]

    def png(self, id_: int) -> bytes | None:
        rows = self._read("SELECT png FROM digits WHERE id = ?", (int(id_),))
        return rows[0][0] if rows else None
