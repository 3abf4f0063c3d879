"""Short lesson links: `/train?l=k7wq3m9d` stands for a lesson link's long query, which the
server keeps in a small JSON file, so a link fits a slide, a QR code and a child's typing.

    store = ShortLinks(path)
    code = store.shorten("C=0.05&solver=saga&lock=solver")  # "k7wq3m9d": the same query,
    store.resolve(code)                                      # the same code, every time

A code is the first eight letters of the query's SHA-256 in an alphabet without look-alikes
(no 0/o, 1/l/i), so reading it aloud or typing it from a projector works. The file keeps the
newest `KEEP` links; a code it no longer holds (or never held: a link from another server)
resolves to None, and the page says so. The app keeps the file beside the class set
(pages/shared/state.py), so a link outlives a restart. No Streamlit here: the page glue is
pages/panels/links_panel.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

PARAM = "l"  # the short link's one query parameter: /train?l=<code>
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # 31 letters a person cannot mix up
LENGTH = 8  # 31**8 = 8.5e11 codes: a class's few dozen links never collide by chance
KEEP = 2000  # links kept in the file (newest); each is a couple of hundred bytes
FILE_NAME = "lesson-links.json"



def code_of(query: str, salt: int = 0) -> str:
    """The code of `query` (`salt` > 0 only when another query already has its code)."""
    number = int.from_bytes(hashlib.sha256(f"{salt}:{query}".encode()).digest()[:8], "big")
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def is_code(text: str) -> bool:
    return len(text) == LENGTH and all(c in ALPHABET for c in text)


class ShortLinks:
    """Codes -> queries in a JSON file (None: in memory only), shared by every session of a
    server: writes are under a lock and replace the file atomically."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._links: dict[str, str] = self._read()

    def _read(self) -> dict[str, str]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text())
            return {str(k): str(v) for k, v in raw.items() if is_code(str(k))}
        except (OSError, ValueError, AttributeError):
            return {}  # a damaged file: old short links stop working, new ones do

    def _write(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(self._links))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only folder: the links work until the server stops

    def shorten(self, query: str) -> str:
        """The code for `query` (the long link's text after "?"), kept in the store."""
        with self._lock:
            salt = 0
            while True:
                code = code_of(query, salt)
                known = self._links.get(code)
                if known is None or known == query:
                    break
                salt += 1  # another query has this code (about never): the next one
            if known is None:
                self._links[code] = query
                while len(self._links) > KEEP:  # dicts keep insertion order: oldest first
                    del self._links[next(iter(self._links))]
                self._write()
            return code

    def resolve(self, code: str) -> str | None:
        """The query a code stands for, or None when this server does not know it."""
        with self._lock:
            return self._links.get(code.strip().lower())
