"""A lesson link carries the page's language (lang=es) without it being taken for a setting,
and the class address carries the class's language."""

from __future__ import annotations

from digitlab.classroom import publish
from digitlab.lab import links
from digitlab.model.config import TrainConfig


def test_a_lesson_link_carries_its_language():
    url = links.url("http://host:8501/train", TrainConfig(solver="saga"), ["solver"], (),
                    lang="es")
    assert url == "http://host:8501/train?solver=saga&lock=solver&lang=es"


def test_reading_a_link_leaves_the_language_to_the_page():
    read = links.read({"solver": "saga", "lang": "fr"})
    assert read.values == {"solver": "saga"} and read.problems == ()


def test_the_class_address_carries_the_class_language(monkeypatch):
    monkeypatch.setenv(publish.URL_ENV, "http://10.0.0.5:8501")
    assert publish.students_url() == "http://10.0.0.5:8501/draw"
    assert publish.students_url("es") == "http://10.0.0.5:8501/draw?lang=es"
