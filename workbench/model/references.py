"""Cross-reference checking: every id a scenario uses must name an entity of the right kind.

Run once after schema validation; reports every dangling reference with the YAML path that uses it, so an
author fixes them all in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath

from workbench.escaping import quote
from workbench.model.common import Permission
from workbench.model.scenario import Scenario
from workbench.model.threats import TARGET_KIND
from workbench.model.yaml_safe import FileProblem, contained_path, format_path, stat_regular

__all__ = ["RESOURCE_KINDS", "ReferenceProblem", "check_files", "check_references"]

RESOURCE_KINDS = frozenset({"dataset", "secret", "tool"})
"""Kinds of entity a permission can name as its resource."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ReferenceProblem:
    """An id used at `path` that does not name an entity of an expected kind."""

    path: Path
    message: str
    code: str = "unknown-reference"


def check_files(scenario: Scenario, base_dir: FilePath | None) -> list[ReferenceProblem]:
    """Every file the scenario references (Cedar policies): inside `base_dir`'s tree, existing, regular.

    The same check guards paths that arrive later (a sweep's `--param controls.cedar.policy=...`), so a path
    from the command line cannot read `/etc/passwd`, block on a named pipe or stream `/dev/zero`.
    """
    problems = []
    for index, control in enumerate(scenario.controls):
        for field, policy in control.files:
            path = ("controls", index, field)
            if base_dir is None:
                problems.append(
                    ReferenceProblem(path, "policy files need a scenario loaded from a file", "policy-path")
                )
                continue
            try:
                stat_regular(contained_path(base_dir, policy))
            except FileProblem as problem:
                what = "does not exist" if problem.code == "file-missing" else problem.message
                problems.append(ReferenceProblem(path, f"policy file {quote(policy)} {what}", "policy-path"))
    return problems


def check_references(scenario: Scenario) -> list[ReferenceProblem]:
    """All reference problems of a scenario, in file order: unknown ids, wrong kinds, duplicates, cycles."""
    checker = _Checker(scenario)
    checker.run()
    return checker.problems


_KIND_NAMES = {
    "agent": "agent",
    "human": "human",
    "service_account": "service account",
    "tool": "tool",
    "dataset": "dataset",
    "secret": "secret",
    "role": "role",
    "task_type": "task type",
    "approver_pool": "approver pool",
}


