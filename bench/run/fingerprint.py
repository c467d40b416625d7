"""The code fingerprint of a cell: a hash of the source that can change the cell's numbers.

A cell's record is reused only while this hash is unchanged. It covers the
modules named (the cell's synthesizer, attacks and metrics, the cell runner
and the split) and every module of the project they import, directly or
through others, at the top of a file or inside a function (lazy imports are
common here), read from the source with ``ast``. A module they do not reach,
such as the report or the command line, can change without touching a record.

A plugin's module is followed the same way, within its own top-level package
and the project's.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
from pathlib import Path

PROJECT_PACKAGES = ("bench", "baselines", "attacks")


@functools.lru_cache(maxsize=None)
def code_fingerprint(*modules: str) -> str:
    """Hash of the source files ``module_closure(modules)`` (names and contents)."""
    digest = hashlib.sha256()
    for name, path in module_closure(modules):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def module_closure(modules: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(module name, source file) of the named modules and every project module they import,
    sorted by name; a package's ``__init__`` counts as imported with any of its modules."""
    followed = set(PROJECT_PACKAGES) | {name.split(".")[0] for name in modules}
    seen: dict[str, Path] = {}
    pending = list(modules)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = _source(name)
        if path is None:
            continue
        seen[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            pending.append(parent)
        pending += [m for m in _imports(name, path) if m.split(".")[0] in followed]
    return sorted(seen.items())


def _source(name: str) -> Path | None:
    """The source file of a module, found on disk without importing anything below the top
    level (``from a.b import C`` makes ``a.b.C`` a candidate, which is no module)."""
    top, _, rest = name.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if not rest:
        return Path(spec.origin) if spec.origin and spec.origin.endswith(".py") else None
    for root in spec.submodule_search_locations or []:
        base = Path(root).joinpath(*rest.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


@functools.lru_cache(maxsize=None)
def _imports(name: str, path: Path) -> tuple[str, ...]:
    """Modules named by the import statements of one file; ``from a import b`` names ``a.b``
    too, which ``_source`` keeps only where it is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return tuple(m for m in found if m)
