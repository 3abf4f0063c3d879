"""A class on one server: the teacher's password, the model the teacher published, which model
answers a session without one of its own, and the one-line descriptions of models that the
pages show. No Streamlit here (the app's glue is pages/panels/classroom_panel.py, and the
server-wide caches of the class model and the default model in pages/shared/state.py).

Only a session that gave the class password may publish. The password comes from the
environment of the server (`DIGITLAB_CLASS_PASSWORD`), never from a file or a URL; without it,
nobody can publish.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitlab.model.config import TrainConfig
from digitlab.text import N_
from digitlab.training import modelfile
from digitlab.training.session import Split, Trained, data_name

PASSWORD_ENV = "DIGITLAB_CLASS_PASSWORD"
MODEL_FILE = "class-model.skops"  # the published model, kept beside the class set
URL_ENV = "DIGITLAB_CLASS_URL"  # set by `run.py app --class`: the server's address
# Where students land: the page they came for. The Home page first would cost each of 30
# phones a page they do not need (and the server a script run), and a tap to find Draw.
STUDENTS_PAGE = "draw"
DEFAULT_PRESET = N_("Fast")  # the server's default model: this preset, fitted once per data set


def publishing_enabled() -> bool:
    return bool(os.environ.get(PASSWORD_ENV))


def password_ok(given: str) -> bool:
    """True if `given` is the class password (compared in constant time); always False when no
    password is set."""
    expected = os.environ.get(PASSWORD_ENV, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def class_url() -> str | None:
    """The server's address, when the app serves a class (run.py app --class)."""
    return os.environ.get(URL_ENV) or None


def students_url(lang: str | None = None) -> str | None:
    """The address students open (the QR code's): the Draw page of the class server, in the
    class's language when one is given (`?lang=es`)."""
    base = class_url()
    if base is None:
        return None
    return f"{base.rstrip('/')}/{STUDENTS_PAGE}" + (f"?lang={lang}" if lang else "")


def settings(config: TrainConfig) -> str:
    """A model's settings in a few words, e.g. "digitlab-fast, C=1, deskew"."""
    return ", ".join([config.solver, f"C={config.C:g}"] + (["deskew"] if config.deskew else []))


def describe(tr: Trained) -> str:
    """A model in a few words: its settings and its test accuracy."""
    return N_("{settings}; {accuracy:.1%} right on the {n:,} test images",
              settings=settings(tr.config), accuracy=tr.evaluation.accuracy, n=tr.evaluation.n)


@dataclass(frozen=True)
class Published:
    model: Trained
    at: float  # time.time() when it was published

    @property
    def when(self) -> str:
        return time.strftime("%H:%M", time.localtime(self.at))


class ClassModel:
    """The model the teacher published, for every session without a model of its own.

    One per server, read from every session's thread: `publish` and `withdraw` swap a
    reference under a lock, and the Trained it holds is frozen, so a reader sees either the old
    model or the new one, never a mix.

    With a `path`, the published model is also a model file there (skops, as Train's download;
    beside it `<path>.json` says when it was published and on which data), so a restarted
    server has it back: the file is read at start, and the first caller that has the data
    (`current(split_for)`) scores it on its test split again. Withdrawing deletes both files."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        self._current: Published | None = None
        self.path = Path(path) if path is not None else None
        self._waiting: tuple[dict, dict] | None = self._read()  # (model file, about it)
        self.problem: str | None = None  # why a saved class model could not be used

    def _about_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".json")

    def _read(self) -> tuple[dict, dict] | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            about = json.loads(self._about_path().read_text())
            payload = modelfile.from_bytes(self.path.read_bytes(), "The saved class model")
            modelfile.check_input(payload, int(about["side"]), "The saved class model")
            return payload, about
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.problem = str(exc)  # damaged or from another DigitLab: students get the default
            return None

    def _save(self, published: Published) -> None:
        if self.path is None:
            return
        tr = published.model
        about = {"at": published.at, "data_key": tr.data_key, "side": tr.side}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            files = ((self.path, modelfile.to_bytes(tr.fit, data_name(tr.data_key))),
                     (self._about_path(), json.dumps(about).encode()))
            for target, data in files:
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, target)  # a crash mid-write leaves the old file whole
        except OSError as exc:
            self.problem = str(exc)  # kept for this server's life only

    def publish(self, tr: Trained) -> Published:
        with self._lock:
            self._current = Published(tr, time.time())
            self._waiting = None
            self._save(self._current)
            return self._current

    def withdraw(self) -> None:
        with self._lock:
            self._current = None
            self._waiting = None
            if self.path is not None:
                for target in (self.path, self._about_path()):
                    target.unlink(missing_ok=True)

    def current(self, split_for: Callable[[TrainConfig], Split] | None = None
                ) -> Published | None:
        """The published model; a model saved before a restart comes back once a caller gives
        `split_for` (the test split of its settings, on the data on screen) to score it."""
        with self._lock:
            if self._waiting is not None and split_for is not None:
                payload, about = self._waiting
                self._waiting = None
                split = split_for(payload["config"])
                if split.data_key == about["data_key"]:
                    self._current = Published(modelfile.as_trained(payload, split),
                                              float(about["at"]))
                else:
                    self._waiting = (payload, about)  # another data set: wait for its own
            return self._current


def fallback_model(published: Published | None, data_key: str,
                   default: Callable[[], Trained]) -> tuple[Trained, str]:
    """The model that answers a session without one of its own, and a few words saying which:
    the model the teacher published when it was fitted on the data on screen (`data_key`),
    else the server's default (`default()`, the DEFAULT_PRESET fitted on that data: called
    only then, since it may have to be fitted first)."""
    if published is not None and published.model.data_key == data_key:
        return published.model, N_("the class model (published at {when})", when=published.when)
    return default(), N_("the default model (the {preset} preset)", preset=DEFAULT_PRESET)
