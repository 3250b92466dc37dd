"""workbench: model the access of AI agents, simulate it under competing control designs, and hand the
evidence to governance.

The public API is re-exported here; layers live in sub-packages (model, graph, policy, sim, analysis,
findings, report) and import one way only.
"""

from workbench.errors import ScenarioError, WorkbenchError
from workbench.model import Scenario, load_scenario, parse_scenario

__all__ = ["Scenario", "ScenarioError", "WorkbenchError", "load_scenario", "parse_scenario"]
__version__ = "0.1.0"
