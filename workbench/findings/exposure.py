"""Rules about dangerous combinations: what an agent steered by an attacker, or running unchecked, can do.

WB112 lethal trifecta, WB113 untrusted input driving consequential actions without step-up, WB118
high-impact action without human approval. "Gated" is decided by the scenario's own control designs
(see `gates`): a rule fires only when no design of the scenario steps the action up to a human or denies it.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.findings.access import Pair, format_pairs
from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.findings.gates import gated_by
from workbench.model import Dataset, Secret, Tool

__all__ = [
    "CONSEQUENTIAL_ACTIONS",
    "SENSITIVE_LEVELS",
    "high_impact_without_approval",
    "lethal_trifecta",
    "outbound_pairs",
    "sensitive_reads",
    "untrusted_consequential_actions",
]

SENSITIVE_LEVELS = ("confidential", "restricted")
"""Sensitivities that make data (or a secret) worth stealing; personal data is sensitive at any level."""

CONSEQUENTIAL_ACTIONS = ("write", "delete", "transfer", "execute")
"""Actions that change the world, as opposed to reading or sending it."""


def sensitive_reads(ctx: RuleContext, pairs: frozenset[Pair]) -> list[Pair]:
    """Reads of confidential, restricted or personal datasets, and of confidential or restricted secrets."""
    found = []
    for action, resource in pairs:
        item = ctx.scenario.by_id.get(resource)
        sensitive = isinstance(item, Dataset | Secret) and item.sensitivity in SENSITIVE_LEVELS
        if action == "read" and (sensitive or (isinstance(item, Dataset) and item.pii)):
            found.append((action, resource))
    return ctx.access.sorted(found)


def outbound_pairs(ctx: RuleContext, pairs: frozenset[Pair]) -> list[Pair]:
    """Ways out of the organisation: executing an external tool, or sending to a resource one reaches."""
    tools = [t for t in ctx.scenario.tools if t.external]
    reached_by_external = {access.resource for tool in tools for access in tool.accesses}
    found = [
        (action, resource)
        for action, resource in pairs
        if (action == "execute" and isinstance(t := ctx.scenario.by_id.get(resource), Tool) and t.external)
        or (action == "send" and resource in reached_by_external)
    ]
    return ctx.access.sorted(found)


def lethal_trifecta(ctx: RuleContext) -> Iterator[Finding]:
    """WB112: untrusted input, sensitive data and an outbound channel, all in one agent."""
    access = ctx.access
    for agent in ctx.scenario.agents:
        if not agent.untrusted_input:
            continue
        effective = access.effective(agent.id)
        sensitive = sensitive_reads(ctx, effective)
        outbound = outbound_pairs(ctx, effective)
        if not (sensitive and outbound):
            continue
        data, channel = access.heaviest(sensitive), outbound[0]
        yield ctx.finding(
            "WB112",
            agent.id,
            f"Agent '{agent.id}' reads untrusted input, can read sensitive {format_pairs(sensitive)} and can "
            f"send it out through {format_pairs(outbound)}.",
            evidence={
                "sensitive": format_pairs(sensitive),
                "sensitive_weight": sum(access.weight(p) for p in sensitive),
                "outbound": format_pairs(outbound),
            },
            path=(*access.explain(agent.id, data), *access.explain(agent.id, channel)),
            at=ctx.path_to(agent.id, "untrusted_input"),
        )


def untrusted_consequential_actions(ctx: RuleContext) -> Iterator[Finding]:
    """WB113: an untrusted-input agent can write, delete, transfer or execute with no design gating it.

    Considered: those actions on datasets, systems and secrets (executing a tool is a conduit; what the tool
    does is already among the agent's permissions). Each is asked of every design as the hijacked agent
    would ask it, outside any task; it is covered if some design steps it up to a human or denies it.
    """
    access = ctx.access
    for agent in ctx.scenario.agents:
        if not agent.untrusted_input:
            continue
        consequential = [
            pair
            for pair in access.sorted(access.effective(agent.id))
            if pair[0] in CONSEQUENTIAL_ACTIONS and ctx.scenario.kinds.get(pair[1]) in ("dataset", "secret")
        ]
        open_ = [pair for pair in consequential if not gated_by(ctx, agent.id, pair, hijacked=True)]
        if not open_:
            continue
        designs = " ".join(design.label for design in ctx.designs)
        yield ctx.finding(
            "WB113",
            agent.id,
            f"Agent '{agent.id}' reads untrusted input and can {format_pairs(open_)} with no design stepping "
            f"it up to a human or blocking it (designs: {designs or 'none'}).",
            evidence={
                "ungated": format_pairs(open_),
                "ungated_count": len(open_),
                "ungated_weight": sum(access.weight(p) for p in open_),
                "designs": designs,
            },
            path=access.explain(agent.id, access.heaviest(open_)),
            at=ctx.path_to(agent.id, "untrusted_input"),
        )


def high_impact_without_approval(ctx: RuleContext) -> Iterator[Finding]:
    """WB118: a critical-risk action, or transfer/delete on restricted data, that no design gates.

    Each is asked of every design as the agent would ask it while doing its job (inside the task that uses
    it); it is covered if some design steps it up to a human or denies it.
    """
    access = ctx.access
    for agent in ctx.scenario.agents:
        high = [pair for pair in access.sorted(access.effective(agent.id)) if _high_impact(ctx, pair)]
        open_ = [pair for pair in high if not gated_by(ctx, agent.id, pair, hijacked=False)]
        if not open_:
            continue
        levels = " ".join(f"{a}:{r}={access.risk((a, r))}" for a, r in open_)
        yield ctx.finding(
            "WB118",
            agent.id,
            f"Agent '{agent.id}' can {format_pairs(open_)} without any design asking a human first.",
            evidence={
                "ungated": format_pairs(open_),
                "risk_levels": levels,
                "ungated_weight": sum(access.weight(p) for p in open_),
                "designs": " ".join(design.label for design in ctx.designs),
            },
            path=access.explain(agent.id, access.heaviest(open_)),
        )


def _high_impact(ctx: RuleContext, pair: Pair) -> bool:
    if ctx.access.risk(pair) == "critical":
        return True
    item = ctx.scenario.by_id.get(pair[1])
    return pair[0] in ("transfer", "delete") and getattr(item, "sensitivity", None) == "restricted"
