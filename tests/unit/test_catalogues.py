"""The translations are complete and up to date: every sentence in the code is in the template,
every language has every sentence (no missing, no fuzzy), each keeps the English's
placeholders, and the compiled .mo files (committed, so a fresh clone runs without a build step)
say what their .po files say."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
LANGUAGES = ["es", "fr", "xx"]
FIELD = re.compile(r"\{([^{}]*)\}")


def po(lang: str):
    return read_po((LOCALES / lang / "LC_MESSAGES" / "digitlab.po").open("rb"))


def template():
    return read_po((LOCALES / "digitlab.pot").open("rb"))


def ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_the_template_holds_every_sentence_the_code_marks():
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    in_code = {msg if isinstance(msg, str) else tuple(msg)
               for _file, _line, msg, *_ in extract_from_dir(str(ROOT), method_map, options_map)}
    assert in_code == ids(template()), (
        "run the extract and update commands in the README (Translations)")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_sentence_and_none_fuzzy(lang):
    catalog = po(lang)
    assert ids(catalog) == ids(template())
    missing = [m.id for m in catalog if m.id and not (
        m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    for m in po(lang):
        if not m.id:
            continue
        english = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        fields = set(FIELD.findall(english[-1]))
        for s in strings:
            assert set(FIELD.findall(s)) == fields, (m.id, s)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_the_po_file(lang):
    mo = read_mo(io.BytesIO((LOCALES / lang / "LC_MESSAGES" / "digitlab.mo").read_bytes()))
    def table(catalog) -> dict:
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalog if m.id}

    compiled, written = table(mo), table(po(lang))
    assert compiled == written, "run the compile command in the README (Translations)"


def test_spanish_and_french_say_digit_and_model_as_a_teacher_would():
    es = {m.id: m.string for m in po("es") if m.id}
    fr = {m.id: m.string for m in po("fr") if m.id}
    assert es["Draw"] == "Dibujar" and fr["Draw"] == "Dessiner"
    assert "dígito" in es["Draw a digit on the black square with the mouse or a finger; the "
                          "model reads it when you lift the pen."]
    assert "modelo" in es["Train a model"] and "modèle" in fr["Train a model"]
    assert "chiffre" in fr["True digit"]
