"""The helpers tests and benchmarks share live in tests/support: a benchmark imports nothing else
from tests/, a test takes a helper of another kind of test from there (not from that kind's
folder), and nobody imports a private name from tests or benchmarks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("unit", "model", "app", "e2e")


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) for every import in `path`, inside functions too; a relative
    import's module is made absolute."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.append((module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names)
    return found


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_benchmarks_take_only_the_shared_helpers_from_the_tests():
    seen = []
    for path in files("benchmarks"):
        for module, _, line in imports(path):
            if module == "tests" or module.startswith("tests."):
                seen.append(module)
                assert module == "tests.support" or module.startswith("tests.support."), \
                    f"{path.relative_to(ROOT)}:{line} imports {module}"
    assert "tests.support.browser" in seen  # the check read the benchmarks that drive Chromium


def test_a_test_takes_another_kinds_helpers_only_from_tests_support():
    for kind in KINDS:
        for path in files(f"tests/{kind}"):
            for module, _, line in imports(path):
                other = [k for k in KINDS if k != kind and (module == f"tests.{k}"
                                                           or module.startswith(f"tests.{k}."))]
                assert not other, f"{path.relative_to(ROOT)}:{line} imports {module}"


@pytest.mark.parametrize("folder", ["tests", "benchmarks"])
def test_no_private_name_is_imported_from_tests_or_benchmarks(folder):
    for path in files(folder):
        for module, names, line in imports(path):
            if module.split(".")[0] in ("tests", "benchmarks"):
                private = [n for n in names if n.startswith("_")]
                assert not private, f"{path.relative_to(ROOT)}:{line} imports {private}"
