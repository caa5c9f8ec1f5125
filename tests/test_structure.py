"""Size and privacy limits of the code, as test_docs.py holds the README to the code.

- no module in readinglist/ (recursively) over MODULE_LIMIT lines;
- no class anywhere in readinglist/ over CLASS_LIMIT lines;
- no module using another module's _private names (``from x import _name``,
  ``module._name``, or ``obj._name`` on anything but self, cls and super()).
  Only names some module of readinglist/ defines count: the privates of Whoosh
  (search_sets reads a leaf matcher's blocks), the stdlib and Qt are not ours to
  keep, and a name a module defines itself is taken for its own class's.

Known breaches are listed in EXCEPTIONS, each with its reason; an exception that
is no longer needed fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from support import ROOT

MODULE_LIMIT = 600
CLASS_LIMIT = 400

# Keys: "PATH" for a module over MODULE_LIMIT, "PATH::Class" for a class over
# CLASS_LIMIT, "PATH: EXPRESSION" for a use of another module's private name
# (the expression as ast.unparse writes it, so moving the line keeps the key).
EXCEPTIONS: dict[str, str] = {}

PACKAGE = ROOT / "readinglist"


def rel(path: Path) -> str:
    """``path`` relative to the repository, with forward slashes (the keys' form)."""
    return path.relative_to(ROOT).as_posix()


def sources() -> list[Path]:
    """Every Python module of the package."""
    return sorted(PACKAGE.rglob("*.py"))


@cache
def tree(path: Path) -> ast.Module:
    """The parsed module (parsed once per test run)."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def package_module_names() -> frozenset[str]:
    """The dotted names of the package's modules and subpackages."""
    return frozenset(module_name(p) for p in sources())


def is_private(name: str) -> bool:
    """A _single_underscore name; dunders are Python's, not a module's privates."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> str:
    """``readinglist/core/search.py`` -> ``readinglist.core.search``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# --- sizes ---------------------------------------------------------------------------


def size_limited_modules() -> list[Path]:
    """The modules MODULE_LIMIT applies to: every module of the package (the GUI
    too, since the window was split into modules of one job each)."""
    return sorted(PACKAGE.rglob("*.py"))


def module_breaches() -> dict[str, str]:
    """Key -> message for each module over MODULE_LIMIT lines."""
    out = {}
    for path in size_limited_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LIMIT:
            out[rel(path)] = (
                f"{rel(path)}: {lines} lines, over the {MODULE_LIMIT}-line module limit"
            )
    return out


def class_breaches() -> dict[str, str]:
    """Key -> message for each class (nested ones too) over CLASS_LIMIT lines."""
    out = {}
    for path in sources():
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > CLASS_LIMIT:
                    out[f"{rel(path)}::{node.name}"] = (
                        f"{rel(path)}:{node.lineno}: class {node.name} is {lines} lines, "
                        f"over the {CLASS_LIMIT}-line class limit"
                    )
    return out


# --- private names -------------------------------------------------------------------


def defined_privates(module: ast.Module) -> set[str]:
    """The private names a module defines: top-level and class-level definitions,
    instance attributes assigned through self/cls, and __slots__ entries."""
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets)
            and isinstance(node.value, (ast.Tuple, ast.List))
        ):
            names.update(e.value for e in node.value.elts if isinstance(e, ast.Constant))
    return {n for n in names if is_private(n)}


@cache
def privates_by_module() -> dict[str, frozenset[str]]:
    """Module path -> the private names it defines, for every module of the package."""
    return {rel(p): frozenset(defined_privates(tree(p))) for p in sources()}


def owners(name: str, besides: str) -> list[str]:
    """The package's modules other than ``besides`` that define the private ``name``."""
    return sorted(m for m, names in privates_by_module().items() if m != besides and name in names)


def is_own_object(node: ast.expr) -> bool:
    """self, cls or super(): a class reaching its own (or its bases') attributes."""
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "super"
        and not node.args
    )


def package_modules(module: ast.Module, importer: Path) -> set[str]:
    """Local names bound to modules of this package by ``import`` statements."""
    known = package_module_names()
    bound: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "readinglist":
                    bound.add(alias.asname or "readinglist")
        elif isinstance(node, ast.ImportFrom):
            base = resolve(node, importer)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    bound.add(alias.asname or alias.name)
    return bound


def resolve(node: ast.ImportFrom, importer: Path) -> str:
    """The absolute module name an ImportFrom reads from (relative imports too)."""
    if not node.level:
        return node.module or ""
    package = module_name(importer).split(".")
    if importer.name != "__init__.py":
        package.pop()
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def private_uses(path: Path) -> Iterator[tuple[str, str]]:
    """(key, message) for each use, in the module at ``path``, of a private name
    another module of the package defines."""
    module = tree(path)
    here = rel(path)
    own = privates_by_module()[here]
    modules = package_modules(module, path)
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and resolve(node, path).startswith("readinglist"):
            for alias in node.names:
                if is_private(alias.name):
                    text = f"from {resolve(node, path)} import {alias.name}"
                    yield (
                        f"{here}: {text}",
                        f"{here}:{node.lineno}: `{text}` imports a private name",
                    )
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if is_own_object(node.value):
                continue
            text = ast.unparse(node)
            if names_package_module(node.value, modules):
                # module._name, the module one of ours: private whoever defines it.
                yield (
                    f"{here}: {text}",
                    f"{here}:{node.lineno}: `{text}` reaches into another module's private name",
                )
            elif node.attr not in own and (where := owners(node.attr, here)):
                # A name the module defines itself is taken for its own class's.
                yield (
                    f"{here}: {text}",
                    f"{here}:{node.lineno}: `{text}` uses {node.attr}, private to {', '.join(where)}",
                )


def names_package_module(node: ast.expr, modules: set[str]) -> bool:
    """``node`` is an imported module of ours (``library_module``, ``readinglist.core.x``)."""
    if isinstance(node, ast.Name):
        return node.id in modules
    dotted = ast.unparse(node)
    return dotted in package_module_names()


def private_breaches() -> dict[str, str]:
    """Key -> message for each use of another module's private name."""
    out: dict[str, str] = {}
    for path in sources():
        for key, message in private_uses(path):
            out.setdefault(key, message)
    return out


# --- the tests -----------------------------------------------------------------------


def by_file_and_line(message: str) -> list[str | int]:
    """Sort key: ``path:12:`` before ``path:101:``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", message)]


def check(breaches: dict[str, str]) -> None:
    """Fail naming every breach EXCEPTIONS does not list."""
    problems = [message for key, message in breaches.items() if key not in EXCEPTIONS]
    if problems:
        pytest.fail(
            "fix these (or, with a reason, add the key to EXCEPTIONS):\n"
            + "\n".join(sorted(problems, key=by_file_and_line)),
            pytrace=False,
        )


def test_no_core_or_cli_module_is_over_the_limit():
    check(module_breaches())


def test_no_class_is_over_the_limit():
    check(class_breaches())


def test_no_module_uses_another_modules_private_names():
    check(private_breaches())


def test_every_exception_is_still_needed():
    current = {**module_breaches(), **class_breaches(), **private_breaches()}
    stale = [f"{key} ({reason})" for key, reason in EXCEPTIONS.items() if key not in current]
    if stale:
        pytest.fail(
            "no longer breaks a limit; remove from EXCEPTIONS:\n" + "\n".join(stale),
            pytrace=False,
        )
