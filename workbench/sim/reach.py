"""What each identity can exercise and what each permission weighs, as the simulation needs it.

A thin memoising adapter over graph's access index and scoring rules (docs/architecture.md, "Access
semantics"): the simulation asks these questions once per run, before the clock starts, and afterwards works
on plain tuples and frozensets. The one thing graph does not answer directly is a tool's *conduit*: what an
agent reaches by calling a wired tool, which is the tool's `accesses` done with the tool's own credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.graph.index import AccessIndex, compile_access
from workbench.graph.permissions import expand_permissions, scenario_resources
from workbench.graph.scoring import permission_weight, risk_level
from workbench.model import Permission, Scenario, Tool

__all__ = ["Grant", "ReachIndex", "risk_level"]

Grant = tuple[str, str]
"""A permission as an (action, resource) pair with no wildcards."""


@dataclass
class ReachIndex:
    """Effective permissions, compromise reach, conduits and permission weights of one scenario."""

    scenario: Scenario
    index: AccessIndex = field(init=False, repr=False)
    _resources: tuple[str, ...] = field(init=False, repr=False)
    _weights: dict[Grant, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index = compile_access(self.scenario)
        self._resources = tuple(scenario_resources(self.scenario))

    def weight(self, action: str, resource: str) -> float:
        """Weighted score of one permission (graph.scoring): sensitivity × value × action; tools weigh 0."""
        key = (action, resource)
        cached = self._weights.get(key)
        if cached is None:
            cached = self._weights[key] = permission_weight(self.scenario, action, resource)
        return cached

    def score(self, grants: Iterable[Grant]) -> float:
        """Blast-radius score of `grants`: the access index's sum, so one set has one float everywhere."""
        return self.index.score(grants)

    def expand(self, permission: Permission) -> frozenset[Grant]:
        """The concrete pairs a possibly wildcarded permission stands for."""
        return frozenset(expand_permissions([permission], resources=self._resources))

    def effective(self, identity: str) -> frozenset[Grant]:
        """Everything an agent, human or service account can exercise with what it holds (RBAC's view)."""
        return self.index.effective_permissions(identity)

    def compromise(self, entity: str) -> frozenset[Grant]:
        """What an attacker holding this agent, secret or tool can exercise under standing access."""
        return self.index.compromise_permissions(entity)

    def conduit(self, tool_id: str) -> frozenset[Grant]:
        """What calling a tool reaches: its accesses, done with the tool's own credential."""
        tool = self.scenario.by_id.get(tool_id)
        if not isinstance(tool, Tool):
            return frozenset()
        return frozenset((action, access.resource) for access in tool.accesses for action in access.actions)
