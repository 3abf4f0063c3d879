"""Streamlit's own page around ours (its chrome) in the student's language: `<html lang>`, and
the labels, tooltips and short texts that Streamlit writes in English.

Streamlit has no way to translate its chrome (streamlit/streamlit#1353): "Collapse sidebar",
"Main menu" and its items, the status widget's "Running..." and "Stop", the dataframe toolbar's
tooltips, the file uploader's errors and its "Remove <file>"...
So each run puts one script in the page (st.html: it runs in the page's own document) holding
a dictionary {English: this language} from the session's catalogue, and a MutationObserver
that rewrites those words where they appear: the aria-label, title and placeholder of any
element, and the text of the few chrome elements listed in TEXTS (never the page's own text).
It looks inside open shadow roots too (a components.v2 component sits in one, in the page's
document, not in an iframe). An element rewritten keeps its English in a `data-en-<attribute>`
attribute (a test can read it), and a language switched back restores the English. English
needs no dictionary.

The words are Streamlit 1.67's, copied from its JavaScript (streamlit/static/static/js) and
from the rendered page: an upgrade that rewords one leaves it in English, nothing breaks.
"""

from __future__ import annotations

import json
from functools import cache

import streamlit as st

from pages.shared.i18n import DEFAULT, N_, lang, translation

# Everything in the chrome that reads as English, as Streamlit writes it. {name} is a part
# that is not ours (a file's name, a size): the script matches it and puts it back in place.
WORDS = (
    # the frame: header, sidebar, navigation, keyboard link, headings' anchors
    N_("Skip to main content"), N_("Collapse sidebar"), N_("Expand sidebar"), N_("Sidebar"),
    N_("App pages"), N_("Main menu"), N_("Link to heading"),
    # a selectbox (the language picker), a number input's steppers
    N_("Open"), N_("Choose an option"), N_("Clear value"), N_("Decrement"), N_("Increment"),
    # the ⋮ menu
    N_("Theme"), N_("System"), N_("Light"), N_("Dark"), N_("Print"), N_("Record screen"),
    N_("Cancel recording"), N_("Stop recording"), N_("Clear cache"), N_("About"),
    N_("Rerun"), N_("Made with Streamlit v"),  # and its version
    # the box a wrong address gets (a mistyped lesson link), and its close button
    N_("Page not found"), N_("Close"),
    N_("The page that you have requested does not seem to exist. Running the app's main page."),
    # the status widget (top right) while a run goes on, and the connection's state
    N_("Running..."), N_("Stop"), N_("Stopping..."), N_("Always rerun"), N_("File change."),
    N_("Connecting"), N_("Connecting to Streamlit server"),
    N_("Unable to connect to Streamlit server"),
    # the toolbar over a dataframe, a chart or an image
    N_("Download as CSV"), N_("Search"), N_("Close Search"), N_("Next Result"),
    N_("Previous Result"), N_("Show/hide columns"), N_("Clear selection"), N_("Fullscreen"),
    N_("Close fullscreen"), N_("Show data"), N_("Show chart"), N_("Download as PNG"),
    N_("Copy Vega-Lite spec"), N_("Copied!"), N_("Vega visualization"),
    # the file uploader: a picked file's row, and its refusals
    N_("Add files"), N_("Remove {name}"), N_("Cancel upload of {name}"),
    N_("Click to retry upload"), N_("Upload failed"), N_("Error:"),
    N_("File must be {size} or smaller."), N_("{type} files are not allowed."),
    N_("File size is too small."), N_("Only one file is allowed."),
    N_("Unexpected error. Please try again."),
)

# The chrome elements whose text (not only their attributes) is Streamlit's: the page's own
# sentences are never touched, even where one happens to be "Search" or "Stop".
TEXTS = ", ".join((
    '[data-testid="stSkipToContent"]',
    '[data-testid="stMainMenuPopover"]',
    '[data-testid="stStatusWidget"]',
    '[data-testid="stConnectionStatus"]',
    '[data-testid="stTooltipContent"]',  # also our own help= texts: already translated
    '[data-testid="stTooltipErrorContent"]',
    '[data-testid="stFileChip"]',
    '[data-testid="stDialog"]',  # Streamlit's own "Page not found"; the app's own are ours
))

