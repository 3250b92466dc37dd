"""workbench: model the access of AI agents, simulate it under competing control designs, and hand the
evidence to governance.

The curated public API, for notebooks and scripts (`import workbench as wb`):

- scenarios: `load_scenario`, `parse_scenario`, `validate` (load and compile policies), `Scenario`;
- static analysis: `build_graph`, `compile_access`, `blast_radius`, `blast_radius_records`, `attack_paths`,
  `who_can_reach`, `explain`;
- simulation: `simulate` (-> `SimulationResult` with `.summary()`, `.compare()`, `.state_at()`), `compare`,
  `sweep` (grids of parameters on a process pool or dask) and `pareto_frontier`;
- findings and governance: `evaluate`, `capability_map(s)`, `iga_answers`, `iga_report`, `load_catalog`.

Layers live in sub-packages (model, graph, policy, sim, analysis, findings, report) and import one way
only. Names are imported on first use so `import workbench` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench.errors import ScenarioError, WorkbenchError

if TYPE_CHECKING:
    from workbench.analysis import SimulationResult, compare, pareto_frontier, simulate, sweep
    from workbench.findings import evaluate
    from workbench.findings.governance import capability_map, capability_maps, iga_answers, iga_report
    from workbench.frameworks import load_catalog
    from workbench.graph import (
        attack_paths,
        blast_radius,
        blast_radius_records,
        build_graph,
        compile_access,
        explain,
        who_can_reach,
    )
    from workbench.model import Scenario, load_scenario, parse_scenario
    from workbench.policy.check import validate

__version__ = "0.1.0"

_HOME: dict[str, str] = {
    "Scenario": "workbench.model",
    "load_scenario": "workbench.model",
    "parse_scenario": "workbench.model",
    "attack_paths": "workbench.graph",
    "blast_radius": "workbench.graph",
    "blast_radius_records": "workbench.graph",
    "build_graph": "workbench.graph",
    "compile_access": "workbench.graph",
    "explain": "workbench.graph",
    "who_can_reach": "workbench.graph",
    "SimulationResult": "workbench.analysis",
    "compare": "workbench.analysis",
    "simulate": "workbench.analysis",
    "sweep": "workbench.analysis",
    "pareto_frontier": "workbench.analysis",
    "evaluate": "workbench.findings",
    "capability_map": "workbench.findings.governance",
    "capability_maps": "workbench.findings.governance",
    "iga_report": "workbench.findings.governance",
    "validate": "workbench.policy.check",
    "iga_answers": "workbench.findings.governance",
    "load_catalog": "workbench.frameworks",
}

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "WorkbenchError",
    "__version__",
    "attack_paths",
    "blast_radius",
    "blast_radius_records",
    "build_graph",
    "capability_map",
    "capability_maps",
    "compare",
    "compile_access",
    "evaluate",
    "explain",
    "iga_answers",
    "iga_report",
    "load_catalog",
    "load_scenario",
    "pareto_frontier",
    "parse_scenario",
    "simulate",
    "sweep",
    "validate",
    "who_can_reach",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
