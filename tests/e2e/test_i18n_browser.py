"""A Spanish-speaking student opens a lesson link with ?lang=es: the page speaks Spanish,
declares <html lang="es"> (a screen reader then reads it as Spanish), and a digit drawn on it is
read, its Prediction labelled in Spanish."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import (
    CANVAS,
    VIEWPORT,
    draw_digit,
    metric_value,
    screenshot,
    shown,
    wait_idle,
)

HTML_LANG = "() => document.documentElement.lang"


def open_at(chromium, url: str):
    """A new visitor at `url`. Its first run may fit the server's default model (a few
    seconds; more on a busy machine), so it waits longer than new_page does."""
    page = chromium.new_context(viewport=VIEWPORT).new_page()
    page.goto(url)
    shown(page.locator("h1").first, timeout=180_000)
    wait_idle(page, timeout=180_000)
    return page


def test_draw_in_spanish_reads_a_drawn_digit(chromium, app_server):
    page = open_at(chromium, f"{app_server.url}/draw?lang=es")
    try:
        expect(page.locator("h1", has_text="Dibujar").first).to_be_visible()
        page.wait_for_function(f"() => {HTML_LANG}() === 'es'")
        draw_digit(page, 0)
        prediction = metric_value(page, "Predicción")
        shown(prediction, timeout=30_000)
        wait_idle(page)
        assert prediction.inner_text() == "0"
        assert page.evaluate(HTML_LANG) == "es"  # still, after the drawing's rerun
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "de seguridad" in main  # "97,3 % de seguridad": a Spanish sentence, its number too
        for english in ("Prediction", "Draw a digit", "Why this answer", "sure"):
            assert english not in main, f"{english!r} is still English on the Spanish page"
        expect(page.get_by_role("button", name="Borrar")).to_be_visible()  # the canvas's Clear
        screenshot(page, "draw-es")
    finally:
        page.context.close()


def test_the_sidebar_picker_switches_the_page_and_html_lang(chromium, app_server):
    page = open_at(chromium, f"{app_server.url}/gallery")
    try:
        assert page.evaluate(HTML_LANG) == "en"
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator('[data-testid="stSelectbox"]').get_by_role("combobox").click()
        page.get_by_role("option", name="Français").click()
        expect(page.locator("h1", has_text="Galerie").first).to_be_visible()
        page.wait_for_function(f"() => {HTML_LANG}() === 'fr'")
        assert "lang=fr" in page.url  # a copied address keeps the language
    finally:
        page.context.close()


def test_a_first_visit_follows_the_browsers_language(chromium, app_server):
    """A French browser (navigator.language fr-FR) opens the app in French, with no ?lang."""
    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/gallery")
        shown(page.locator("h1", has_text="Galerie").first, timeout=180_000)
        page.wait_for_function(f"() => {HTML_LANG}() === 'fr'")
    finally:
        context.close()


AFTER = "(el) => getComputedStyle(el, '::after').content"


def test_the_file_uploader_speaks_french(chromium, app_server):
    """Streamlit writes its uploader's button and limits in English; on a French page the
    English is hidden and the French shown in its place (pages/shared/uploader.py)."""
    page = open_at(chromium, f"{app_server.url}/draw?lang=fr")
    try:
        page.get_by_text("Envoyer", exact=True).first.click()  # the Draw/Upload switch
        zone = page.locator('[data-testid="stFileUploaderDropzone"]')
        shown(zone, timeout=30_000)
        expect(zone.get_by_text("Upload", exact=True)).to_be_hidden()
        assert zone.locator("button [data-testid=stMarkdownContainer]").evaluate(AFTER) == (
            '"Envoyer"')
        limits = zone.locator("[data-testid=stFileUploaderDropzoneInstructions] span")
        assert "25 Mo par fichier" in limits.evaluate(AFTER)
        assert limits.evaluate("(el) => getComputedStyle(el).fontSize") == "0px"  # the English
        screenshot(page, "draw-upload-fr")
        # a file of a refused type: Streamlit's own refusal and its "Remove" are French too
        zone.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a digit"}])
        chip = page.get_by_test_id("stFileChip")
        expect(chip).to_contain_text("Erreur : Les fichiers text/plain ne sont pas acceptés.")
        expect(chip.get_by_role("button", name="Retirer notes.txt")).to_be_visible()
    finally:
        page.context.close()


def test_streamlits_own_labels_speak_french(chromium, app_server):
    """Streamlit's chrome (the sidebar's collapse button, the ⋮ menu and its items) is in French
    on a French page (pages/shared/chrome.py), each label keeping its English in
    data-en-<attribute>, and so are the canvas and its Undo and Clear; the same labels stay
    English on an English page."""
    page = open_at(chromium, f"{app_server.url}/train?lang=fr")
    try:
        collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
        expect(collapse).to_have_attribute("aria-label", "Replier la barre latérale")
        assert collapse.get_attribute("data-en-aria-label") == "Collapse sidebar"
        menu = page.get_by_test_id("stMainMenuButton")
        expect(menu).to_have_attribute("aria-label", "Menu principal")
        menu.click()
        expect(page.get_by_test_id("stMainMenuList")).to_have_attribute("aria-label",
                                                                         "Menu principal")
        expect(page.get_by_test_id("stMainMenuItem-print")).to_have_text("Imprimer")
        page.keyboard.press("Escape")
        page.get_by_test_id("stSidebarHeader").hover()  # the button shows on hover
        collapse.click()
        expect(page.get_by_test_id("stExpandSidebarButton")).to_have_attribute(
            "aria-label", "Déplier la barre latérale")
        screenshot(page, "train-fr-chrome")

        page.goto(f"{app_server.url}/draw?lang=fr")
        shown(page.locator("h1", has_text="Dessiner").first, timeout=60_000)
        # the canvas and its buttons are the app's own: French from the catalogue
        expect(page.locator(CANVAS).first).to_have_attribute(
            "aria-label", re.compile("^Zone de dessin"))
        draw_digit(page, 0)
        shown(metric_value(page, "Prédiction"), timeout=30_000)
        page.get_by_role("button", name="Annuler").click()  # Undo: its only stroke
        expect(metric_value(page, "Prédiction")).to_have_count(0)
        draw_digit(page, 0)
        shown(metric_value(page, "Prédiction"), timeout=30_000)
        page.get_by_role("button", name="Effacer").click()
        expect(metric_value(page, "Prédiction")).to_have_count(0)

        page.goto(f"{app_server.url}/no-such-page?lang=fr")  # a mistyped lesson link
        dialog = page.get_by_test_id("stDialog")
        expect(dialog.get_by_role("heading")).to_have_text("Page introuvable")
        expect(dialog).to_contain_text("La page demandée ne semble pas exister.")
        expect(dialog.get_by_role("button", name="Fermer")).to_be_visible()
    finally:
        page.context.close()


def test_streamlits_own_labels_stay_english_on_an_english_page(chromium, app_server):
    page = open_at(chromium, f"{app_server.url}/draw?lang=en")
    try:
        expect(page.get_by_role("button", name="Undo")).to_have_count(1)
        expect(page.get_by_test_id("stMainMenuButton")).to_have_attribute("aria-label",
                                                                          "Main menu")
        assert page.locator("[data-en-aria-label], [data-en-title]").count() == 0
    finally:
        page.context.close()
