"""Every page renders in every language, the pseudo-locale too, without an exception; the
language comes from ?lang=, stays for the session, and reaches the library's sentences."""

from __future__ import annotations

import pytest

from pages.shared import i18n, nav, state

from .page_utils import open_app, serve_page

LANGUAGES = ["es", "fr", i18n.PSEUDO]


def texts(at) -> str:
    """Everything the page wrote, as one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "button", "metric", "tabs", "selectbox", "radio",
                 "toggle", "expander"):
        for element in at.get(kind):
            proto = element.proto
            for field in ("body", "label", "value"):
                if hasattr(proto, field) and isinstance(getattr(proto, field), str):
                    parts.append(getattr(proto, field))
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", list(nav.PAGES))
def test_every_page_renders_in_every_language(page, lang, small_model, monkeypatch, store):
    serve_page(page, monkeypatch)
    at = open_app(page, {state.TRAINED: small_model, i18n.KEY: lang})
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.session_state[i18n.KEY] == lang


@pytest.mark.parametrize(("lang", "word"), [("es", "Dibujar"), ("fr", "Dessiner")])
def test_the_draw_page_speaks_the_language_asked_in_the_address(lang, word, small_model):
    from streamlit.testing.v1 import AppTest

    from .page_utils import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[i18n.KEY] = lang
    at.session_state[state.TRAINED] = small_model
    at.run()
    at.switch_page(nav.PAGES["draw"].file).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == word
    assert at.session_state[i18n.KEY] == lang


def test_english_is_the_default_and_a_pick_in_the_sidebar_is_kept(small_model):
    at = open_app("draw", {state.TRAINED: small_model})
    assert at.session_state[i18n.KEY] == "en"
    assert at.title[0].value == "Draw"
    at.selectbox(key=i18n.PICKER).set_value("fr").run()
    at.switch_page(nav.PAGES["gallery"].file).run()
    assert not at.exception
    assert at.session_state[i18n.KEY] == "fr"
    assert at.title[0].value == "Galerie"
