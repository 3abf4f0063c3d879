"""digitlab.text: a library sentence stays English for the CLI and is translated, numbers and
all, where a page shows it; numbers follow each language's conventions (Babel's CLDR data)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from digitlab.model.config import ConfigError, TrainConfig
from digitlab.text import N_, LocalFormatter, Message, message_of


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
