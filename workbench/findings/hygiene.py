"""Scenario hygiene: WB001 entities nothing refers to, WB002 accepted risks that accept nothing.

Not security risks in themselves. An unreferenced entity adds nothing to any analysis and usually means a
typo or a half-finished model; a wildcard ('*') refers to nothing in particular, so it does not count. A live
acceptance that matches no finding is stale: the risk was fixed (the acceptance should go) or the acceptance
names the wrong rule or entity (and the finding it was meant for is open).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from workbench.findings.acceptance import acceptance_live, acceptance_subject
from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.model import Permission, Scenario

__all__ = ["HYGIENE_KINDS", "referenced_ids", "stale_acceptances", "unreferenced_entities"]

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


def stale_acceptances(ctx: RuleContext) -> Iterator[Finding]:
    """WB002: a live accepted risk that matches none of the other rules' findings.

    Runs after every other rule (`ctx.earlier` holds their findings, `ctx.ran` their ids). An acceptance of a
    rule that did not run (a simulation rule, when nothing was simulated) cannot be judged and is left alone;
    an expired one is WB119's.
    """
    for index, accepted in enumerate(ctx.scenario.accepted_risks):
        if accepted.finding not in ctx.ran or not acceptance_live(accepted, scenario=ctx.scenario):
            continue
        if any(f.rule_id == accepted.finding and accepted.entity in (None, f.entity_id) for f in ctx.earlier):
            continue
        entity, scope = acceptance_subject(accepted)
        yield ctx.finding(
            "WB002",
            entity,
            f"The acceptance of {accepted.finding} for {scope} by '{accepted.owner}' matches no finding: the risk "
            "it accepts is gone, or it names the wrong rule or entity.",
            key={"finding": accepted.finding},
            evidence={"owner": accepted.owner, "expires": accepted.expires.isoformat()},
            at=("accepted_risks", index, "finding"),
            entity_kind=ctx.scenario.kinds.get(entity, "scenario"),
        )
