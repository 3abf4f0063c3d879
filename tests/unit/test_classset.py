"""The class set's SQLite store: what a save keeps, double saves, relabelling, delete and undo,
filters, the stump board, imports in one transaction, writers killed mid-write, writers at once,
and the sentences for files it cannot use."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from digitlab.classroom import classdb, classset
from digitlab.classroom.classset import ClassSet, ClassSetError, Filter
from digitlab.data.images import picture_png

ROOT = Path(__file__).resolve().parents[2]


def digit(seed: int) -> np.ndarray:
    """A distinct 28x28 'drawing' per seed."""
    return np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)


@pytest.fixture
def store(tmp_path) -> ClassSet:
    return ClassSet(tmp_path / "class.sqlite3")


def test_a_saved_drawing_comes_back_whole(store):
    png = picture_png(np.zeros((280, 280, 4), np.uint8))
    saved = store.save(digit(1), 7, answer=1, confidence=0.93, png=png, name=" Ana\x00 ",
                       group="5b", model="digitlab-fast, C=1")
    assert saved.how == "saved"
    (r,) = store.records()
    assert (r.id, r.label, r.answer, r.confidence, r.name, r.group) == (saved.id, 7, 1, 0.93,
                                                                        "Ana", "5b")
    assert r.fooled and np.array_equal(r.image28, digit(1).ravel())
    assert store.png(r.id) == png and png.startswith(b"\x89PNG")


def test_a_double_click_stores_once_and_a_new_label_corrects_it(store):
    first = store.save(digit(1), 7, answer=1)
    assert store.save(digit(1), 7, answer=1) == classset.Saved(first.id, "already")
    assert store.save(digit(1), 9, answer=1).how == "relabelled"
    (r,) = store.records()
    assert r.label == 9 and store.count() == 1


def test_two_students_identical_drawings_are_two_records_and_a_double_click_one(store):
    plain_one = np.zeros((28, 28), np.uint8)
    plain_one[4:24, 13:15] = 255  # a straight stroke: after centring, every student's is this
    first = store.save(plain_one, 1, answer=1, name="Ana", author="session-a")
    assert store.save(plain_one, 1, answer=1, name="Ana", author="session-a") == \
        classset.Saved(first.id, "already")  # the same student's double click
    second = store.save(plain_one, 1, answer=7, name="Ben", author="session-b")
    assert second.how == "saved" and second.id != first.id
    records = store.records()
    assert {(r.name, r.author) for r in records} == {("Ana", "session-a"), ("Ben", "session-b")}
    assert store.count() == 2 and len(store.arrays()[1]) == 2  # both train and are scored
    assert [r.id for r in store.fooled_board()] == [second.id]  # Ben's fooled the model
    # one student relabelling their drawing leaves the other's alone
    assert store.save(plain_one, 4, author="session-b").how == "relabelled"
    assert sorted(r.label for r in store.records()) == [1, 4]


def test_a_class_set_from_before_authors_keeps_its_records_and_takes_new_ones(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)  # version 1's table, as that DigitLab made it
    conn.executescript("""
        CREATE TABLE digits (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,
            created REAL NOT NULL, label INTEGER NOT NULL, answer INTEGER, confidence REAL,
            name TEXT NOT NULL DEFAULT '', grp TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '', image28 BLOB NOT NULL, png BLOB, deleted REAL);
        PRAGMA application_id = 1145523266; PRAGMA user_version = 1;""")
    conn.execute("INSERT INTO digits (uid, created, label, name, image28) VALUES (?, 0, 3, "
                 "'Old', ?)", (classset.digit_uid(digit(3).ravel()), digit(3).tobytes()))
    conn.commit()
    conn.close()
    store = ClassSet(path)
    (old,) = store.records()
    assert (old.label, old.name, old.author) == (3, "Old", "")
    assert store.save(digit(3), 3).how == "already"  # an authorless save finds it as before
    assert store.save(digit(3), 3, author="session-a").how == "saved"  # a student's is new
    assert store.count() == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == \
        classdb.SCHEMA_VERSION


def test_delete_removes_a_digit_and_undo_puts_it_back_as_a_new_record(store):
    ids = [store.save(digit(i), i % 10, name="Ana").id for i in range(3)]
    gone = store.delete([ids[0]])
    assert [g.record.id for g in gone] == [ids[0]] and store.delete([ids[0]]) == []
    assert store.count() == 2 and ids[0] not in [r.id for r in store.records()]
    X, y = store.arrays()
    assert len(y) == 2
    (back,) = store.put_back(gone)
    assert store.count() == 3
    (r,) = store.records(Filter(label=0))
    assert (r.id, r.name, r.created) == (back, "Ana", gone[0].record.created)
    assert np.array_equal(r.image28, digit(0).ravel())


def test_filters_by_label_group_and_fooled(store):
    store.save(digit(1), 7, answer=1, group="a")
    store.save(digit(2), 7, answer=7, group="b")
    store.save(digit(3), 3, answer=None, group="a")  # imported: no answer, not fooled
    assert store.count(Filter(label=7)) == 2
    assert store.count(Filter(group="a")) == 2
    assert store.count(Filter(fooled=True)) == 1
    assert store.count(Filter(fooled=False)) == 2
    assert store.count(Filter(label=7, group="b", fooled=False)) == 1
    assert store.groups() == ["a", "b"]


def test_the_board_lists_the_most_confident_mistakes_first(store):
    store.save(digit(1), 7, answer=1, confidence=0.6)
    store.save(digit(2), 4, answer=9, confidence=0.99)
    store.save(digit(3), 3, answer=3, confidence=1.0)  # right: not on the board
    assert [(r.label, r.answer) for r in store.fooled_board()] == [(4, 9), (7, 1)]


def test_records_page_newest_first_and_arrays_oldest_first(store):
    for i in range(5):
        store.save(digit(i), i)
    assert [r.label for r in store.records(limit=2, offset=1)] == [3, 2]
    X, y = store.arrays()
    assert X.shape == (5, 784) and X.dtype == np.uint8 and list(y) == [0, 1, 2, 3, 4]


def test_an_import_is_one_transaction_and_skips_what_is_there(store):
    store.save(digit(0), 0)
    X = np.stack([digit(i).ravel() for i in range(4)])
    assert store.add_many(X, [0, 1, 2, 3], ["x"] * 4, ["g"] * 4) == (3, 1)
    assert store.count() == 4
    with pytest.raises(ValueError):  # label 12: the whole import is refused
        store.add_many(np.stack([digit(10 + i).ravel() for i in range(3)]), [1, 12, 2])
    assert store.count() == 4


def test_the_set_has_a_ceiling(store, monkeypatch):
    monkeypatch.setattr(classset, "MAX_DIGITS", 2)
    store.save(digit(0), 0)
    store.save(digit(1), 1)
    with pytest.raises(ClassSetError, match="full"):
        store.save(digit(2), 2)


def test_the_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DB", str(tmp_path / "elsewhere.db"))
    assert ClassSet().path == tmp_path / "elsewhere.db"
    monkeypatch.delenv("DIGITLAB_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert ClassSet().path == tmp_path / "data" / "digitlab" / "classset.sqlite3"


def test_a_file_that_is_not_a_class_set_is_refused_with_a_sentence(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database, just text " * 100)
    with pytest.raises(ClassSetError, match="damaged or is not a DigitLab class set"):
        ClassSet(junk).count()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ClassSetError, match="not a DigitLab class set"):
        ClassSet(other).save(digit(0), 0)


def test_a_busy_set_says_so(tmp_path):
    store = ClassSet(tmp_path / "c.sqlite3", timeout=0.2)
    store.count()  # created
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(ClassSetError, match="busy"):
            store.save(digit(0), 0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_set_says_why_it_cannot_be_written(tmp_path):
    # SQLite's own error for a read-only file, made with a read-only connection (chmod would
    # not stop root, who runs these tests in CI containers)
    store = ClassSet(tmp_path / "c.sqlite3")
    store.save(digit(0), 0)
    ro = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    with pytest.raises(ClassSetError, match="read-only"), classdb._sentences(store.path):
        ro.execute("UPDATE digits SET label = 1")
    ro.close()
    if os.geteuid() != 0:  # and the real thing, where permissions bind
        os.chmod(store.path, 0o444)
        try:
            with pytest.raises(ClassSetError, match="read-only"):
                ClassSet(store.path).save(digit(1), 1)
        finally:
            os.chmod(store.path, 0o644)


def test_a_new_set_lets_readers_and_writers_pass_each_other(store):
    store.count()
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.fault
def test_many_threads_saving_at_once_lose_nothing(store, ledger):
    # the store is new: the threads also race to create it (that once lost a save: fixed)
    errors = []

    def work(t: int) -> None:
        try:
            for i in range(20):
                store.save(digit(1000 * t + i), i % 10, answer=(i + 1) % 10)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    ledger.sessions(8)
    ledger.records(expected=160, found=store.count())
    assert errors == [] and store.count() == 160


def _child(code: str, *args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                            stdout=subprocess.PIPE, text=True, **kw)


WRITER = """
    import sys, numpy as np
    from digitlab.classroom.classset import ClassSet
    store, first = ClassSet(sys.argv[1]), int(sys.argv[2])
    for i in range(first, first + int(sys.argv[3])):
        image = np.random.default_rng(i).integers(0, 256, 784, dtype=np.uint8)
        store.save(image, i % 10, answer=(i * 7) % 10, confidence=0.5, png=b"x" * 5000)
        print(i, flush=True)
