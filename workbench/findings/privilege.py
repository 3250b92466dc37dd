"""Rules about how much an agent can do: unused, unapproved, inherited, delegated, borrowed, cross-environment.

WB101 over-privileged agent, WB107 access beyond the approved scope, WB109 broad legacy service account,
WB110 widening delegation, WB111 confused deputy, WB116 cross-environment access.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.findings.access import Pair, format_pairs
from workbench.findings.context import RuleContext, YamlPath
from workbench.findings.finding import Finding
from workbench.graph.permissions import delegation_live, expand_permissions, scenario_resources
from workbench.graph.vocabulary import Hop
from workbench.model import Agent, Dataset, Secret

__all__ = [
    "access_beyond_approval",
    "broad_service_account",
    "confused_deputy",
    "cross_environment_access",
    "needed_pairs",
    "over_privileged_agent",
    "widening_delegation",
]


def needed_pairs(ctx: RuleContext, agent_id: str) -> frozenset[Pair]:
    """What the agent's task steps use: each step's action on its resource, and executing its tool."""
    needed: set[Pair] = set()
    for task in ctx.tasks_of(agent_id):
        for step in task.steps:
            if step.action is not None and step.resource is not None:
                needed.add((step.action, step.resource))
            if step.via_tool is not None:
                needed.add(("execute", step.via_tool))
    return frozenset(needed)


def over_privileged_agent(ctx: RuleContext) -> Iterator[Finding]:
    """WB101: effective permissions no step of the agent's task types needs."""
    access = ctx.access
    for agent in ctx.scenario.agents:
        effective = access.bits(agent.id)
        unused_bits = effective & ~access.bits_of(needed_pairs(ctx, agent.id))
        if not unused_bits:
            continue
        unused = access.pairs(unused_bits)
        weight = access.total_weight(unused)
        tasks = len(ctx.tasks_of(agent.id))
        why = "it runs no task type" if tasks == 0 else f"no step of its {tasks} task type(s) uses them"
        yield ctx.finding(
            "WB101",
            agent.id,
            f"Agent '{agent.id}' holds {len(unused)} of its {effective.bit_count()} permissions unused, since {why} "
            f"(unused weight {weight:g}): {format_pairs(unused)}.",
            evidence={
                "unused": format_pairs(unused),
                "unused_count": len(unused),
                "unused_weight": weight,
                "effective_count": effective.bit_count(),
                "task_types": tasks,
            },
            path=access.explain(agent.id, access.heaviest(unused)),
        )


def access_beyond_approval(ctx: RuleContext) -> Iterator[Finding]:
    """WB107: effective permissions no live approval covers.

    Agents with no approval at all are left to WB105, which already says nothing is approved.
    """
    access = ctx.access
    for agent in ctx.scenario.agents:
        if not ctx.approvals_of(agent.id):
            continue
        live = ctx.live_approvals_of(agent.id)
        covered = 0
        for approval in live:
            covered |= ctx.covered_bits(approval)
        beyond_bits = access.bits(agent.id) & ~covered
        if not beyond_bits:
            continue
        beyond = access.pairs(beyond_bits)
        weight = access.total_weight(beyond)
        approved = " ".join(a.id for a in live)
        basis = f"its live approval(s) {approved}" if live else "any live approval (all have expired)"
        yield ctx.finding(
            "WB107",
            agent.id,
            f"Agent '{agent.id}' can exercise {len(beyond)} permission(s) beyond {basis} "
            f"(weight {weight:g}): {format_pairs(beyond)}.",
            evidence={
                "beyond": format_pairs(beyond),
                "beyond_count": len(beyond),
                "beyond_weight": weight,
                "live_approvals": approved,
            },
            path=access.explain(agent.id, access.heaviest(beyond)),
        )


def broad_service_account(ctx: RuleContext) -> Iterator[Finding]:
    """WB109: the agent runs as (or logs in with a secret of) a legacy or broad service account."""
    limit = ctx.scenario.thresholds.broad_service_account_resources
    accounts = {account.id: account for account in ctx.scenario.service_accounts}
    reached: dict[str, int] = {}  # resources each account reaches, counted once
    for agent in ctx.scenario.agents:
        for account_id, route, at in _accounts_of(ctx, agent):
            account = accounts.get(account_id)
            if account is None:
                continue
            if account_id not in reached:
                reached[account_id] = len({r for _a, r in ctx.access.pairs(ctx.access.bits(account_id))})
            resources = reached[account_id]
            broad = resources >= limit
            if not (account.legacy or broad):
                continue
            why = " and ".join(
                reason
                for reason, holds in (("is legacy", account.legacy), (f"reaches {resources} resources", broad))
                if holds
            )
            yield ctx.finding(
                "WB109",
                agent.id,
                f"Agent '{agent.id}' acts as service account '{account_id}', which {why} (limit {limit} resources).",
                key={"service_account": account_id},
                evidence={
                    "via": route[0].kind if len(route) == 1 else f"secret:{route[0].target}",
                    "legacy": account.legacy,
                    "resources": resources,
                    "limit": limit,
                },
                path=route,
                at=at,
            )


