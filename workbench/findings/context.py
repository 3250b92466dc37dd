"""What every rule is given, and the one way a rule turns an observation into a `Finding`.

A rule is a small function `(RuleContext) -> Iterable[Finding]`. It calls `ctx.finding(...)` so that title,
default severity, remediation, framework refs, location and fingerprint are filled the same way for all.

One context serves a whole evaluation, so what several rules (or every agent) ask is computed once here:
the designs, the block list, each agent's task types and approvals, and what each approval covers. Rules
loop over agents, so nothing they call per agent may scan the whole scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from workbench.errors import RuleError
from workbench.findings.access import AccessView, Route
from workbench.findings.approvals import approval_live, covered_pairs
from workbench.findings.finding import EvidenceValue, Finding, Location, Severity, fingerprint
from workbench.findings.rules import rule
from workbench.frameworks import Catalog, FrameworkRef
from workbench.model import Approval, Scenario, TaskType
from workbench.model.common import Provenance
from workbench.model.origins import origin as imported_from
from workbench.policy.base import ControlDesign
from workbench.policy.blocked import BlockList, block_list
from workbench.policy.factory import build_designs

if TYPE_CHECKING:  # only the type: the rules read the result's frames, the simulator is not needed
    from workbench.analysis import SimulationResult

__all__ = ["RuleContext", "YamlPath"]

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleContext:
    """The scenario, its access index, an optional simulation result and the framework catalog."""

    scenario: Scenario
    access: AccessView
    simulation: SimulationResult | None = None
    catalog: Catalog | None = None
    earlier: tuple[Finding, ...] = ()
    """Findings of the rules that ran before (given only to rules that judge other findings, e.g. WB002)."""
    ran: tuple[str, ...] = ()
    """Ids of the rules that ran before."""
    _refs: dict[str, tuple[FrameworkRef, ...]] = field(default_factory=dict, repr=False, compare=False)

    # -- scenario questions many rules share ----------------------------------------------------------

    @cached_property
    def designs(self) -> tuple[ControlDesign, ...]:
        """The scenario's control designs, built by the policy layer on this context's effective permissions."""
        return tuple(build_designs(self.scenario, standing=self.access.effective))

    @cached_property
    def blocks(self) -> BlockList:
        """The scenario's blocked actions, indexed once."""
        return block_list(self.scenario)

    def tasks_of(self, agent_id: str) -> list[TaskType]:
        """Task types the agent runs, in scenario order."""
        return self._tasks_by_agent.get(agent_id, [])

    def approvals_of(self, agent_id: str) -> list[Approval]:
        """Every approval of the agent, live or not, in scenario order."""
        return self._approvals_by_agent.get(agent_id, [])

    def live_approvals_of(self, agent_id: str) -> list[Approval]:
        """The agent's approvals that hold on the scenario's as_of date."""
        return [a for a in self.approvals_of(agent_id) if approval_live(a, as_of=self.scenario.as_of)]

    def covered_bits(self, approval: Approval) -> int:
        """What an approval covers (`approvals.covered_pairs`), as a bitset of the access view."""
        return self._covered[approval.id]

    @cached_property
    def _tasks_by_agent(self) -> dict[str, list[TaskType]]:
        grouped: dict[str, list[TaskType]] = {}
        for task in self.scenario.workload.task_types:
            grouped.setdefault(task.agent, []).append(task)
        return grouped

    @cached_property
    def _approvals_by_agent(self) -> dict[str, list[Approval]]:
        grouped: dict[str, list[Approval]] = {}
        for approval in self.scenario.approvals:
            grouped.setdefault(approval.agent, []).append(approval)
        return grouped

    @cached_property
    def _covered(self) -> dict[str, int]:
        resources, bits_of = self.access.index.resources, self.access.bits_of
        return {a.id: bits_of(covered_pairs(self.scenario, a, resources=resources)) for a in self.scenario.approvals}

    def path_to(self, entity_id: str, *within: str | int) -> YamlPath:
        """YAML path of an entity, or of a node inside it (e.g. `path_to("bot", "credentials", 0)`)."""
        base = self.scenario.path_of(entity_id)
        return (*base, *within) if base else ()

    # -- making findings ------------------------------------------------------------------------------

    def finding(
        self,
        rule_id: str,
        entity_id: str,
        message: str,
        *,
        key: Mapping[str, str] | None = None,
        evidence: Mapping[str, EvidenceValue] | None = None,
        path: Route = (),
        at: YamlPath | None = None,
        severity: Severity | None = None,
        entity_kind: str | None = None,
        origin: Provenance | None = None,
    ) -> Finding:
        """A finding of `rule_id` about `entity_id`.

        `key` holds the ids that tell this finding apart from others of the same rule and entity (e.g. the
        secret); it goes into the evidence and, alone with rule and entity, into the fingerprint. `at` is the
        YAML node to point at; by default the entity itself. A node of an imported entity is located in the
        inventory file it was read from (`model.origins.origin`), or at `origin` when the rule knows better.
        """
        meta = rule(rule_id)
        kind = entity_kind or self.scenario.kinds.get(entity_id)
        if kind is None:
            raise RuleError(f"{rule_id}: finding about '{entity_id}', which is not an entity of the scenario")
        yaml_path = self.scenario.path_of(entity_id) if at is None else at
        where = origin or imported_from(self.scenario, yaml_path)
        if where is not None:
            file, line, column = where.file, where.line, where.column
        else:
            file, line, column = self.scenario.locate(yaml_path)
        return Finding(
            rule_id=rule_id,
            title=meta.title,
            severity=severity or meta.severity,
            entity_id=entity_id,
            entity_kind=kind,
            message=message,
            location=Location(file, line, column, tuple(yaml_path)),
            remediation=meta.remediation,
            fingerprint=fingerprint(rule_id, entity_id, key),
            evidence={**(key or {}), **(evidence or {})},
            path=tuple(path),
            refs=self.refs_for(rule_id),
        )

    def refs_for(self, rule_id: str) -> tuple[FrameworkRef, ...]:
        """Framework refs of a rule from the catalog (none without a catalog)."""
        if self.catalog is None:
            return ()
        if rule_id not in self._refs:
            self._refs[rule_id] = tuple(self.catalog.refs_for(rule_id))
        return self._refs[rule_id]