"""


@pytest.mark.fault
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_two_writer_processes_at_once_store_everything(store, ledger):
    store.count()  # create the file first, as the app does
    procs = [_child(WRITER, str(store.path), str(first), "150") for first in (0, 10_000)]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0 and len(out.split()) == 150
    ledger.sessions(2)
    ledger.records(expected=300, found=store.count())
    assert store.count() == 300
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.fault
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_writer_killed_mid_import_leaves_no_partial_record(store, ledger):
    # The import's rows are hashed one by one inside its transaction; the child slows the
    # hashing from row 500 on and is killed there, half way through writing.
    code = """
        import sys, time, numpy as np
        from digitlab.classroom import classset
        real = classset.digit_uid
        seen = [0]
        def slow(pixels):
            seen[0] += 1
            if seen[0] == 500:
                print("half way", flush=True)
                time.sleep(60)
            return real(pixels)
        classset.digit_uid = slow
        X = np.random.default_rng(0).integers(0, 256, (1000, 784), dtype=np.uint8)
        classset.ClassSet(sys.argv[1]).add_many(X, np.arange(1000) % 10)
        print("done", flush=True)
    """
    store.save(digit(1), 1)
    child = _child(code, str(store.path))
    assert child.stdout.readline().strip() == "half way"
    child.send_signal(signal.SIGKILL)
    ledger.fault()
    child.wait(10)
    ledger.records(expected=1, found=store.count(), torn=max(store.count() - 1, 0))
    assert store.count() == 1  # the one saved before; none of the import
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.add_many(np.stack([digit(i).ravel() for i in range(2, 5)]), [2, 3, 4]) == (3, 0)


@pytest.mark.fault
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_writer_killed_while_saving_leaves_whole_records(store, ledger):
    store.count()
    child = _child(WRITER, str(store.path), "0", "100000")
    acknowledged = [child.stdout.readline() for _ in range(40)]
    child.send_signal(signal.SIGKILL)
    ledger.fault()
    child.wait(10)
    n = store.count()
    ledger.records(expected=len(acknowledged), found=n)
    assert n >= len(acknowledged)  # every save it reported is there (and perhaps the next)
    for r in store.records():  # the only writer: record k holds the writer's drawing k - 1
        i = r.id - 1
        assert r.label == i % 10 and r.answer == (i * 7) % 10 and len(store.png(r.id)) == 5000
        assert np.array_equal(r.image28, np.random.default_rng(i).integers(0, 256, 784,
                                                                           dtype=np.uint8))
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
