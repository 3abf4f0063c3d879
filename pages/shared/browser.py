"""What the browser does on its own, where a round trip to the server would be too late:
undoing a stroke and clearing the canvas, and closing the sidebar on a phone after a page is
chosen in it; and the layout for phones.

They are st.components.v2 components with a few lines of our own JavaScript (no build step, no
iframe: they run in the page's document). Nothing a user types reaches this code.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.shared.i18n import _

# Undo and Clear, under the canvas, work in the browser: they call the canvas's own functions
# (pages/shared/canvas.py), so a stroke begun a moment later lands on the same canvas and
# counts. (A Clear that gave the canvas a new key waited for the server to send a new canvas,
# and a stroke begun before it arrived, 0.1 s alone, ~1.5 s with ten sessions drawing, was
# lost.) On the benchmarks' bare page (benchmarks/bare_canvas_app.py) the canvas is
# streamlit-drawable-canvas: they press its own toolbar's buttons, found by their labels
# (English: that page is not translated). With neither, Clear asks the server for a new
# canvas (the old way).
_CLEAR_JS = """
export default function ({ parentElement, setTriggerValue, data }) {
  const [undo, clear] = parentElement.querySelectorAll("button");
  const say = (button, label, title) => {  // in the page's language
    if (!label) return;
    button.querySelector(".label").textContent = label;
    button.setAttribute("aria-label", label);
    button.title = title;
  };
  if (data) { say(undo, data.undo, data.undoTitle); say(clear, data.label, data.title); }
  window.__digitlabRemount = () => setTriggerValue("remount", true);
  // One listener for the page, on the document, not one per button: a button Streamlit has
  // just drawn anew answers a tap before this function has run for it.
  if (window.__digitlabCanvasButtons) return;
  window.__digitlabCanvasButtons = true;
  const find = (test) => {
    const found = [];
    const walk = (root) => {
      root.querySelectorAll("*").forEach((el) => {
        if (test(el)) found.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      });
    };
    walk(document);
    return found;
  };
  const toolbar = (label) => find((el) => el.tagName === "BUTTON"
    && el.getAttribute("aria-label") === label);
  document.addEventListener("click", (event) => {
    const button = event.composedPath().find((el) => el.dataset && el.dataset.canvasAction);
    if (!button) return;
    if (button.dataset.canvasAction === "undo") {
      const ours = find((el) => el.__digitlabUndo);
      if (ours.length) ours.forEach((c) => c.__digitlabUndo());
      else toolbar("Undo").forEach((b) => b.click());
      return;
    }
    const ours = find((el) => el.__digitlabClear);
    if (ours.length) { ours.forEach((c) => c.__digitlabClear()); return; }
    const resets = toolbar("Reset canvas & history");
    if (resets.length === 0) { window.__digitlabRemount(); return; }
    resets.forEach((b) => b.click());
  }, true);
}
"""
_CLEAR_HTML = """<div class="row"><button type="button" data-canvas-action="undo"
aria-label="Undo" title="Take back the last stroke"><svg viewBox="0 0 24 24" aria-hidden="true"
fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
stroke-linejoin="round"><path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>
</svg><span class="label">Undo</span></button><button type="button" data-canvas-action="clear"
aria-label="Clear" title="Start again"><svg viewBox="0 0 24 24" aria-hidden="true" fill="none"
stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path
d="M4 7h16"/><path d="M9 7V4h6v3"/><path d="M6 7l1 13h10l1-13"/></svg><span
class="label">Clear</span></button></div>"""
# Looks like Streamlit's secondary st.button (its theme variables reach into the shadow root).
_CLEAR_CSS = """
.row { display: flex; gap: .5rem; }
button { display: inline-flex; align-items: center; gap: .5rem; min-height: 2.5rem;
  padding: .25rem .85rem; font: inherit; font-size: 1rem; cursor: pointer;
  touch-action: manipulation;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
  border: 1px solid color-mix(in srgb, var(--st-text-color, #31333f) 20%, transparent);
  border-radius: var(--st-button-radius, .5rem); }
button:hover { border-color: var(--st-primary-color, #ff4b4b);
  color: var(--st-primary-color, #ff4b4b); }
button:active {
  background: color-mix(in srgb, var(--st-primary-color, #ff4b4b) 12%, transparent); }
svg { width: 1.05rem; height: 1.05rem; }
"""

# On a narrow screen the sidebar is an overlay: Streamlit closes it after a page is chosen only
# when the browser says it is a phone (user agent), so a tablet in desktop mode or a narrow
# window kept it open over the page. 768 px is Streamlit's own "medium" breakpoint, below which
# the sidebar overlays the page instead of sitting beside it.
_SIDEBAR_JS = """
export default function () {
  if (window.__digitlabSidebarHook) return;
  window.__digitlabSidebarHook = true;
  const narrow = window.matchMedia("(max-width: 768px)");
  document.addEventListener("click", (event) => {
    if (!narrow.matches || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {  // after Streamlit's own handler, which may have closed it already
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      if (!sidebar || sidebar.getAttribute("data-collapsed") !== "false") return;
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button')
        || document.querySelector('button[data-testid="stSidebarCollapseButton"]');
      if (close) close.click();
    }, 0);
  }, true);
}
"""

# A screen reader says the Prediction when it changes: one visually hidden region with
# aria-live="polite", made once per browser tab in the page's own document (a region that is
# replaced on each run, as st.html's would be, is new each time, and new regions are often not
# read), whose text each run sets. role="status" says the same to older readers.
_LIVE_JS = """
export default function ({ data }) {
  let region = document.getElementById("digitlab-live");
  if (!region) {
    region = document.createElement("div");
    region.id = "digitlab-live";
    region.setAttribute("aria-live", "polite");
    region.setAttribute("role", "status");
    region.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;"
      + "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0";
    document.body.appendChild(region);
  }
  const text = (data && data.text) || "";
  if (region.textContent !== text) region.textContent = text;
}
"""

_clear = st.components.v2.component("digitlab_clear_canvas", html=_CLEAR_HTML, css=_CLEAR_CSS,
                                    js=_CLEAR_JS)
_sidebar = st.components.v2.component("digitlab_sidebar_closer", js=_SIDEBAR_JS)
_live = st.components.v2.component("digitlab_live_region", js=_LIVE_JS)


def announce(text: str, key: str = "draw_live") -> None:
    """`text` (a sentence in the page's language) in the page's live region: a screen reader
    reads it out when it differs from the last one; "" empties the region."""
    _live(key=key, data={"text": text}, width="content")


def clear_button(remount: Callable[[], None], key: str = "draw_clear") -> None:
    """Undo and Clear under the canvas: they take back its last stroke or empty it, in the
    browser; `remount` (a callback) is Clear's fallback when no canvas of either kind is
    found."""
    _clear(key=key, on_remount_change=remount, width="content",
           data={"label": _("Clear"), "title": _("Start again"),
                 "undo": _("Undo"), "undoTitle": _("Take back the last stroke")})


# A phone held upright (Streamlit stacks columns below 640 px): less air above and between the
# blocks, so the canvas, Clear, the Prediction and the save row, "Wrong? It was a …" with
# its digits too, fit one 390x844 screen.
_PHONE_CSS = """<style>@media (max-width: 640px) {
  [data-testid='stMainBlockContainer'] {padding-top: 3.2rem}
  h1 {font-size: 2.1rem !important; padding-bottom: .3rem !important}
  [data-testid='stHorizontalBlock'] {row-gap: .6rem !important}
  [data-testid='stVerticalBlock'] {row-gap: .55rem !important}
  [data-testid='stMetricValue'] {font-size: 3.4rem !important}
}</style>"""


# Where the keyboard is: every control reached with Tab shows a ring. Streamlit draws one on
# its buttons and inputs, but not on the sidebar's page links, the canvas toolbar's buttons or
# a tab's label (tests/e2e/test_keyboard_browser.py). Blue, 6:1 on white and on the sidebar's
# grey (WCAG's 3:1 for a focus indicator), and not the red that means "wrong" on Draw.
_FOCUS_CSS = """<style>
a:focus-visible, button:focus-visible, [role='tab']:focus-visible, [tabindex]:focus-visible,
input:focus-visible, summary:focus-visible {
  outline: 3px solid #1a4fd6 !important; outline-offset: 2px; }
</style>"""


def show_focus() -> None:
    st.html(_FOCUS_CSS)  # style only


def compact_on_phones() -> None:
    st.html(_PHONE_CSS)  # style only: Streamlit puts it where it takes no space


def close_sidebar_after_navigation() -> None:
    """Mount once per page run (in the sidebar): on a narrow screen, choosing a page closes the
    sidebar so the page is in view."""
    with st.sidebar:
        _sidebar(key="digitlab_sidebar_closer", width="content")
