"""The class set's SQLite file: where it lives, its schema, and opening it safely.

Why SQLite: one file, safe for many writers at once (each save is one transaction; a writer
that waits for another gets up to `timeout` seconds before a sentence says "busy"), and a
process killed mid-write leaves the last committed state, never half a record (SQLite's
journal). WAL mode lets the Class set page read while students save.

Every failure a user or the machine can cause (a busy, read-only, missing or damaged file)
ends as `ClassSetError` with a sentence that says what to do. Paths come from the environment
only, never from the app's users. What the file holds, and how digits are saved and read:
digitlab.classroom.classset.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

DB_ENV = "DIGITLAB_DB"
DB_NAME = "classset.sqlite3"
APPLICATION_ID = 0x44474C42  # "DGLB": marks the file as DigitLab's class set
SCHEMA_VERSION = 3
# Version 2 added `author` (who saved a digit: the saving session's id, '' for imports and for
# records from version 1, whose uid stays the pixels' own hash); version 3 the class's
# questions (rounds, questions, answers: digitlab.classroom.questions), new tables that _SCHEMA
# creates. _MIGRATIONS[v] takes v to v+1.
_MIGRATIONS = {1: ("ALTER TABLE digits ADD COLUMN author TEXT NOT NULL DEFAULT ''",), 2: ()}

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
    author TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    image28 BLOB NOT NULL CHECK (length(image28) = 784),
    png BLOB,
    deleted REAL
);
CREATE INDEX IF NOT EXISTS digits_kept ON digits (deleted, label);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    ticket INTEGER NOT NULL CHECK (ticket IN (0, 1)),
    state TEXT NOT NULL CHECK (state IN ('open', 'revealed', 'ended'))
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('choice', 'number')),
    builtin TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '{}',
    choices TEXT NOT NULL DEFAULT '[]',
    answer_key TEXT,
    tolerance REAL NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
    low REAL,
    high REAL,
    image28 BLOB CHECK (image28 IS NULL OR length(image28) = 784)
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    question INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    author TEXT NOT NULL CHECK (author != ''),
    name TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    value TEXT NOT NULL,
    correct INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),
    UNIQUE (question, author)
);
CREATE INDEX IF NOT EXISTS questions_of_round ON questions (round, position);
"""


def forget_questions(conn: sqlite3.Connection, before: float | None = None) -> int:
    """Delete the class's questions with their answers: those posed before `before` (a time),
    or all. Inside the caller's transaction; returns how many answers went. Everything from a
    class goes together (ClassSet.purge, ClassSet.expire): its drawings and its answers."""
    rounds = "SELECT id FROM rounds" + ("" if before is None else " WHERE created < ?")
    args = () if before is None else (float(before),)
    gone = conn.execute(f"DELETE FROM answers WHERE question IN (SELECT id FROM questions "
                        f"WHERE round IN ({rounds}))", args).rowcount
    conn.execute(f"DELETE FROM questions WHERE round IN ({rounds})", args)
    conn.execute(f"DELETE FROM rounds WHERE id IN ({rounds})", args)
    return gone


def forget_roster(conn: sqlite3.Connection, before: float | None = None) -> None:
    """Delete the class view's roster (the names students typed, digitlab.classroom.live):
    the students last seen before `before` (a time), or all. Inside the caller's transaction;
    nothing when no roster was ever kept in this file."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                    "name = 'live_students'").fetchone() is None:
        return
    if before is None:
        conn.execute("DELETE FROM live_students")
    else:
        conn.execute("DELETE FROM live_students WHERE seen < ?", (float(before),))


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


class ClassSetFile:
    """The class set's SQLite file, created and checked on first use. Holds no connection:
    every call opens its own, so one instance can be shared by every session's thread (sqlite3
    connections cannot)."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = path
        self.timeout = timeout
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self._create()
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")  # a saved digit survives a power cut too
        # Delete means gone: SQLite overwrites a deleted record's bytes (its cell and its freed
        # overflow pages) with zeros instead of leaving them in free space. Per connection.
        conn.execute("PRAGMA secure_delete = ON")
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
                if tables:  # an older class set: add what it lacks, keeping every record
                    for step in range(version, SCHEMA_VERSION):
                        for statement in _MIGRATIONS.get(step, ()):
                            conn.execute(statement)
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
    def transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is stored, or (on any error, or if the process dies)
        none of it. BEGIN IMMEDIATE takes the write lock at once, so two writers queue up
        instead of failing halfway. `durable=False`: the commit does not wait for the disk
        (for what is rewritten every few seconds anyway)."""
        with _sentences(self.path):
            conn = self._connect()
            try:
                if not durable:
                    # What is rewritten every few seconds anyway (the roster's "still here")
                    # need not wait for the disk: NORMAL in WAL mode loses at most the last such
                    # writes to a power cut, never a record.
                    conn.execute("PRAGMA synchronous = NORMAL")
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

    def wipe(self) -> bool:
        """After a delete: copy the write-ahead log into the file and empty it, so a deleted
        record's pixels are left neither in the file (secure_delete zeroed them) nor in old WAL
        frames. False when another connection was reading and the log could not be emptied
        entirely now (the next wipe, or the last connection's close, finishes it)."""
        with _sentences(self.path):
            conn = self._connect()
            try:
                busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                return not busy
            finally:
                conn.close()

    def compact(self) -> bool:
        """VACUUM (rewrite the file without its free pages), then wipe(): after a purge."""
        with _sentences(self.path):
            conn = self._connect()
            try:
                conn.execute("VACUUM")
            finally:
                conn.close()
        return self.wipe()

    def _read(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with _sentences(self.path):
            conn = self._connect()
            try:
                return conn.execute(sql, list(args)).fetchall()
            finally:
                conn.close()
