"""The class set: digits a class drew, with the labels they gave them, in one SQLite file.

    store = ClassSet()                          # $DIGITLAB_DB, else the user's data folder
    saved = store.save(image28, label=7, answer=1, confidence=0.93, name="Ana", group="5b")
    X, y = store.arrays()                       # every kept digit, for training and scoring

Why SQLite: one file, safe for many writers at once (each save is one transaction; a writer
that waits for another gets up to `timeout` seconds before a sentence says "busy"), and a
process killed mid-write leaves the last committed state, never half a record (SQLite's
journal). WAL mode lets the Class set page read while students save.

A digit is identified by its 28x28 pixels (`uid`, a sha256): saving the same drawing twice (a
double click, a retry) keeps one record, and saving it again with another label corrects it.
Deleting only marks a record, so it can be undone; exports and training skip marked records.

Every failure a user or the machine can cause (a busy, read-only, missing or damaged file)
ends as `ClassSetError` with a sentence that says what to do. Paths come from the environment
only, never from the app's users.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DB_ENV = "DIGITLAB_DB"
DB_NAME = "classset.sqlite3"
APPLICATION_ID = 0x44474C42  # "DGLB": marks the file as DigitLab's class set
SCHEMA_VERSION = 1
MAX_DIGITS = 50_000  # a class set is a few hundred; this stops a runaway script filling the disk
MAX_PNG_BYTES = 2_000_000  # the canvas PNG is ~5-20 kB; uploads are shrunk before they get here
MAX_TEXT = 40  # characters of a name or group
PIXELS = 784

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digits (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    answer INTEGER CHECK (answer IS NULL OR answer BETWEEN 0 AND 9),
    confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
    name TEXT NOT NULL DEFAULT '',
    grp TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    image28 BLOB NOT NULL CHECK (length(image28) = 784),
    png BLOB,
    deleted REAL
);
CREATE INDEX IF NOT EXISTS digits_kept ON digits (deleted, label);
"""


class ClassSetError(RuntimeError):
    """The class set could not be read or written; the message says why and what to do."""


