"""What every rule is given, and the one way a rule turns an observation into a `Finding`.

A rule is a small function `(RuleContext) -> Iterable[Finding]`. It calls `ctx.finding(...)` so that title,
default severity, remediation, framework refs, location and fingerprint are filled the same way for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from workbench.errors import RuleError
from workbench.findings.access import AccessView, Route
from workbench.findings.finding import EvidenceValue, Finding, Location, Severity, fingerprint
from workbench.findings.rules import rule
from workbench.frameworks import Catalog, FrameworkRef
from workbench.model import Scenario, TaskType
from workbench.policy.base import ControlDesign
from workbench.policy.blocked import BlockList, block_list
from workbench.policy.factory import build_designs

__all__ = ["RuleContext", "YamlPath"]

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleContext:
    """The scenario, its access index, an optional simulation result and the framework catalog."""

    scenario: Scenario
    access: AccessView
    simulation: Any = None
    catalog: Catalog | None = None
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
        return [task for task in self.scenario.workload.task_types if task.agent == agent_id]

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
    ) -> Finding:
        """A finding of `rule_id` about `entity_id`.

        `key` holds the ids that tell this finding apart from others of the same rule and entity (e.g. the
        secret); it goes into the evidence and, alone with rule and entity, into the fingerprint. `at` is the
        YAML node to point at; by default the entity itself.
        """
        meta = rule(rule_id)
        kind = entity_kind or self.scenario.kinds.get(entity_id)
        if kind is None:
            raise RuleError(f"{rule_id}: finding about '{entity_id}', which is not an entity of the scenario")
        yaml_path = self.scenario.path_of(entity_id) if at is None else at
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
