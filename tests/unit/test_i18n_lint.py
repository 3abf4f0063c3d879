"""No sentence in pages/ (or app.py) reaches a user outside `_()`: an AST check over the
arguments of Streamlit's calls (labels, help=, caption=, placeholder=, ...), the app's own
helpers that show text, and every f-string that reads as a sentence. The allow-list holds
what is not language: file names and the chart grammar's expressions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.wrapstrings import TRANSLATORS, callee, shown

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("pages/**/*.py"), ROOT / "app.py"])
ALLOWED = [
    re.compile(r"^digitlab-\{[^}]*\}\.\w+$"),  # a download's file name
    re.compile(r"datum\."),  # a Vega-Lite expression (its numbers come from the formatter)
    re.compile(r'\[data-testid="st\w+"\]|\{(content|display|font-size):'),  # a CSS rule
]


def _text(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return ast.unparse(node)[2:-1]  # an f-string's source without f"..."


def untranslated() -> list[str]:
    found = []
    for path in FILES:
        for node in shown(ast.parse(path.read_text(), str(path))):
            text = _text(node)
            if not any(allowed.search(text) for allowed in ALLOWED):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:70]!r}")
    return found


def wrapped() -> int:
    """How many sentences the pages hand to _(), ngettext() and N_()."""
    return sum(1 for path in FILES for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Call) and callee(node) in TRANSLATORS and node.args
               and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


def test_no_sentence_in_the_pages_escapes_translation():
    assert untranslated() == [], "wrap these in _() (or allow them above if they are no words)"
    print(f"\n{wrapped()} sentences wrapped in _(), ngettext() or N_() across pages/ and app.py")


def test_the_lint_finds_what_it_should():
    """The check itself: a bare label, help=, an f-string and a helper's text are found;
    wrapped ones, keys, icons and the server log's lines are not."""
    source = '''
import streamlit as st
st.button("Train now", key="go", icon=":material/play:")
st.metric(_("Accuracy"), value, help="How often it is right.")
col.caption(f"{n} images left")
nav.link("home", "Go to Home")
st.title(_("Draw"))
st.session_state["draw_input"] = "Draw"
_log.warning("The default model could not be made: %s", exc)
st.warning("Out of memory")
'''
    found = sorted(_text(node) for node in shown(ast.parse(source)))
    assert found == ["Go to Home", "How often it is right.", "Out of memory", "Train now",
                     "{n} images left"]


def test_the_wrapped_count_is_the_catalogue_size_or_near():
    assert wrapped() > 350


def test_nothing_is_translated_when_a_shared_module_is_imported():
    """pages/shared and pages/panels are imported once per process, in no session: a `_()` in
    a decorator, a default argument or a module constant would freeze one student's language
    for everyone. Mark such text with N_() and translate it where it is shown."""
    found = []
    for path in sorted([*ROOT.glob("pages/shared/*.py"), *ROOT.glob("pages/panels/*.py")]):
        tree = ast.parse(path.read_text())
        at_import: list[ast.AST] = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                at_import += node.decorator_list + node.args.defaults + [
                    d for d in node.args.kw_defaults if d is not None]
            elif not isinstance(node, ast.ClassDef):
                at_import.append(node)
        for part in at_import:
            for sub in ast.walk(part):
                if isinstance(sub, ast.Call) and callee(sub) in ("_", "ngettext"):
                    found.append(f"{path.relative_to(ROOT)}:{sub.lineno}")
    assert found == []