def default_path() -> Path:
    """$DIGITLAB_DB, else classset.sqlite3 in the user's data folder ($XDG_DATA_HOME or
    ~/.local/share, then digitlab/)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "digitlab" / DB_NAME


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """A name or group as stored: no control characters, single spaces, at most `limit`."""
    text = "".join(c for c in str(text or "") if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())[:limit]


def digit_uid(image28: np.ndarray) -> str:
    return hashlib.sha256(image28.tobytes()).hexdigest()


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


_COLUMNS = "id, created, label, answer, confidence, name, grp, model, image28"


def _record(row: tuple) -> Record:
    id_, created, label, answer, confidence, name, grp, model, blob = row
    return Record(id_, created, label, answer, confidence, name, grp, model,
                  np.frombuffer(blob, dtype=np.uint8))


@contextlib.contextmanager
def _sentences(path: Path) -> Iterator[None]:
    """sqlite3's errors -> ClassSetError with what to do (the file name, not the full path:
    the app shows these to students)."""
    try:
        yield
    except sqlite3.IntegrityError:
        raise  # a row that breaks the schema's checks is a bug in the caller: stay loud
    except sqlite3.Error as exc:
        said = str(exc).lower()
        if "locked" in said or "busy" in said:
            msg = ("The class set is busy: another program is writing to it. Try again in a "
                   "moment.")
        elif "readonly" in said or "read-only" in said:
            msg = (f"The class set file ({path.name}) cannot be written: it or its folder is "
                   f"read-only. Make it writable, or point {DB_ENV} at a file that is.")
        elif "unable to open" in said:
            msg = (f"The class set file ({path.name}) cannot be opened: its folder is missing "
                   f"or not writable. Point {DB_ENV} at a file in a writable folder.")
        elif "full" in said:
            msg = "The disk holding the class set is full; free some space and try again."
        elif isinstance(exc, sqlite3.DatabaseError):
            msg = (f"The class set file ({path.name}) is damaged or is not a DigitLab class "
                   f"set. Move it away (DigitLab then starts a new one) or point {DB_ENV} "
                   "elsewhere.")
        else:  # pragma: no cover - sqlite3 raises only the kinds above for a sound query
            msg = f"The class set could not be used ({exc})."
        raise ClassSetError(msg) from exc


class ClassSet:
    """The class set in one SQLite file. Holds no connection: every call opens its own, so one
    instance can be shared by every session's thread (sqlite3 connections cannot)."""

    def __init__(self, path: str | Path | None = None, timeout: float = 10.0):
        self.path = Path(path) if path is not None else default_path()
        self.timeout = timeout
        self._ready = False

    # --- connections and transactions ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self._create()
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")  # a saved digit survives a power cut too
        return conn

    def _create(self) -> None:
        """Make the file and its table on first use; refuse a file that is someone else's.

        All under one write lock: the first users of a new file (a class opening the app at
        once) check and create it one after another, each seeing the others' work whole."""
        with _sentences(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            try:
                self._check_and_create(conn)
                self._use_wal(conn)
            finally:
                conn.close()
        self._ready = True

    @staticmethod
    def _use_wal(conn: sqlite3.Connection) -> None:
        """WAL mode: readers (the Class set page) never wait for a writer, nor writers for a
        reader. Kept in the file once set. Switching needs a moment when nobody else holds the
        file, and SQLite does not wait for one: if others are busy (a class's first saves), the
        file stays in its journal mode, just as safe, and the next start tries again."""
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "readonly" not in str(exc).lower():
                raise

    def _check_and_create(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).lower():
                raise
            conn.execute("BEGIN")  # a read-only file: usable for reading if it is ready
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables and app_id != APPLICATION_ID:
                raise sqlite3.DatabaseError("not a DigitLab class set")
            # A damaged file (a disk error, a copy cut short) is found here, once per
            # server, not halfway through a class: quick_check reads every page (milliseconds
            # for a class's few thousand digits).
            if tables and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("damaged (quick_check failed)")
            if version > SCHEMA_VERSION:
                raise ClassSetError(f"The class set file ({self.path.name}) was written by a "
                                    "newer DigitLab; update DigitLab to use it.")
            if not tables or version < SCHEMA_VERSION:
                # statement by statement: executescript would commit this transaction
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # see transaction()
                conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is stored, or (on any error, or if the process dies)
        none of it. BEGIN IMMEDIATE takes the write lock at once, so two writers queue up
        instead of failing halfway."""
        with _sentences(self.path):
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    # SQLite has already rolled back after some errors (a full disk): a
                    # second ROLLBACK would replace the real reason with "no transaction"
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()

    def _read(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with _sentences(self.path):
            conn = self._connect()
            try:
                return conn.execute(sql, list(args)).fetchall()
            finally:
                conn.close()

    # --- writing -------------------------------------------------------------------------------

    def save(self, image28: np.ndarray, label: int, answer: int | None = None,
             confidence: float | None = None, png: bytes | None = None, name: str = "",
             group: str = "", model: str = "") -> Saved:
        """Store one drawing with its label (and what the model answered); see the module doc
        for what saving the same drawing again does."""
        pixels = as_image28(image28)
        if not 0 <= int(label) <= 9:
            raise ValueError(f"label must be 0-9, got {label}")
        if png is not None and len(png) > MAX_PNG_BYTES:
            raise ClassSetError("That picture is too large to keep; shrink it and try again.")
        row = (digit_uid(pixels), time.time(), int(label),
               None if answer is None else int(answer),
               None if confidence is None else float(confidence), clean_text(name),
               clean_text(group), clean_text(model, 120), pixels.tobytes(), png)
        with self.transaction() as conn:
            old = conn.execute("SELECT id, label, deleted FROM digits WHERE uid = ?",
                               (row[0],)).fetchone()
            if old is None:
                self._check_room(conn, 1)
                cur = conn.execute(f"INSERT INTO digits (uid, created, label, answer, "
                                   f"confidence, name, grp, model, image28, png) "
                                   f"VALUES ({', '.join('?' * 10)})", row)
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
            raise ValueError("labels must be 0-9 (digitlab.classroom.classfiles checks imported files)")
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

    def delete(self, ids: Sequence[int]) -> int:
        """Mark digits deleted (undo with `restore`); returns how many were marked."""
        return self._mark(ids, "deleted = ?", "deleted IS NULL", time.time())

    def restore(self, ids: Sequence[int]) -> int:
        return self._mark(ids, "deleted = ?", "deleted IS NOT NULL", None)

    def _mark(self, ids: Sequence[int], set_sql: str, only: str, value) -> int:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        with self.transaction() as conn:
            cur = conn.execute(f"UPDATE digits SET {set_sql} WHERE {only} AND id IN "
                               f"({', '.join('?' * len(ids))})", [value, *ids])
            return cur.rowcount

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
