"""digitlab.text: a library sentence stays English for the CLI and is translated, numbers and
all, where a page shows it; numbers follow each language's conventions (Babel's CLDR data)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from digitlab.model.config import ConfigError, TrainConfig
from digitlab.text import N_, LocalFormatter, Message, from_json, join, message_of, to_json


@pytest.mark.parametrize(("lang", "accuracy", "share", "count"), [
    ("en", "0.922", "92.2%", "59,500"),
    ("fr", "0,922", "92,2\u00a0%", "59\u202f500"),
    ("es", "0,922", "92,2\u00a0%", "59.500"),
])
def test_numbers_are_written_the_languages_way(lang, accuracy, share, count):
    f = LocalFormatter(lang)
    assert f.number(0.9221, ".3f") == accuracy
    assert f.number(np.float32(0.922), ".1%") == share
    assert f.number(59_500, ",") == count
    assert f.format("{a:+.1f}", a=-1.25).startswith("-1")


def test_a_message_is_its_english_sentence_and_keeps_its_template():
    m = N_("max_iter must be at most {high:,}; got {got!r}.", high=2**31 - 1, got=5.0)
    assert isinstance(m, str) and m == "max_iter must be at most 2,147,483,647; got 5.0."
    assert m.msgid.startswith("max_iter must be at most {high:,}")
    french = {m.msgid: "max_iter doit valoir au plus {high:,} ; reçu : {got!r}."}
    assert m.translate(lambda s: french.get(s, s), LocalFormatter("fr")) == (
        "max_iter doit valoir au plus 2\u202f147\u202f483\u202f647 ; reçu : 5.0.")
    assert pickle.loads(pickle.dumps(m)).msgid == m.msgid


def test_a_config_refusal_carries_its_message():
    with pytest.raises(ConfigError) as info:
        TrainConfig(C=-1)
    text = message_of(info.value)
    assert isinstance(text, Message) and text.msgid.startswith("C must be a positive number")
    assert str(info.value) == text  # the CLI's sentence, unchanged


def test_a_message_crosses_a_json_line_and_can_still_be_translated():
    """A child process answers in JSON: its notes and refusals arrive as Messages again."""
    m = N_("Warm start: began from the earlier model ({solver}, C={C:g}).", solver="saga", C=0.5)
    back = from_json(json.loads(json.dumps(to_json(m))))
    assert isinstance(back, Message) and back == m and back.msgid == m.msgid
    assert from_json(to_json("plain")) == "plain"
    french = {m.msgid: "Départ à chaud : à partir du modèle précédent ({solver}, C={C:g})."}
    assert back.translate(lambda s: french.get(s, s), LocalFormatter("fr")).endswith("C=0,5).")


def test_joined_messages_translate_each_part_and_keep_the_separator():
    parts = [N_("deskew"), "rbf", N_("tol {tol:g}", tol=1e-6)]
    joined = join(parts)
    assert joined == "deskew, rbf, tol 1e-06"
    spanish = {"deskew": "enderezado", "tol {tol:g}": "tol {tol:g}"}
    assert joined.translate(lambda s: spanish.get(s, s)) == "enderezado, rbf, tol 1e-06"
    assert join(["a", "b"], "; ") == "a; b" and not isinstance(join(["a", "b"]), Message)
