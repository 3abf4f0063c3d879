"""Find (and, for a one-off rewrite, wrap) the sentences a page shows a user.

`shown(tree)` yields the string literals and f-strings of a module that reach a user: the text
arguments of Streamlit's calls (st.title(...), col.metric(...), help=, label=, caption=,
placeholder=, ...), of the app's own helpers that show text (nav.link, frame.guard), and any
f-string that reads as a sentence. tests/unit/test_i18n_lint.py fails on each one left outside
`_()`; `python -m tests.support.wrapstrings FILE...` rewrote them once (an f-string becomes
`_("... {name} ...", name=expr)`, its format specs kept: the page's formatter writes numbers
the language's way).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

# Streamlit calls whose positional text arguments are shown (first positional at least).
SHOWING = {
    "title", "header", "subheader", "caption", "markdown", "write", "info", "warning", "error",
    "success", "toast", "exception", "text", "metric", "button", "toggle", "checkbox", "radio",
    "selectbox", "slider", "select_slider", "number_input", "text_input", "text_area",
    "file_uploader", "download_button", "popover", "expander", "tabs", "segmented_control",
    "multiselect", "page_link", "link_button", "form_submit_button", "spinner", "status",
    "progress", "pills", "color_picker", "date_input", "camera_input", "feedback",
}
# Keyword arguments that are shown.
SHOWN_KEYWORDS = {"label", "help", "caption", "placeholder", "delta", "text", "body", "title",
                  "value_label", "alt"}
# Keyword arguments that are never shown (ids, styles, formats, URLs).
NEVER = {"key", "type", "icon", "width", "height", "format", "language", "mime", "file_name",
         "url", "page", "label_visibility", "delta_color", "delta_arrow", "gap",
         "vertical_alignment", "border", "on_change", "on_click", "args", "kwargs", "anchor",
         "unsafe_allow_html", "unsafe_allow_javascript", "use_container_width", "color",
         "horizontal_alignment", "selection_mode", "default", "options", "value", "data",
         "column_config", "hide_index", "accept_multiple_files", "divider"}
# Our helpers that show their text arguments: name -> positional indexes shown.
HELPERS = {"link": (1,), "guard": (0,)}
# Widgets whose second argument is their options: values the page compares, shown through
# format_func=_ instead (only the label, the first argument, is wrapped).
CHOOSING = {"selectbox", "radio", "segmented_control", "multiselect", "pills", "select_slider"}
TRANSLATORS = {"_", "ngettext", "N_"}
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _is_text(node: ast.AST) -> bool:
    """A literal with words in it (not "#FFFFFF", "draw_input", ":material/x:", "")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        s = node.value
        if s.startswith(":material/") or s.startswith("<") or not _WORDS.search(s):
            return False
        return " " in s.strip() or s[:1].isupper()
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return bool(_WORDS.search(text)) and not text.lstrip().startswith("<")
    return False


# Names a module gives its logger: `_log.warning(...)` writes to the server's log, which the
# person running the server reads (as Streamlit's own lines, in English), not to a page.
LOGGERS = {"_log", "log", "logger", "logging"}


def _logs(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
            and f.value.id in LOGGERS)


