"""Children's data on disk: a deleted or purged drawing's bytes are found nowhere in the class
set's file or its write-ahead log, old records go at start-up, only the teacher may delete
others' drawings, purge or change collection, and `classset purge` asks for --yes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from digitlab.classroom import privacy
from digitlab.classroom.classset import DAY, TEACHER, ClassSet, ClassSetError, NotAllowed, Who
from digitlab.cli import main

# 784 bytes no drawing or SQLite page would hold by chance, and a PNG body the same
MARK = np.frombuffer(b"H4-ERASE" * 98, np.uint8)
PNG = b"\x89PNG" + b"PNG-ERASE-ME" * 900  # large: it spills onto overflow pages


def digit(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, 784, dtype=np.uint8)


def on_disk(path: Path) -> bytes:
    """The file and its -wal and -journal, as raw bytes."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
                    if p.exists())


@pytest.fixture
def store(tmp_path) -> ClassSet:
    s = ClassSet(tmp_path / "class.sqlite3")
    for i in range(20):
        s.save(digit(i), i % 10, author="other")
    return s


@pytest.fixture
def reader(store):
    """Another session's connection, open throughout, as on a server: SQLite then cannot drop
    the write-ahead log on close, which is where deleted pixels would linger."""
    conn = sqlite3.connect(store.path)
    conn.execute("SELECT count(*) FROM digits").fetchone()
    yield conn
    conn.close()


def test_the_file_uses_wal_so_the_log_is_checked_too(store, reader):
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_deleted_drawing_is_nowhere_in_the_file_or_its_log(store, reader):
    id_ = store.save(MARK, 7, png=PNG, author="ana").id
    assert on_disk(store.path).count(b"H4-ERASE") >= 98  # the test can see it while kept
    assert b"PNG-ERASE-ME" in on_disk(store.path)
    (gone,) = store.delete([id_], Who("ana"))
    assert gone.png == PNG and np.array_equal(gone.record.image28, MARK)
    data = on_disk(store.path)
    assert b"H4-ERASE" not in data and b"PNG-ERASE-ME" not in data
    assert store.count() == 20  # the others are untouched


def test_undo_writes_it_back_and_a_second_delete_erases_it_again(store, reader):
    id_ = store.save(MARK, 7, png=PNG, author="ana").id
    (new,) = store.put_back(store.delete([id_]))
    assert store.png(new) == PNG and store.count() == 21
    store.delete([new])
    assert b"H4-ERASE" not in on_disk(store.path)


def test_purge_leaves_no_drawing_and_a_small_file(store, reader):
    store.save(MARK, 7, png=PNG, author="ana")
    assert store.purge(TEACHER) == 21 and store.count() == 0
    data = on_disk(store.path)
    assert b"H4-ERASE" not in data and b"PNG-ERASE-ME" not in data
    assert not any(digit(i).tobytes()[:64] in data for i in range(20))
    assert store.save(digit(1), 1).how == "saved"  # the emptied set still works


def test_old_records_expire_for_good(store, reader):
    old = store.save(MARK, 7, png=PNG, author="ana").id
    with sqlite3.connect(store.path) as conn:  # saved 31 days ago
        conn.execute("UPDATE digits SET created = created - ? WHERE id = ?", (31 * DAY, old))
    conn.close()
    assert store.expire(30) == 1 and store.count() == 20
    assert b"H4-ERASE" not in on_disk(store.path)
    assert store.expire(30) == 0


def test_a_student_may_delete_only_their_own(store):
    mine = store.save(MARK, 7, author="ana").id
    theirs = store.records()[-1].id
    with pytest.raises(NotAllowed, match="Only the teacher"):
        store.delete([mine, theirs], Who("ana"))
    with pytest.raises(NotAllowed):  # no author id: nothing is anyone's
        store.delete([theirs], Who(""))
    assert store.count() == 21  # the refused call deleted nothing
    assert len(store.delete([mine], Who("ana"))) == 1
    assert len(store.delete([theirs], TEACHER)) == 1


def test_only_the_teacher_may_purge_or_change_collection(store):
    with pytest.raises(NotAllowed, match="Only the teacher"):
        store.purge(Who("ana"))
    assert store.count() == 20
    setting = privacy.Collection("consent")
    with pytest.raises(NotAllowed, match="Only the teacher"):
        setting.change("none", Who("ana"))
    assert setting.asks_consent
    setting.change("none", TEACHER)
    assert setting.value == "none"


@pytest.mark.parametrize("bad", ["always", "", "yes please"])
def test_a_bad_collection_setting_is_a_sentence(bad):
    if not bad:
        assert privacy.collect_choice(bad) == "consent"  # unset: ask for consent
        return
    with pytest.raises(ClassSetError, match="'consent' or 'none'"):
        privacy.collect_choice(bad)


@pytest.mark.parametrize("bad", ["0", "-3", "ten", "1.5", "99999"])
def test_a_bad_retention_is_a_sentence(bad):
    with pytest.raises(ClassSetError, match="whole number from 1"):
        privacy.keep_days(bad)
    assert privacy.keep_days(None) == privacy.KEEP_DAYS == 30 and privacy.keep_days(" 7 ") == 7


def test_cli_purge_refuses_without_yes_and_works_with_it(store, monkeypatch, capsys):
    monkeypatch.setenv("DIGITLAB_DB", str(store.path))
    store.save(MARK, 7, png=PNG, author="ana")
    assert main(["classset", "purge"]) == 2
    said = capsys.readouterr()
    assert "--yes" in said.err and "Traceback" not in said.err and store.count() == 21
    assert main(["classset", "purge", "--yes"]) == 0
    assert "deleted 21 digits" in capsys.readouterr().out
    assert store.count() == 0 and b"H4-ERASE" not in on_disk(store.path)


def test_cli_purge_of_a_bad_file_is_a_sentence(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "not-a-set.sqlite3"
    bad.write_bytes(b"this is not SQLite" * 100)
    monkeypatch.setenv("DIGITLAB_DB", str(bad))
    assert main(["classset", "purge", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "damaged or is not a DigitLab class set" in err and "Traceback" not in err


@pytest.mark.parametrize("args, said", [(["--collect", "always"], "--collect"),
                                        (["--keep-days", "0"], "--keep-days"),
                                        (["--keep-days", "a week"], "--keep-days")])
def test_run_py_refuses_a_bad_privacy_option_with_a_sentence(args, said, capsys):
    import run  # the launcher: standard library only

    env: dict = {}
    rest = run.option(run.option([*args, "--server.port", "8641"], "--collect", env,
                                 privacy.COLLECT_ENV), "--keep-days", env, privacy.KEEP_DAYS_ENV)
    assert rest == ["--server.port", "8641"] and not run.privacy_ok(env)
    assert said in capsys.readouterr().out


def test_run_py_passes_good_privacy_options_to_the_server():
    import run

    env: dict = {}
    run.option(run.option(["--collect", "none", "--keep-days", "7"], "--collect", env,
                          privacy.COLLECT_ENV), "--keep-days", env, privacy.KEEP_DAYS_ENV)
    assert run.privacy_ok(env) and env == {privacy.COLLECT_ENV: "none",
                                           privacy.KEEP_DAYS_ENV: "7"}
    assert privacy.Collection(env[privacy.COLLECT_ENV]).value == "none"
