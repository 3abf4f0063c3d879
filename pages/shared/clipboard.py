"""A visible Copy button: the text goes to the clipboard in the browser (st.code's own copy
icon shows only when the pointer is over the code, so a teacher at a projector missed it).

An st.components.v2 component with a few lines of our own JavaScript, as pages/shared/browser.py's.
The Clipboard API needs a secure page (https, or localhost); a class server reached at
http://192.168.x.y is not one, so the button falls back to selecting the text in a hidden field
and document.execCommand("copy"), which browsers still honour on a click. The text is the
app's own link, never something a user typed.
"""

from __future__ import annotations

import streamlit as st

from pages.shared.i18n import _

_JS = """
export default function ({ parentElement, data }) {
  const button = parentElement.querySelector("button");
  const label = button.querySelector(".label");
  label.textContent = data.label;
  button.setAttribute("aria-label", data.label);
  button.onclick = async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(data.text);
      ok = true;
    } catch (e) {
      const field = document.createElement("textarea");
      field.value = data.text;
      field.setAttribute("readonly", "");
      field.style.cssText = "position:fixed;top:0;left:0;opacity:0";
      document.body.appendChild(field);
      field.select();
      try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
      field.remove();
    }
    label.textContent = ok ? data.done : data.failed;
    button.dataset.copied = ok ? "yes" : "no";
    setTimeout(() => { label.textContent = data.label; }, 2500);
  };
}
"""
_HTML = """<button type="button"><svg viewBox="0 0 24 24" aria-hidden="true" fill="none"
stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
<rect x="9" y="9" width="11" height="11" rx="2"/><path d="M5 15V5a2 2 0 0 1 2-2h10"/></svg>
<span class="label">Copy</span></button>"""
# Looks like Streamlit's secondary st.button (its theme variables reach into the shadow root).
_CSS = """
button { display: inline-flex; align-items: center; gap: .5rem; min-height: 2.5rem;
  padding: .25rem .85rem; font: inherit; font-size: 1rem; cursor: pointer;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
  border: 1px solid color-mix(in srgb, var(--st-text-color, #31333f) 20%, transparent);
  border-radius: var(--st-button-radius, .5rem); }
button:hover { border-color: var(--st-primary-color, #ff4b4b);
  color: var(--st-primary-color, #ff4b4b); }
svg { width: 1.05rem; height: 1.05rem; }
"""

_copy = st.components.v2.component("digitlab_copy_button", html=_HTML, css=_CSS, js=_JS)


def copy_button(text: str, label: str, key: str) -> None:
    """A button labelled `label` (already in the page's language) that copies `text`."""
    _copy(key=key, width="content",
          data={"text": text, "label": label, "done": _("Copied"),
                "failed": _("Could not copy: select the link and copy it by hand")})