def callee(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def shown(tree: ast.AST) -> Iterator[ast.expr]:
    """The literals in `tree` that a user reads and that no `_()` wraps."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and callee(node) in TRANSLATORS:
            for sub in ast.walk(node):
                inside.add(id(sub))
    seen: set[int] = set()

    def candidates() -> Iterator[ast.expr]:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in inside or _logs(node):
                continue
            name = callee(node)
            positions: tuple[int, ...] = ()
            if name in CHOOSING and isinstance(node.func, ast.Attribute):
                positions = (0,)
            elif name in SHOWING and isinstance(node.func, ast.Attribute):
                positions = tuple(range(len(node.args)))
            elif name in HELPERS:
                positions = HELPERS[name]
            for i in positions:
                if i < len(node.args):
                    yield from _parts(node.args[i])
            for kw in node.keywords:
                if kw.arg in SHOWN_KEYWORDS or (kw.arg not in NEVER and kw.arg is not None
                                                and name in SHOWING):
                    yield from _parts(kw.value)
        for node in ast.walk(tree):  # any f-string that reads as a sentence
            if isinstance(node, ast.JoinedStr) and id(node) not in inside:
                text = "".join(v.value for v in node.values
                               if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if " " in text.strip() and _WORDS.search(text) and "<" not in text[:2]:
                    yield node

    for node in candidates():
        if id(node) not in inside and id(node) not in seen and _is_text(node):
            seen.add(id(node))
            yield node


def _parts(node: ast.expr) -> Iterator[ast.expr]:
    """The literals that make up a shown argument: itself, both sides of `a if c else b`,
    each piece of `a + b`, the items of a list or tuple."""
    if isinstance(node, ast.IfExp):
        yield from _parts(node.body)
        yield from _parts(node.orelse)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _parts(node.left)
        yield from _parts(node.right)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            yield from _parts(elt)
    else:
        yield node


# --- the one-off rewrite ------------------------------------------------------------------------


def _name_for(expr: ast.expr, src: str, used: dict[str, str]) -> str:
    text = ast.get_source_segment(src, expr) or "x"
    names = [n.id for n in ast.walk(expr) if isinstance(n, ast.Name)]
    attrs = [n.attr for n in ast.walk(expr) if isinstance(n, ast.Attribute)]
    base = (attrs[0] if attrs and isinstance(expr, ast.Attribute) else
            names[0] if isinstance(expr, ast.Name) else
            (attrs or names or ["value"])[0])
    base = re.sub(r"\W", "_", base).strip("_").lower() or "value"
    if base in ("st", "np", "len", "str", "int", "float", "round", "self"):
        base = "value"
    name, i = base, 2
    while name in used and used[name] != text:
        name, i = f"{base}{i}", i + 1
    used[name] = text
    return name


def template(node: ast.JoinedStr, src: str) -> tuple[str, dict[str, str]]:
    """An f-string -> ("... {name:spec} ...", {name: expression source})."""
    out, args = [], {}
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(str(v.value).replace("{", "{{").replace("}", "}}"))
            continue
        assert isinstance(v, ast.FormattedValue)
        name = _name_for(v.value, src, args)
        conv = {-1: "", 115: "!s", 114: "!r", 97: "!a"}[v.conversion]
        spec = ""
        if v.format_spec is not None:
            assert isinstance(v.format_spec, ast.JoinedStr)
            if not all(isinstance(p, ast.Constant) for p in v.format_spec.values):
                raise ValueError("a nested format spec")
            spec = ":" + "".join(str(p.value) for p in v.format_spec.values)  # type: ignore
        out.append("{" + name + conv + spec + "}")
    return "".join(out), args


def _literal_lines(text: str, width: int) -> list[str]:
    """`text` as one or more string literals of at most `width` characters each."""
    pieces, line = [], ""
    for word in re.split(r"(?<= )", text):
        if line and len(repr(line + word)) > width:
            pieces.append(line)
            line = ""
        line += word
    pieces.append(line)
    return [_quote(p) for p in pieces]


def _quote(s: str) -> str:
    r = repr(s)
    if r.startswith("'") and '"' not in s:
        r = '"' + r[1:-1].replace("\\'", "'") + '"'
    return r


def refusals(tree: ast.AST) -> Iterator[ast.expr]:
    """The library's refusals: the sentence given to `raise SomethingError(...)`."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                and callee(node.exc).endswith("Error") and node.exc.args
                and _is_text(node.exc.args[0])):
            yield node.exc.args[0]


def rewrite(src: str, func: str = "_") -> tuple[str, int]:
    """`src` with every shown literal wrapped in `func(...)`; and how many."""
    tree = ast.parse(src)
    found = refusals(tree) if func == "N_" else shown(tree)
    nodes = sorted(found, key=lambda n: (n.lineno, n.col_offset), reverse=True)
    data = src.encode()  # ast's column offsets count UTF-8 bytes
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    count = 0
    for node in nodes:
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[operator]
        old = data[start:end].decode()
        line_start = data[starts[node.lineno - 1]:start].decode()
        indent = len(line_start) + len(func) + 1
        if isinstance(node, ast.Constant):
            new = f"{func}({old})"
        else:
            try:
                tmpl, args = template(node, src)  # type: ignore[arg-type]
            except ValueError:
                continue
            lits = _literal_lines(tmpl, max(40, 98 - indent))
            parts = lits[:-1] + [lits[-1] + ("," if args else "")]
            for k, v in args.items():
                arg = f"{k}={v}"
                if len(parts[-1]) + len(arg) + 2 + indent < 99:
                    parts[-1] += " " + arg + ","
                else:
                    parts.append(arg + ",")
            if args:
                parts[-1] = parts[-1].rstrip(",")
            body = ("\n" + " " * indent).join(p.rstrip() for p in parts)
            new = f"{func}({body})"
        data = data[:start] + new.encode() + data[end:]
        count += 1
    return data.decode(), count


if __name__ == "__main__":
    total = 0
    func = "N_" if sys.argv[1] == "--refusals" else "_"
    for path in sys.argv[1 + (func == "N_"):]:
        p = Path(path)
        new, n = rewrite(p.read_text(), func)
        p.write_text(new)
        print(f"{path}: {n}")
        total += n
    print(f"total {total}")