def _accounts_of(ctx: RuleContext, agent: Agent) -> Iterator[tuple[str, tuple[Hop, ...], YamlPath]]:
    seen: set[str] = set()
    if agent.runs_as is not None:
        seen.add(agent.runs_as)
        yield agent.runs_as, (Hop(agent.id, "runs_as", agent.runs_as),), ctx.path_to(agent.id, "runs_as")
    for index, credential in enumerate(agent.credentials):
        secret = ctx.scenario.by_id.get(credential.secret)
        account = secret.authenticates_as if isinstance(secret, Secret) else None
        if account is None or account in seen:
            continue
        seen.add(account)
        route = (Hop(agent.id, "holds_secret", credential.secret), Hop(credential.secret, "authenticates_as", account))
        yield account, route, ctx.path_to(agent.id, "credentials", index)


def widening_delegation(ctx: RuleContext) -> Iterator[Finding]:
    """WB110: a live delegation whose scope exceeds the delegator, passes everything on, or is not attenuated.

    Severity is the rule's (high) when the delegate really gains what the delegator lacks (scope beyond the
    delegator and not attenuated); medium when the delegation is merely unbounded or loosely written.
    """
    s = ctx.scenario
    access = ctx.access
    resources = scenario_resources(s)
    for index, delegation in enumerate(s.delegations):
        if not delegation_live(delegation, as_of=s.as_of):
            continue
        scope = expand_permissions(delegation.scope, resources=resources)
        beyond = access.sorted(set(scope) - access.effective(delegation.delegator))
        reasons = []
        if beyond:
            reasons.append(f"its scope names {len(beyond)} permission(s) the delegator does not hold")
        if not delegation.scope:
            reasons.append("it has no scope, so it passes on everything the delegator has")
        if not delegation.attenuated:
            reasons.append("it is not attenuated")
        if not reasons:
            continue
        widens = bool(beyond) and not delegation.attenuated
        yield ctx.finding(
            "WB110",
            delegation.id,
            f"Delegation '{delegation.id}' from '{delegation.delegator}' to '{delegation.delegate}': "
            + "; ".join(reasons)
            + ".",
            evidence={
                "delegator": delegation.delegator,
                "delegate": delegation.delegate,
                "attenuated": delegation.attenuated,
                "scope_count": len(scope),
                "beyond": format_pairs(beyond),
                "beyond_weight": access.total_weight(beyond),
                "widens": widens,
            },
            path=(Hop(delegation.delegator, "delegates_to", delegation.delegate),),
            at=("delegations", index),
            severity=None if widens else "medium",
        )


def confused_deputy(ctx: RuleContext) -> Iterator[Finding]:
    """WB111: through a tool acting with its own credential, the agent reaches what it is not itself granted.

    Per agent, what it holds itself is one bitset (the index without tool conduits); what each tool borrows
    for it is the tool's conduit minus that. Only reported findings get a route.
    """
    access = ctx.access
    tools = {tool.id: tool for tool in ctx.scenario.tools}
    execute_tools = access.mask(lambda action, resource: action == "execute" and resource in tools)
    for agent in ctx.scenario.agents:
        own = access.own_bits(agent.id)
        wired = list(agent.tools)
        granted = [r for _a, r in access.pairs(access.bits(agent.id) & execute_tools) if r not in wired]
        for tool_id in wired + granted:
            tool = tools.get(tool_id)
            if tool is None:
                continue
            borrowed = access.pairs(access.conduit_bits(tool_id) & ~own)
            if not borrowed:
                continue
            _action, resource = access.heaviest(borrowed)
            to_tool = access.explain(agent.id, ("execute", tool_id))
            credentials = [f"credential '{tool.credential}'"] if tool.credential else []
            credentials += [f"service account '{tool.runs_as}'"] if tool.runs_as else []
            evidence: dict[str, str | int | float | bool] = {
                "borrowed": format_pairs(borrowed),
                "borrowed_count": len(borrowed),
                "borrowed_weight": access.total_weight(borrowed),
            }
            if tool.credential:
                evidence["tool_credential"] = tool.credential
            if tool.runs_as:
                evidence["tool_runs_as"] = tool.runs_as
            yield ctx.finding(
                "WB111",
                agent.id,
                f"Agent '{agent.id}' reaches {format_pairs(borrowed)} through tool '{tool_id}'"
                + (f" (acting with its {' and '.join(credentials)})" if credentials else "")
                + ", but is not granted this itself.",
                key={"tool": tool_id},
                evidence=evidence,
                path=(*to_tool, Hop(tool_id, "tool_accesses", resource)),
                at=ctx.path_to(agent.id, "tools", wired.index(tool_id)) if tool_id in wired else None,
            )


def cross_environment_access(ctx: RuleContext) -> Iterator[Finding]:
    """WB116: a dev or staging agent reaches production datasets or secrets."""
    access = ctx.access
    by_id = ctx.scenario.by_id
    in_prod = access.mask(
        lambda _action, resource: isinstance(item := by_id[resource], Dataset | Secret) and item.environment == "prod"
    )
    for agent in ctx.scenario.agents:
        if agent.environment not in ("dev", "staging"):
            continue
        prod = access.pairs(access.bits(agent.id) & in_prod)
        if not prod:
            continue
        resources = sorted({r for _a, r in prod})
        yield ctx.finding(
            "WB116",
            agent.id,
            f"{agent.environment.capitalize()} agent '{agent.id}' reaches production "
            f"{' '.join(resources)}: {format_pairs(prod)}.",
            evidence={
                "environment": agent.environment,
                "prod_access": format_pairs(prod),
                "prod_resources": len(resources),
                "prod_weight": access.total_weight(prod),
            },
            path=access.explain(agent.id, access.heaviest(prod)),
            at=ctx.path_to(agent.id, "environment"),
        )
