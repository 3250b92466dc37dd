"""WB001, scenario hygiene: roles, secrets, tools, datasets and service accounts that nothing refers to.

Not a security risk in itself, but an unreferenced entity adds nothing to any analysis and usually means a
typo or a half-finished model. A wildcard ('*') refers to nothing in particular, so it does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.model import Permission, Scenario

__all__ = ["HYGIENE_KINDS", "referenced_ids", "unreferenced_entities"]

HYGIENE_KINDS = ("role", "secret", "tool", "dataset", "service_account")
"""Kinds of entity that exist only to be used by others."""


def referenced_ids(scenario: Scenario) -> frozenset[str]:
    """Every id some field of the scenario refers to (definitions themselves excluded)."""
    refs: set[str] = set()

    def permissions(items: Iterable[Permission]) -> None:
        refs.update(p.resource for p in items)

    for human in scenario.humans:
        refs.update(human.roles)
    for account in scenario.service_accounts:
        refs.update(account.roles)
        refs.update(c.secret for c in account.credentials)
    for agent in scenario.agents:
        refs.update(agent.roles)
        refs.update(agent.tools)
        refs.update(c.secret for c in agent.credentials)
        refs.update(x for x in (agent.runs_as,) if x)
    for tool in scenario.tools:
        refs.update(a.resource for a in tool.accesses)
        refs.update(x for x in (tool.credential, tool.runs_as) if x)
    for secret in scenario.secrets:
        permissions(secret.grants)
        refs.update(x for x in (secret.authenticates_as,) if x)
    for role in scenario.roles:
        permissions(role.permissions)
    for delegation in scenario.delegations:
        permissions(delegation.scope)
    for approval in scenario.approvals:
        permissions(approval.scope)
        refs.update(approval.tools)
    for block in scenario.blocked_actions:
        refs.update((block.identity, block.resource))
    for task in scenario.workload.task_types:
        permissions(task.intent or [])
        for step in task.steps:
            refs.update(x for x in (step.resource, step.via_tool) if x)
    refs.update(threat.target for threat in scenario.threats)
    refs.discard("*")
    return frozenset(refs)


def unreferenced_entities(ctx: RuleContext) -> Iterator[Finding]:
    """WB001: one finding per role, secret, tool, dataset or service account nothing refers to."""
    referenced = referenced_ids(ctx.scenario)
    for kind, _path, item in ctx.scenario.iter_entities():
        entity_id: str = item.id  # type: ignore[attr-defined]
        if kind not in HYGIENE_KINDS or entity_id in referenced:
            continue
        label = kind.replace("_", " ")
        yield ctx.finding(
            "WB001",
            entity_id,
            f"The {label} '{entity_id}' is defined but nothing in the scenario refers to it.",
            evidence={"kind": kind},
        )
