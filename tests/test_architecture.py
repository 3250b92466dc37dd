"""The layering users and contributors rely on: imports flow one way, simpy and matplotlib stay in their layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"

# Each layer may import itself and the layers listed after it (docs/architecture.md).
ORDER = ["cli", "report", "viz", "findings", "analysis", "sim", "policy", "graph", "frameworks", "importers", "model"]
SHARED = {"errors", "escaping", "generate"}
"""The exception root, escaping for every output language, and the generator that only builds scenario dicts."""


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workbench" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_layers_import_only_the_layers_below_them() -> None:
    violations = []
    for path in _modules():
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own not in ORDER:
            continue
        allowed = set(ORDER[ORDER.index(own) :]) | SHARED
        for line, module in _imports(path):
            layer = _layer(module)
            if layer is not None and layer not in allowed:
                violations.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert violations == []


@pytest.mark.parametrize(("library", "home"), [("simpy", {"sim"}), ("matplotlib", {"viz", "report"})])
def test_heavy_libraries_stay_in_their_layer(library: str, home: set[str]) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in _modules()
        for line, module in _imports(path)
        if module.split(".")[0] == library and path.relative_to(PACKAGE).parts[0] not in home
    ]
    assert offenders == []


def test_base_layers_import_nothing_above_them() -> None:
    for path in _modules():
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own in SHARED:
            assert all(_layer(m) in (None, "model", "errors", "escaping") for _, m in _imports(path)), path


def test_run_metrics_are_declared_once() -> None:
    """Name, label, unit and direction of a metric live in sim/metrics.py; every other module refers to them.

    A second literal tuple of metric names (another HEADLINE_METRICS) or a second `Metric(...)` would let the CLI, the
    notebook view and the report disagree about which numbers matter and what they are called.
    """
    from workbench.sim.metrics import RUN_METRICS

    names = set(RUN_METRICS)
    home = PACKAGE / "sim" / "metrics.py"
    offenders = []
    for path in _modules():
        if path == home:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Metric":
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} declares a Metric")
            targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
            value = getattr(node, "value", None)
            if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(value, ast.Tuple | ast.List):
                continue
            named = any(isinstance(t, ast.Name) and t.id.upper().endswith("METRICS") for t in targets)
            listed = {e.value for e in value.elts if isinstance(e, ast.Constant)}
            if named and listed and listed <= names:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} lists metrics {sorted(listed)}")
    assert offenders == []