_SCRIPT = """<script>(() => {
const WORDS = %(words)s, TEXTS = %(texts)s, ATTRIBUTES = ["aria-label", "title", "placeholder"];
document.documentElement.lang = %(lang)s;
// One state per page, kept across runs: the observers stay, a new run brings new words.
const S = window.__digitlabChrome || (window.__digitlabChrome = {
  roots: new WeakSet(), texts: new WeakMap(), exact: new Map(), patterns: []});
S.exact = new Map(); S.patterns = [];
const escape = (s) => s.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&");
for (const [english, said] of Object.entries(WORDS)) {
  if (!/\\{\\w+\\}/.test(english)) { S.exact.set(english, said); continue; }
  const names = [];
  const source = english.split(/(\\{\\w+\\})/).map((part) => {
    const field = part.match(/^\\{(\\w+)\\}$/);
    if (!field) return escape(part);
    names.push(field[1]);
    return "(.+?)";
  }).join("");
  S.patterns.push([new RegExp("^" + source + "$", "s"), names, said]);
}
// English -> this language, or null; the spaces around it stay, and "Search: table" (a
// toolbar button's label with its element's name) keeps its name.
const say = (english) => {
  const core = english.trim();
  if (!core) return null;
  let out = S.exact.get(core);
  if (out === undefined) {
    for (const [re, names, said] of S.patterns) {
      const m = core.match(re);
      if (m) { out = said.replace(/\\{(\\w+)\\}/g, (_, n) => m[1 + names.indexOf(n)]); break; }
    }
  }
  if (out === undefined) {
    const cut = core.indexOf(": ");
    const head = cut > 0 ? S.exact.get(core.slice(0, cut)) : undefined;
    if (head !== undefined) out = head + core.slice(cut);
  }
  return out === undefined ? null : english.replace(core, out);
};
const fixAttribute = (el, name) => {
  const now = el.getAttribute(name);
  if (now === null) return;
  const kept = "data-en-" + name, english0 = el.getAttribute(kept);
  // ours if it is what we wrote last; otherwise Streamlit wrote it anew
  const ours = english0 !== null && el.__digitlabSaid && el.__digitlabSaid[name] === now;
  const english = ours ? english0 : now;
  const said = say(english);
  if (said === null || said === english) {
    if (ours) { el.setAttribute(name, english); el.removeAttribute(kept); }
    return;
  }
  (el.__digitlabSaid || (el.__digitlabSaid = {}))[name] = said;
  if (english0 !== english) el.setAttribute(kept, english);
  if (now !== said) el.setAttribute(name, said);
};
const fixText = (node) => {
  const last = S.texts.get(node), now = node.nodeValue;
  const english = last && last[1] === now ? last[0] : now;
  const said = say(english);
  if (said === null || said === english) {
    if (last && last[1] === now) node.nodeValue = english;
    S.texts.delete(node);
    return;
  }
  S.texts.set(node, [english, said]);
  if (now !== said) node.nodeValue = said;
};
const textsIn = (el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) fixText(n);
};
const fix = (root) => {
  const all = root.querySelectorAll("*");
  const els = root.nodeType === 1 ? [root, ...all] : all;
  for (const el of els) {
    for (const name of ATTRIBUTES) if (el.hasAttribute(name)) fixAttribute(el, name);
    if (el.shadowRoot) watch(el.shadowRoot);
  }
  const inside = root.nodeType === 1 && root.closest(TEXTS);
  if (inside) textsIn(root); else root.querySelectorAll(TEXTS).forEach(textsIn);
};
const changed = (records) => {
  for (const r of records) {
    if (r.type === "attributes") fixAttribute(r.target, r.attributeName);
    else if (r.type === "characterData") {
      if (r.target.parentElement && r.target.parentElement.closest(TEXTS)) fixText(r.target);
    } else for (const node of r.addedNodes) {
      if (node.nodeType === 1) fix(node);
      else if (node.nodeType === 3 && node.parentElement && node.parentElement.closest(TEXTS))
        fixText(node);
    }
  }
};
function watch(root) {
  if (!S.roots.has(root)) {
    S.roots.add(root);
    new MutationObserver(changed).observe(root, {subtree: true, childList: true,
      characterData: true, attributes: true, attributeFilter: ATTRIBUTES});
  }
  fix(root);
}
// A component's shadow root is attached after its host joined the page (no mutation says so):
// watch each open one as it is made.
if (!S.shadows) {
  S.shadows = true;
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    if (init && init.mode === "open") queueMicrotask(() => watch(root));
    return root;
  };
}
watch(document.body);
})();</script>"""


@cache
def script(code: str) -> str:
    """The page's script for one language (the same for every session that speaks it)."""
    said = translation(code).gettext
    words = {} if code == DEFAULT else {str(english): said(english) for english in WORDS}
    return _SCRIPT % {"words": json.dumps(words, ensure_ascii=False), "texts": json.dumps(TEXTS),
                      "lang": json.dumps(code)}


def speak() -> None:
    """Put this session's language on Streamlit's chrome (app.py, on every run; the script
    runs again only when its language changes, and its observers stay)."""
    st.html(script(lang()), unsafe_allow_javascript=True)


# Streamlit's "Running..." icon (top right) animates itself every 0.2 s for as long as a run goes
# on: measured 55 ms of a browser's time per second (9 ms without it) in a page whose fit waits
# in the queue, in every waiting student's browser at once.
RUNNING_ICON = '[data-testid="stStatusWidgetRunningIcon"]'


def no_running_icon() -> None:
    """Hide that icon for the rest of this run, in a page that says itself what it waits for
    (its place in the queue, a fit's progress): the header's Stop button stays."""
    st.html(f"<style>{RUNNING_ICON}{{display:none}}</style>")
