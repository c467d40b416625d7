"""The import direction of the harness: each layer imports only the layers below it.

    errors, resources          what everything may use (they import nothing of the project)
    data                       schema, encoding, cohorts, simulation, real exports
    api                        the contracts: synthesizer, attack, metric, registry
    privacy                    accountants, ledgers, the audit
    gan, marginal, evaluate,   machinery of the methods, membership evaluation and the metrics;
    metrics                    peers, so none imports another
    baselines, attacks         the methods (top-level packages), on the layers above
    run                        config, cells, executors, records, fingerprints
    report                     tables and the frontier, from records
    perf, tuning, testing, cli the entry points and the conformance suite (the command line last)

Imports inside functions count: a lazy import is still a dependency.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RANK = {"errors": 0, "resources": 0, "data": 1, "api": 2, "privacy": 3, "gan": 4, "marginal": 4, "evaluate": 4,
        "metrics": 4, "baselines": 5, "attacks": 5, "run": 6, "report": 7, "perf": 8, "tuning": 8, "testing": 8, "cli": 9,
        "__main__": 10}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in ("baselines", "attacks"):
        return parts[0]
    if parts[0] != "bench" or len(parts) == 1:
        return None  # the package itself: only its docstring and version
    return parts[1]


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def _violations():
    found = []
    for top in ("bench", "baselines", "attacks"):
        for path in sorted((REPO / top).rglob("*.py")):
            module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            here = _layer(module)
            if here is None:
                continue
            for imported, line in _imports(path):
                there = _layer(imported)
                if there is None or there == here:
                    continue
                if there not in RANK or here not in RANK:
                    found.append(f"{path.relative_to(REPO)}:{line}: {imported} is in no layer")
                elif RANK[there] >= RANK[here]:
                    found.append(f"{path.relative_to(REPO)}:{line}: {here} imports {imported} ({there} is not below it)")
    return found


def test_every_import_points_down_the_layers():
    assert _violations() == []


def test_every_subpackage_of_bench_has_a_layer():
    folders = {p.name for p in (REPO / "bench").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (REPO / "bench").glob("*.py") if p.stem != "__init__"}
    assert folders | modules <= set(RANK)
