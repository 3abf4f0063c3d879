"""Short lesson links: a code stands for a long query, the same query always gets the same
code, the codes outlive the store (a restarted server) and a code never made resolves to None."""

from __future__ import annotations

import threading

from digitlab.lab import links, shortlinks
from digitlab.lab.shortlinks import ShortLinks

QUERY = "C=0.05&solver=saga&l1_ratio=0.5&lock=solver&hide=tol,seed&lang=es"


def test_a_code_is_short_readable_and_the_same_for_the_same_query(tmp_path):
    store = ShortLinks(tmp_path / "links.json")
    code = store.shorten(QUERY)
    assert shortlinks.is_code(code) and len(code) == shortlinks.LENGTH
    assert not set(code) & set("01lio")  # nothing a reader can mix up
    assert store.shorten(QUERY) == code and store.resolve(code) == QUERY
    assert store.shorten(QUERY + "&seed=1") != code
    assert store.resolve(code.upper()) == QUERY  # typed in capitals from a projector


def test_codes_outlive_the_store_and_unknown_codes_resolve_to_none(tmp_path):
    path = tmp_path / "links.json"
    code = ShortLinks(path).shorten(QUERY)
    again = ShortLinks(path)  # a restarted server reads its file
    assert again.resolve(code) == QUERY
    assert again.resolve("zzzzzzzz") is None and again.resolve("") is None
    path.write_text("{not json")  # a damaged file: old codes are gone, new ones work
    damaged = ShortLinks(path)
    assert damaged.resolve(code) is None
    assert damaged.resolve(damaged.shorten(QUERY)) == QUERY


def test_a_taken_code_moves_to_the_next_one(tmp_path, monkeypatch):
    store = ShortLinks(tmp_path / "links.json")
    real = shortlinks.code_of
    monkeypatch.setattr(shortlinks, "code_of",
                        lambda query, salt=0: "abcdefgh" if salt == 0 else real(query, salt))
    first, second = store.shorten("C=1"), store.shorten("C=2")
    assert first == "abcdefgh" and second != first
    assert store.resolve(first) == "C=1" and store.resolve(second) == "C=2"


def test_the_store_keeps_the_newest_links_only(tmp_path, monkeypatch):
    monkeypatch.setattr(shortlinks, "KEEP", 5)
    store = ShortLinks(tmp_path / "links.json")
    codes = [store.shorten(f"C={i}") for i in range(8)]
    assert [store.resolve(c) for c in codes[:3]] == [None] * 3
    assert [store.resolve(c) for c in codes[3:]] == [f"C={i}" for i in range(3, 8)]


def test_a_short_link_reads_back_to_the_long_links_lesson(tmp_path):
    config = links.DEFAULTS.replace(C=0.05, max_iter=7)
    long_link = links.url("http://h:8501/train", config, locked=("max_iter",))
    query = long_link.partition("?")[2]
    store = ShortLinks(tmp_path / "links.json")
    from urllib.parse import parse_qsl
    read = links.read(dict(parse_qsl(store.resolve(store.shorten(query)))))
    assert read.config() == config and read.lesson.locked == ("max_iter",)


def test_sessions_shortening_at_once_agree(tmp_path):
    store = ShortLinks(tmp_path / "links.json")
    codes: list[str] = []
    threads = [threading.Thread(target=lambda i=i: codes.append(store.shorten(f"C={i % 3}")))
               for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(codes)) == 3
    assert {ShortLinks(tmp_path / "links.json").resolve(c) for c in codes} == {"C=0", "C=1",
                                                                               "C=2"}
