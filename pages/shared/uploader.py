"""st.file_uploader, its own words in the student's language.

Streamlit writes the uploader's button ("Upload") and its limits ("25MB per file • PNG, JPG")
in English, with no way to translate them (streamlit/streamlit#1353). So each uploader gets a
key, and a style for that key swaps Streamlit's text for ours: the text is hidden and our
sentence is the content of a ::after box in the same place. English needs no style. The
file's name and size once uploaded are the file's own.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from pages.shared.i18n import DEFAULT, _, fmt, lang

DROPZONE = '[data-testid="stFileUploaderDropzone"]'
BUTTON_TEXT = f'{DROPZONE} button [data-testid="stMarkdownContainer"]'
LIMITS = '[data-testid="stFileUploaderDropzoneInstructions"] span'
SMALL = "0.875rem"  # Streamlit's size for the limits line (14 px), which ::after must set again


def css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + "".join(c if c.isalnum() or c in " .,;:•()%-" else f"\\{ord(c):x} "
                         for c in text) + '"'


def style(key: str, limits: str) -> str:
    """The rules that put this session's words on the uploader keyed `key`."""
    box = f".st-key-{key}"
    return (f"{box} {BUTTON_TEXT} p{{display:none}}"
            f"{box} {BUTTON_TEXT}::after{{content:{css_string(_('Upload'))}}}"
            f"{box} {LIMITS}{{font-size:0;white-space:normal}}"  # longer: may wrap
            f"{box} {LIMITS}::after{{content:{css_string(limits)};font-size:{SMALL}}}")


def file_uploader(label: str, *, key: str, type: list[str], max_upload_size: int | None = None,
                  **kwargs: Any):
    """st.file_uploader with Streamlit's own texts in this session's language."""
    if lang() != DEFAULT:
        size = max_upload_size or int(st.get_option("server.maxUploadSize"))
        limits = _("{size} MB per file • {types}", size=fmt(size),
                   types=", ".join(dict.fromkeys(  # as Streamlit lists them: jpeg is JPG
                       "JPG" if t.lower() == "jpeg" else t.upper() for t in type)))
        st.html(f"<style>{style(key, limits)}</style>")
    return st.file_uploader(label, key=key, type=type, max_upload_size=max_upload_size,
                            **kwargs)


# The browser refuses a file of a type the uploader does not take, or larger than its limit,
# before anything reaches the server: Streamlit shows a small red chip (the reason in a
# tooltip) and keeps the previous file, whose answer stayed on screen as if nothing happened.
# This watcher tells the page when the newest chip is such a refusal (its name and size), so
# the page can say why in a sentence and drop the old answer.
_REFUSED_JS = """
export default function ({ setStateValue, data }) {
  const chips = () => {
    const box = document.querySelector(`.st-key-${data.key}`);
    return box ? box.querySelectorAll('[data-testid="stFileChip"]') : [];
  };
  let said;
  const report = () => {
    const all = chips(), last = all[all.length - 1];
    const refused = last && last.getAttribute("aria-invalid") === "true"
      ? { name: last.querySelector('[data-testid="stFileChipName"]').title,
          about: last.getAttribute("aria-label") || "" }
      : null;
    const now = JSON.stringify(refused);
    if (now !== said) { said = now; setStateValue("refused", refused); }
  };
  const observer = new MutationObserver(report);
  observer.observe(document.querySelector('[data-testid="stMain"]') || document.body,
                   { childList: true, subtree: true, attributes: true,
                     attributeFilter: ["aria-invalid"] });
  report();
  return () => observer.disconnect();
}
"""
_refused = st.components.v2.component("digitlab_refused_upload", js=_REFUSED_JS)


def refused(key: str, type: list[str], max_upload_size: int | None = None) -> str | None:
    """Mount under the uploader keyed `key`: the sentence that says why the browser refused
    the newest file given to it, or None while it holds no refused file."""
    said = _refused(key=f"{key}_refused", data={"key": key}, on_refused_change=lambda: None,
                    default={"refused": None}, width="content", height=0).refused
    if not said:
        return None
    name = str(said.get("name", ""))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in {t.lower() for t in type}:
        return _("“{name}” is not a picture this page can read: upload a PNG or JPEG of one "
                 "digit.", name=name)
    size = max_upload_size or int(st.get_option("server.maxUploadSize"))
    return _("“{name}” is larger than the {size} MB a picture may be: upload a smaller one "
             "(a screenshot, or a photo taken at a lower resolution).", name=name,
             size=fmt(size))
