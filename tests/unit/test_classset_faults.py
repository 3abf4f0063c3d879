"""The class set's SQLite file under faults: locked by another writer (the save waits, then
says so), damaged (found when opened and reported), on a full or read-only disk (a sentence,
and no partial record). The app running without it: tests/app/test_classroom_pages.py."""

from __future__ import annotations

import sqlite3
import threading
import time

import numpy as np
import pytest

from digitlab.classroom.classset import ClassSet, ClassSetError

pytestmark = pytest.mark.fault


def digits(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 784), dtype=np.uint8)


@pytest.fixture
def filled(tmp_path) -> ClassSet:
    store = ClassSet(tmp_path / "class.sqlite3", timeout=1.0)
    store.add_many(digits(200), np.arange(200) % 10)
    return store


def hold_write_lock(path, seconds: float) -> threading.Thread:
    """Another writer (a teacher's import, say) holds the write lock for `seconds`."""
    taken = threading.Event()

    def hold():
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    th = threading.Thread(target=hold)
    th.start()
    taken.wait(5)
    return th


def test_a_locked_set_waits_for_the_other_writer(filled, ledger):
    holder = hold_write_lock(filled.path, 0.5)
    ledger.fault()
    t0 = time.monotonic()
    saved = filled.save(digits(1, seed=9)[0], 3)
    waited = time.monotonic() - t0
    holder.join()
    assert saved.how == "saved" and waited >= 0.4  # it waited instead of failing
    ledger.records(expected=201, found=filled.count())


def test_a_set_locked_too_long_is_a_sentence_and_nothing_is_half_saved(filled, ledger):
    before = filled.arrays()
    holder = hold_write_lock(filled.path, 3.0)
    ledger.fault()
    t0 = time.monotonic()
    _, exc = ledger.result_or_sentence(filled.add_many, digits(50, seed=5), np.arange(50) % 10,
                                       sentence=ClassSetError)
    waited = time.monotonic() - t0
    holder.join()
    assert exc is not None and "busy" in str(exc) and "Try again" in str(exc)
    assert waited >= filled.timeout * 0.9  # it waited its timeout first
    after = filled.arrays()
    assert np.array_equal(after[0], before[0]) and np.array_equal(after[1], before[1])
    ledger.records(expected=200, found=len(after[1]))


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_a_damaged_file_is_found_when_opened_and_said(filled, where, ledger):
    raw = bytearray(filled.path.read_bytes())
    page = 4096
    at = {"header": 16, "middle": (len(raw) // page // 2) * page, "end": len(raw) - page}[where]
    raw[at:at + 512] = b"\xa5" * 512  # a disk error, or a copy cut short and patched
    filled.path.write_bytes(bytes(raw))
    ledger.fault()
    fresh = ClassSet(filled.path)  # a server starting on it
    _, exc = ledger.result_or_sentence(fresh.count, sentence=ClassSetError)
    assert exc is not None and "damaged" in str(exc)
    assert "Move it away" in str(exc) and str(filled.path.parent) not in str(exc)


class FullDisk(ClassSet):
    """A class set on a disk with no room for more than `pages` pages (SQLite's own
    max_page_count: the same SQLITE_FULL error a full disk gives)."""

    pages = 0

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        conn.execute(f"PRAGMA max_page_count = {self.pages}")
        return conn


def test_a_full_disk_is_a_sentence_and_leaves_no_partial_record(filled, ledger):
    full = FullDisk(filled.path)
    full.pages = sqlite3.connect(filled.path).execute("PRAGMA page_count").fetchone()[0] + 2
    before = filled.arrays()
    ledger.fault()
    # an import much larger than the room left: all of it or none of it
    _, exc = ledger.result_or_sentence(full.add_many, digits(500, seed=7), np.arange(500) % 10,
                                       sentence=ClassSetError)
    assert exc is not None and "disk holding the class set is full" in str(exc)
    # then single saves until the disk is full: each is whole or refused
    said = None
    for i in range(400):
        _, said = ledger.result_or_sentence(full.save, digits(1, seed=1000 + i)[0], i % 10,
                                            sentence=ClassSetError)
        if said is not None:
            break
    assert said is not None and "full" in str(said)
    X, y = filled.arrays()
    assert np.array_equal(X[:200], before[0]) and len(X) == 200 + i
    assert sqlite3.connect(filled.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ledger.records(expected=200 + i, found=len(y))


def test_a_read_only_disk_is_a_sentence_and_leaves_no_partial_record(filled, ledger):
    # SQLite's own read-only error (a read-only mount; chmod would not stop root in CI)
    class ReadOnly(ClassSet):
        def _connect(self):
            return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)

    ro = ReadOnly(filled.path)
    ledger.fault()
    for attempt in (lambda: ro.save(digits(1, seed=3)[0], 1),
                    lambda: ro.add_many(digits(20, seed=4), np.arange(20) % 10),
                    lambda: ro.delete([1, 2, 3])):
        _, exc = ledger.result_or_sentence(attempt, sentence=ClassSetError)
        assert exc is not None and "read-only" in str(exc)
    assert ro.count() == 200  # reading still works
    ledger.records(expected=200, found=filled.count())
