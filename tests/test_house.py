"""The house rules, checked on the source: sizes, no private names across modules, one
line on each module's job. Run alone with `python tests/test_house.py [files]` to list
every breach."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cmassist"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MAX_CLASS_LINES = 400


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _is_data_table(node: ast.AST) -> bool:
    """A function or class that is mostly a literal (a data table) is exempt from sizes."""
    body = getattr(node, "body", [])
    literal = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Constant)
    data = sum(
        (n.end_lineno or n.lineno) - n.lineno + 1
        for n in body
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.Return) and isinstance(n.value, literal)
    )
    size = (node.end_lineno or node.lineno) - node.lineno + 1  # type: ignore[attr-defined]
    return data > size * 0.6


def breaches(path: Path) -> list[str]:
    """Every house-rule breach in one source file, as `path:line: what`."""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(SRC.parent)
    out: list[str] = []
    lines = text.count("\n") + 1
    if lines > MAX_MODULE_LINES:
        out.append(f"{rel}:1: module has {lines} lines (max {MAX_MODULE_LINES})")
    tree = ast.parse(text)
    if path.name != "__init__.py" or text.strip():
        doc = ast.get_docstring(tree)
        if not doc and path.name != "__main__.py":
            out.append(f"{rel}:1: module has no docstring saying what it is for")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if size > limit and not _is_data_table(node):
                what = "class" if isinstance(node, ast.ClassDef) else "function"
                out.append(
                    f"{rel}:{node.lineno}: {what} {node.name} has {size} lines (max {limit})"
                )
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cmassist"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    out.append(
                        f"{rel}:{node.lineno}: imports private {alias.name} from {node.module}"
                    )
    modules = {
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.name.startswith("cmassist")
    } | {
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("cmassist")
        for a in n.names
        if a.name[:1].islower() and not a.name.startswith("_")
    }
    defined = _private_names_defined(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            and (
                node.attr not in defined
                or (isinstance(node.value, ast.Name) and node.value.id in modules)
            )
        ):
            out.append(f"{rel}:{node.lineno}: uses private {ast.unparse(node)} of another module")
    return out


def _private_names_defined(tree: ast.Module) -> set[str]:
    """Private names this module defines itself: functions, classes, variables, attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if n.startswith("_")}


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_house_rules(path: Path) -> None:
    found = breaches(path)
    assert not found, "\n".join(found)


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or _sources()
    found = [b for p in paths for b in breaches(p)]
    print("\n".join(found) or "no breach")
    sys.exit(1 if found else 0)


def any_in_public_signatures(path: Path) -> list[str]:
    """Public functions and methods of a service module whose signature says `Any`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(SRC.parent)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith(
            "_"
        ):
            args = node.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            notes = [a.annotation for a in params if a is not None and a.annotation is not None]
            notes += [node.returns] if node.returns is not None else []
            if any(
                isinstance(n, ast.Name) and n.id == "Any" for note in notes for n in ast.walk(note)
            ):
                out.append(f"{rel}:{node.lineno}: {node.name} has Any in its signature")
    return out


def test_no_any_at_service_boundaries() -> None:
    """Services hand each other typed values: no `Any` in a public service signature."""
    found = [
        b for p in sorted((SRC / "services").rglob("*.py")) for b in any_in_public_signatures(p)
    ]
    assert not found, "\n".join(found)
