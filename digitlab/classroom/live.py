"""The lesson as it happens: who is here (the roster), whether the teacher has paused the
class ("Eyes on the board"), and the one drawing the teacher has put in the spotlight. No
Streamlit here (the app's glue: pages/shared/class_push.py and pages/classview_page.py).

    live = Live()                              # the class set's SQLite file ($DIGITLAB_DB)
    live.join(sid, "Ana")                      # a student's page opens (the name they typed)
    live.mark(sid, DRAWING)                    # ... draws; questions call mark(sid, ANSWERED)
    live.pause(TEACHER); live.paused()         # every student's page reads this each second
    live.drew(sid, Drawing(...)); live.spotlight(sid, TEACHER)

Students are pseudonyms: the name a student typed, kept with a random id of their browser
(pages/shared/identity.py: a reload or a server restart finds the same card; no account,
nothing else about them). The roster and the pause flag live in the class set's
SQLite file, in tables of their own, so a server restart finds them again and every session's
thread sees the same. The pause flag is also kept in memory (one process serves the class, and
every write goes through here): students' pages ask for it every second, and that costs no SQL.

What a class writes all the time, each page's "still here" every few seconds and "drawing" with
each drawing, is written behind the pages: kept in memory and written by one thread, as many
lines as have come in by then in one transaction that does not wait for the disk (the roster
is read after it: `roster` writes what waits first). A page no longer waits for SQLite there:
thirty sessions each writing their own durable transaction beside six busy threads waited
1.4 s a write (median) and up to 10.2 s, 10 of 98 refused as busy, and a drawing's page run
waited with them (benchmarks/class_writes.py; behind the pages: 0 ms, none refused). A
student who joins, answers, or leaves is written at once, after what waits.

Drawings stay in the server's memory only: the latest one of each student (the teacher may
spotlight it) and the spotlight's copy. They are never written to disk, so a class that
collects no drawings (digitlab.classroom.privacy) still keeps none, and a restart forgets them.
The spotlight holds the drawing and the model's answer, never the student's id or name.

Only the teacher (`Who.teacher`) may pause, resume, spotlight, read the roster or the
spotlight, or clear the class; anyone else gets `NotAllowed`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.classroom.classdb import ClassSetError, ClassSetFile, default_path
from digitlab.classroom.classset import NotAllowed, Who, clean_text
from digitlab.text import N_

JOINED, DRAWING, ANSWERED = "joined", "drawing", "answered"
STATES = (JOINED, DRAWING, ANSWERED)
AWAY_S = 30.0  # seconds without a heartbeat before a student counts as away (a closed tab)
MAX_STUDENTS = 500  # a class is ~30; this stops a script filling the roster

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS live_students (
        sid TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'joined' CHECK (state IN ('joined', 'drawing', 'answered')),
        joined REAL NOT NULL,
        seen REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS live_class (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
)


@dataclass(frozen=True)
class Student:
    """One line of the roster."""

    sid: str  # the session's random id (never shown)
    name: str  # what the student typed ('' until they have)
    state: str  # JOINED, DRAWING or ANSWERED
    joined: float
    seen: float  # time.time() of the last heartbeat

    def away(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) - self.seen > AWAY_S


@dataclass(frozen=True)
class Drawing:
    """A student's drawing as the model read it: the 28x28 image it was given, its answer and
    how sure it was, and the model itself (kept by reference: a fit is never modified), so
    "Why this answer" explains the very model that answered."""

    image28: np.ndarray  # (28, 28) uint8, the prepared drawing
    digit: int
    proba: np.ndarray  # (10,)
    fit: Any  # the FitResult that answered
    prepared: Any = None  # the preprocess.Prepared it came from (for "Why this answer")
    at: float = 0.0


@dataclass(frozen=True)
class Spotlight:
    """The drawing on the projector: whose it was is not kept."""

    drawing: Drawing
    at: float


def _teacher(who: Who, what: str) -> None:
    if not who.teacher:
        raise NotAllowed(what)


class Live:
    """The live class, one for the whole server (every session's thread): the roster and
    the pause flag in SQLite, the drawings in memory, all under one lock."""

    def __init__(self, path: str | Path | None = None, timeout: float = 10.0):
        self._file = ClassSetFile(Path(path) if path is not None else default_path(), timeout)
        self._lock = threading.Lock()
        self._ready = False
        self._paused: bool | None = None  # the file's value, read once
        self._latest: dict[str, Drawing] = {}
        self._spotlight: Spotlight | None = None
        # written behind the pages: sid -> (state, or None to keep it; time.time() seen)
        self._behind: dict[str, tuple[str | None, float]] = {}
        self._writer_running = False  # a writer thread is at work on `_behind`
        self._writing = threading.Lock()  # batches are written one at a time, in order

    def _tables(self) -> None:
        if not self._ready:
            with self._file.transaction() as conn:
                for statement in _SCHEMA:
                    conn.execute(statement)
            self._ready = True

    # --- students (their own sessions) ---------------------------------------------------------

    def join(self, sid: str, name: str = "") -> None:
        """A student's page is open: on the roster at once (as JOINED), with `name` when given
        (a later join with a name renames, keeping the state)."""
        name = clean_text(name)
        now = time.time()
        self._tables()
        with self._file.transaction() as conn:
            if conn.execute("SELECT 1 FROM live_students WHERE sid = ?", (sid,)).fetchone():
                conn.execute("UPDATE live_students SET seen = ?" + (", name = ?" if name else "")
                             + " WHERE sid = ?", (now, name, sid) if name else (now, sid))
                return
            if conn.execute("SELECT count(*) FROM live_students").fetchone()[0] >= MAX_STUDENTS:
                return  # a full roster: the page still works, the student is not listed
            conn.execute("INSERT INTO live_students (sid, name, state, joined, seen) "
                         "VALUES (?, ?, ?, ?, ?)", (sid, name, JOINED, now, now))

    def name_of(self, sid: str) -> str:
        """The name the student with this id gave ('' if none, or not on the roster): their
        own, for their page after a reload."""
        self._tables()
        rows = self._file._read("SELECT name FROM live_students WHERE sid = ?", (sid,))
        return rows[0][0] if rows else ""

    def heartbeat(self, sid: str) -> None:
        """The student's page is still open (its push asks every second; the page writes this
        every few seconds). Written behind the page."""
        self._later(sid, None)

    def mark(self, sid: str, state: str) -> None:
        """The student is now `state` (DRAWING when they draw: written behind the page; the
        questions' page calls mark(sid, ANSWERED) when an answer is locked in: written at
        once). A session not on the roster (the teacher's) is left off it."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        self._later(sid, state)
        if state != DRAWING:
            self.flush()

    def leave(self, sid: str) -> None:
        """Off the roster, with their latest drawing (the teacher's own session, once unlocked)."""
        self._tables()
        with self._writing:
            with self._lock:
                self._behind.pop(sid, None)
            with self._file.transaction() as conn:
                conn.execute("DELETE FROM live_students WHERE sid = ?", (sid,))
        with self._lock:
            self._latest.pop(sid, None)

    # --- written behind the pages ----------------------------------------------------------

    def _later(self, sid: str, state: str | None) -> None:
        """Keep the line for the writer thread (started if none runs): a later line of the
        same student replaces an earlier one, keeping its state unless it gives one."""
        self._tables()
        with self._lock:
            earlier = self._behind.get(sid)
            if state is None and earlier is not None:
                state = earlier[0]
            self._behind[sid] = (state, time.time())
            if self._writer_running:
                return
            self._writer_running = True
        try:
            threading.Thread(target=self._write_behind, name="digitlab-roster",
                             daemon=True).start()
        except RuntimeError:  # no thread to be had (the process at its limit): write it now
            with self._lock:
                self._writer_running = False
            self.flush()

    def _write_behind(self) -> None:
        """The writer thread: what waits, in batches, until nothing does."""
        while True:
            with self._lock:
                if not self._behind:
                    self._writer_running = False
                    return
            self.flush()

    def flush(self) -> None:
        """Write what waits now, in one transaction (in the caller's thread). A file that
        cannot be written drops it: the next heartbeat, seconds later, says the same."""
        with self._writing:
            with self._lock:
                batch, self._behind = self._behind, {}
            if not batch:
                return
            with contextlib.suppress(ClassSetError):
                with self._file.transaction(durable=False) as conn:
                    conn.executemany("UPDATE live_students SET state = coalesce(?, state), "
                                     "seen = ? WHERE sid = ?",
                                     [(state, seen, sid) for sid, (state, seen) in batch.items()])

    def drew(self, sid: str, drawing: Drawing) -> None:
        """The student's latest drawing (in memory only), and their state DRAWING."""
        with self._lock:
            self._latest[sid] = drawing
        self.mark(sid, DRAWING)

    def has_drawing(self, sid: str) -> bool:
        with self._lock:
            return sid in self._latest

    # --- the pause (every page reads it; the teacher sets it) ----------------------------------

    def paused(self) -> bool:
        """Whether the class is paused: from memory after the first read (no SQL)."""
        if self._paused is None:
            self._tables()
            rows = self._file._read("SELECT value FROM live_class WHERE key = 'paused'")
            with self._lock:
                if self._paused is None:
                    self._paused = bool(rows) and rows[0][0] == "1"
        return bool(self._paused)

    def pause(self, who: Who) -> None:
        _teacher(who, N_("Only the teacher can pause the class."))
        self._set_paused(True)

    def resume(self, who: Who) -> None:
        _teacher(who, N_("Only the teacher can resume the class."))
        self._set_paused(False)

    def _set_paused(self, on: bool) -> None:
        self._tables()
        with self._lock:
            with self._file.transaction() as conn:
                conn.execute("INSERT OR REPLACE INTO live_class (key, value) VALUES "
                             "('paused', ?)", ("1" if on else "0",))
            self._paused = on

    # --- the teacher's view --------------------------------------------------------------------

    def roster(self, who: Who) -> list[Student]:
        """Everyone on the roster, in the order they joined."""
        _teacher(who, N_("Only the teacher can see who is in the class."))
        self._tables()
        self.flush()  # what the pages wrote behind them, first
        return [Student(*row) for row in self._file._read(
            "SELECT sid, name, state, joined, seen FROM live_students ORDER BY joined, sid")]

    def spotlight(self, sid: str, who: Who) -> bool:
        """Put the student's latest drawing in the spotlight (a copy: their next drawing does
        not change it). False when they have drawn nothing yet."""
        _teacher(who, N_("Only the teacher can put a drawing in the spotlight."))
        with self._lock:
            drawing = self._latest.get(sid)
            if drawing is None:
                return False
            self._spotlight = Spotlight(drawing, time.time())
            return True

    def spotlit(self, who: Who) -> Spotlight | None:
        _teacher(who, N_("Only the teacher can see the spotlight."))
        with self._lock:
            return self._spotlight

    def end_spotlight(self, who: Who) -> None:
        _teacher(who, N_("Only the teacher can end the spotlight."))
        with self._lock:
            self._spotlight = None

    def clear(self, who: Who) -> None:
        """A new lesson: the roster, the drawings, the spotlight and the pause are gone."""
        _teacher(who, N_("Only the teacher can clear the class."))
        self._tables()
        with self._writing, self._lock:
            self._behind.clear()
            with self._file.transaction() as conn:
                conn.execute("DELETE FROM live_students")
                conn.execute("DELETE FROM live_class")
            self._latest.clear()
            self._spotlight = None
            self._paused = False
        self._file.wipe()
