"""The shape of the library, checked: imports run one way (import-linter's contracts in
pyproject.toml), no import cycle between any two modules (imports inside functions count;
TYPE_CHECKING imports do not), no module over 400 lines, at most a dozen modules at the top of
digitlab/, every subpackage a public face, and pyproject.toml pinning what requirements*.txt
pin. The checks are run once on a small package made to break them, so a check that can no
longer fail fails here."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import os
import pkgutil
import re
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "digitlab"
MAX_LINES = 400
MAX_TOP_MODULES = 12


# --- the checks ------------------------------------------------------------------------------


def lint_imports(root: Path) -> tuple[int, str]:
    """import-linter on the contracts in root/pyproject.toml: (exit code, its report)."""
    from importlinter.cli import lint_imports as lint

    out, path, cwd = io.StringIO(), list(sys.path), os.getcwd()
    try:
        os.chdir(root)
        with contextlib.redirect_stdout(out):
            code = lint(config_filename=str(root / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    finally:
        os.chdir(cwd)
        sys.path[:] = path  # lint_imports puts the working folder first
    return code, out.getvalue()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every dotted name a module imports, at any depth (inside functions too), except under
    `if TYPE_CHECKING:`; `from X import Y` gives X.Y (a submodule or a name in X)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing module's package
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names.update(f"{base}.{alias.name}" for alias in node.names)
        visit(node)

    visit(tree)
    return names


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """{module: the package's modules it makes Python import}, at module granularity.

    Importing a.b.c runs the packages a and a.b first, so an import of a.b.c from outside a.b
    depends on a.b's __init__ too (a face that imports its modules): that is how a face can
    close a cycle. A module's own packages are already being imported: no edge."""
    root = package_dir.parent
    files = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        files[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in files.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        edges = set()
        for name in _imported_names(ast.parse(path.read_text()), module, is_package):
            while name and name not in files:  # a name inside a module -> that module
                name = name.rpartition(".")[0]
            parts = name.split(".") if name else []
            edges.update(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1))
                         if p in files and p not in own)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) through each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(_path_within(graph, group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _path_within(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    start = min(group)
    paths = {start: [start]}
    todo = [start]
    while todo:  # breadth first, back to start
        v = todo.pop(0)
        for w in sorted(graph[v] & group):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    raise AssertionError("a strongly connected group always has a cycle")


def oversized(package_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(package_dir.parent)): n for p in sorted(package_dir.rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > MAX_LINES}


# --- on DigitLab -------------------------------------------------------------------------------


def test_the_import_contracts_in_pyproject_are_kept():
    code, report = lint_imports(ROOT)
    assert code == 0, report


def test_no_two_modules_import_each_other_even_inside_a_function():
    graph = import_graph(PACKAGE)
    assert len(graph) > 60  # every module was read
    assert cycles(graph) == [], "\n".join(" -> ".join(c) for c in cycles(graph))


def test_no_module_is_over_400_lines_and_the_top_holds_a_dozen_at_most():
    assert oversized(PACKAGE) == {}
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_subpackage_is_a_public_face_that_hides_no_module():
    """A docstring, __all__ naming what it holds, and no re-exported name that shadows a
    module of the package (`evaluate` the function would hide `evaluate` the module)."""
    for info in pkgutil.walk_packages([str(PACKAGE)], "digitlab."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        parent, _, leaf = info.name.rpartition(".")
        assert getattr(importlib.import_module(parent), leaf) is module, info.name
        if info.ispkg:
            assert (module.__doc__ or "").strip(), f"{info.name} has no docstring"
            missing = [n for n in module.__all__ if not hasattr(module, n)]
            assert not missing, f"{info.name}.__all__ names {missing}"


def test_pyproject_pins_what_the_requirements_files_pin():
    def pins(name: str) -> set[str]:
        lines = (ROOT / name).read_text().splitlines()
        return {line.split("#")[0].strip() for line in lines if "==" in line}

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == pins("requirements.txt")
    assert set(project["optional-dependencies"]["test"]) == pins("requirements-test.txt")
    assert project["scripts"]["digitlab"] == "digitlab.cli:main"


# --- the checks can fail -----------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_checks_fail_on_a_package_that_breaks_them(tmp_path):
    """A cycle closed by an import inside a function, one through a package's face, one only
    under TYPE_CHECKING (allowed), a lower layer importing a higher one, a long module."""
    _write(tmp_path, {
        "archpkg/__init__.py": "",
        "archpkg/low/__init__.py": "from archpkg.low.a import A\n",
        "archpkg/low/a.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from archpkg.low import c
            A = 1
            def later():
                from archpkg.low import b
                return b
            """,
        "archpkg/low/b.py": "import archpkg.low.a\n",
        "archpkg/low/c.py": "from archpkg.low.a import A\n",
        "archpkg/low/d.py": "from archpkg.high import e\n",  # up a layer, and through a face:
        "archpkg/high/__init__.py": "from archpkg.high.e import E\n",
        "archpkg/high/e.py": "from archpkg.low.d import f\nE = 2\n" + "x = 0\n" * MAX_LINES,
        "pyproject.toml": """
            [tool.importlinter]
            root_package = "archpkg"
            exclude_type_checking_imports = true

            [[tool.importlinter.contracts]]
            name = "high over low"
            type = "layers"
            layers = ["archpkg.high", "archpkg.low"]
            """,
    })
    graph = import_graph(tmp_path / "archpkg")
    assert sorted(map(tuple, cycles(graph))) == [
        ("archpkg.high", "archpkg.high.e", "archpkg.low.d", "archpkg.high"),
        ("archpkg.low.a", "archpkg.low.b", "archpkg.low.a")]
    assert "archpkg.low.c" not in graph["archpkg.low.a"]  # only under TYPE_CHECKING
    assert oversized(tmp_path / "archpkg") == {"archpkg/high/e.py": MAX_LINES + 2}
    code, report = lint_imports(tmp_path)
    assert code != 0 and re.search(r"archpkg\.low\.d -> archpkg\.high", report), report


@pytest.fixture(autouse=True)
def _forget_archpkg():
    yield
    for name in [n for n in sys.modules if n == "archpkg" or n.startswith("archpkg.")]:
        del sys.modules[name]