class _Checker:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.kinds = scenario.kinds
        self.problems: list[ReferenceProblem] = []

    def ref(self, value: str | None, path: Path, *kinds: str, wildcard: bool = False) -> None:
        if value is None or (wildcard and value == "*"):
            return
        kind = self.kinds.get(value)
        if kind in kinds:
            return
        wanted = " or ".join(_KIND_NAMES[k] for k in kinds)
        if kind is None:
            self.problems.append(ReferenceProblem(path, f"unknown {wanted} {quote(value)}"))
        else:
            self.problems.append(
                ReferenceProblem(path, f"{quote(value)} is a {_KIND_NAMES.get(kind, kind)}, expected a {wanted}")
            )

    def refs(self, values: Iterable[str], path: Path, *kinds: str) -> None:
        for index, value in enumerate(values):
            self.ref(value, (*path, index), *kinds)

    def permissions(self, permissions: Iterable[Permission], path: Path) -> None:
        for index, permission in enumerate(permissions):
            self.ref(permission.resource, (*path, index, "resource"), *RESOURCE_KINDS, wildcard=True)

    def run(self) -> None:
        s = self.scenario
        self._duplicates()
        for i, human in enumerate(s.humans):
            self.refs(human.roles, ("humans", i, "roles"), "role")
        for i, account in enumerate(s.service_accounts):
            self.ref(account.owner, ("service_accounts", i, "owner"), "human")
            self.refs(account.roles, ("service_accounts", i, "roles"), "role")
            for j, cred in enumerate(account.credentials):
                self.ref(cred.secret, ("service_accounts", i, "credentials", j, "secret"), "secret")
        for i, agent in enumerate(s.agents):
            self.ref(agent.owner, ("agents", i, "owner"), "human")
            self.refs(agent.roles, ("agents", i, "roles"), "role")
            self.ref(agent.runs_as, ("agents", i, "runs_as"), "service_account")
            self.refs(agent.tools, ("agents", i, "tools"), "tool")
            for j, cred in enumerate(agent.credentials):
                self.ref(cred.secret, ("agents", i, "credentials", j, "secret"), "secret")
        for i, tool in enumerate(s.tools):
            for j, access in enumerate(tool.accesses):
                self.ref(access.resource, ("tools", i, "accesses", j, "resource"), "dataset", "secret")
            self.ref(tool.credential, ("tools", i, "credential"), "secret")
            self.ref(tool.runs_as, ("tools", i, "runs_as"), "service_account")
        for i, secret in enumerate(s.secrets):
            self.permissions(secret.grants, ("secrets", i, "grants"))
            self.ref(secret.authenticates_as, ("secrets", i, "authenticates_as"), "service_account")
        for i, role in enumerate(s.roles):
            self.permissions(role.permissions, ("roles", i, "permissions"))
        for i, dataset in enumerate(s.datasets):
            self.ref(dataset.part_of, ("datasets", i, "part_of"), "dataset")
        self._grouping()
        for i, delegation in enumerate(s.delegations):
            self.ref(delegation.delegator, ("delegations", i, "delegator"), "human", "agent")
            self.ref(delegation.delegate, ("delegations", i, "delegate"), "agent")
            self.permissions(delegation.scope, ("delegations", i, "scope"))
        for i, approval in enumerate(s.approvals):
            self.ref(approval.agent, ("approvals", i, "agent"), "agent")
            self.ref(approval.approver, ("approvals", i, "approver"), "human")
            self.permissions(approval.scope, ("approvals", i, "scope"))
            self.refs(approval.tools, ("approvals", i, "tools"), "tool")
        for i, block in enumerate(s.blocked_actions):
            self.ref(block.identity, ("blocked_actions", i, "identity"), "agent", "service_account", wildcard=True)
            self.ref(block.resource, ("blocked_actions", i, "resource"), *RESOURCE_KINDS, wildcard=True)
        for i, trigger in enumerate(s.revocation_triggers):
            self.ref(trigger.identity, ("revocation_triggers", i, "identity"), "agent", wildcard=True)
        for i, pool in enumerate(s.services.approver_pools):
            self.refs(pool.approvers, ("services", "approver_pools", i, "approvers"), "human")
        self._workload()
        for i, threat in enumerate(s.threats):
            self.ref(threat.target, ("threats", i, "target"), TARGET_KIND[threat.kind])
            self.ref(threat.actor, ("threats", i, "actor"), "human")
            if threat.kind == "insider_misuse" and threat.actor is None:
                self.problems.append(
                    ReferenceProblem(("threats", i), "insider_misuse needs an 'actor' (a human)", "missing-field")
                )
        self._controls()
        if s.observed is not None:
            self.refs(s.observed.agents, ("observed", "agents"), "agent")
            for i, use in enumerate(s.observed.uses):
                self.ref(use.agent, ("observed", "uses", i, "agent"), "agent")
                self.ref(use.resource, ("observed", "uses", i, "resource"), *RESOURCE_KINDS)
                self.ref(use.tool, ("observed", "uses", i, "tool"), "tool")
        designs = set(s.control_labels)
        for i, risk in enumerate(s.accepted_risks):
            self.ref(risk.owner, ("accepted_risks", i, "owner"), "human")
            # Simulation findings are about a control design, so a design name is an entity here too.
            if risk.entity is not None and risk.entity not in self.kinds and risk.entity not in designs:
                self.problems.append(
                    ReferenceProblem(
                        ("accepted_risks", i, "entity"), f"unknown entity or control design {quote(risk.entity)}"
                    )
                )

    def _duplicates(self) -> None:
        first: dict[str, Path] = {}
        for _kind, path, item in self.scenario.iter_entities():
            entity_id = item.id  # type: ignore[attr-defined]
            if entity_id in first:
                where = format_path(first[entity_id])
                self.problems.append(
                    ReferenceProblem(
                        (*path, "id"),
                        f"duplicate id {quote(entity_id)} (first defined at {where})",
                        "duplicate-id",
                    )
                )
            else:
                first[entity_id] = path

    def _workload(self) -> None:
        tasks = self.scenario.workload.task_types
        for i, task in enumerate(tasks):
            base: Path = ("workload", "task_types", i)
            self.ref(task.agent, (*base, "agent"), "agent")
            self.ref(task.on_behalf_of, (*base, "on_behalf_of"), "human")
            if task.intent is not None:
                self.permissions(task.intent, (*base, "intent"))
            for j, step in enumerate(task.steps):
                self.ref(step.resource, (*base, "steps", j, "resource"), *RESOURCE_KINDS)
                self.ref(step.via_tool, (*base, "steps", j, "via_tool"), "tool")
                self.ref(step.delegate, (*base, "steps", j, "delegate"), "task_type")
        # Sub-task delegation must not loop: a cycle would never finish in the simulation.
        calls = {t.id: [s.delegate for s in t.steps if s.delegate] for t in tasks}
        state: dict[str, int] = {}

        def visit(task_id: str, trail: list[str]) -> list[str] | None:
            state[task_id] = 1
            for callee in calls.get(task_id, []):
                if callee is None:
                    continue
                if state.get(callee) == 1:
                    return [*trail, callee]
                if callee not in state and (cycle := visit(callee, [*trail, callee])):
                    return cycle
            state[task_id] = 2
            return None

        for i, task in enumerate(tasks):
            if task.id not in state and (cycle := visit(task.id, [task.id])):
                self.problems.append(
                    ReferenceProblem(
                        ("workload", "task_types", i),
                        "sub-task delegation loops: " + " -> ".join(cycle),
                        "cycle",
                    )
                )

    def _grouping(self) -> None:
        # `part_of` is a hierarchy Cedar evaluates with `in`: it must end, not loop. A dataset has one parent, so
        # walks that stop at any dataset an earlier walk passed find every loop in time linear in the datasets
        # (a walk per dataset from scratch is cubic on a long chain). A loop is reported once, at its member
        # first in the file, read from there.
        datasets = self.scenario.datasets
        parent = {d.id: d.part_of for d in datasets if d.part_of is not None}
        first: dict[str, int] = {}
        for index, dataset in enumerate(datasets):
            first.setdefault(dataset.id, index)
        walked: set[str] = set()
        loops: list[tuple[int, list[str]]] = []
        for dataset in datasets:
            trail: dict[str, int] = {}  # id -> its position on this walk
            node: str | None = dataset.id
            while node is not None and node not in walked and node not in trail:
                trail[node] = len(trail)
                node = parent.get(node)
            walked.update(trail)
            if node is not None and node in trail:  # this walk closed a loop
                cycle = list(trail)[trail[node] :]
                start = cycle.index(min(cycle, key=first.__getitem__))
                cycle = cycle[start:] + cycle[:start]
                loops.append((first[cycle[0]], cycle))
        for index, cycle in sorted(loops):
            self.problems.append(
                ReferenceProblem(
                    ("datasets", index, "part_of"), "part_of loops: " + " -> ".join([*cycle, cycle[0]]), "cycle"
                )
            )

    def _controls(self) -> None:
        seen: dict[str, int] = {}
        for i, control in enumerate(self.scenario.controls):
            self.ref(control.requested_pool, ("controls", i, "approver_pool"), "approver_pool")
            if control.label in seen:
                self.problems.append(
                    ReferenceProblem(
                        ("controls", i),
                        f"two control designs are named {quote(control.label)}; give one a distinct 'name'",
                        "duplicate-id",
                    )
                )
            seen.setdefault(control.label, i)
