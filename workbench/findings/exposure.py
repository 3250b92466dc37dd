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
from workbench.model import Dataset, Secret

__all__ = [
    "CONSEQUENTIAL_ACTIONS",
    "SENSITIVE_LEVELS",
    "high_impact_without_approval",
    "lethal_trifecta",
    "outbound_mask",
    "sensitive_read_mask",
    "untrusted_consequential_actions",
]

SENSITIVE_LEVELS = ("confidential", "restricted")
"""Sensitivities that make data (or a secret) worth stealing; personal data is sensitive at any level."""

CONSEQUENTIAL_ACTIONS = ("write", "delete", "transfer", "execute")
"""Actions that change the world, as opposed to reading or sending it."""


def sensitive_read_mask(ctx: RuleContext) -> int:
    """Reads of confidential, restricted or personal datasets, and of confidential or restricted secrets.

    A bitset of the access view: `access.bits(agent) & mask` is what the agent can read that is worth stealing.
    """
    by_id = ctx.scenario.by_id

    def sensitive(action: str, resource: str) -> bool:
        item = by_id[resource]
        worth = isinstance(item, Dataset | Secret) and item.sensitivity in SENSITIVE_LEVELS
        return action == "read" and (worth or (isinstance(item, Dataset) and item.pii))

    return ctx.access.mask(sensitive)


def outbound_mask(ctx: RuleContext) -> int:
    """Ways out of the organisation: executing an external tool, or sending to a resource one reaches (bitset)."""
    external = {tool.id for tool in ctx.scenario.tools if tool.external}
    reached_by_external = {access.resource for tool in ctx.scenario.tools if tool.external for access in tool.accesses}
    return ctx.access.mask(
        lambda action, resource: (
            (action == "execute" and resource in external) or (action == "send" and resource in reached_by_external)
        )
    )


def lethal_trifecta(ctx: RuleContext) -> Iterator[Finding]:
    """WB112: untrusted input, sensitive data and an outbound channel, all in one agent."""
    access = ctx.access
    sensitive_reads, ways_out = sensitive_read_mask(ctx), outbound_mask(ctx)
    for agent in ctx.scenario.agents:
        if not agent.untrusted_input:
            continue
        effective = access.bits(agent.id)
        if not (effective & sensitive_reads and effective & ways_out):
            continue
        sensitive, outbound = access.pairs(effective & sensitive_reads), access.pairs(effective & ways_out)
        data, channel = access.heaviest(sensitive), outbound[0]
        yield ctx.finding(
            "WB112",
            agent.id,
            f"Agent '{agent.id}' reads untrusted input, can read sensitive {format_pairs(sensitive)} and can "
            f"send it out through {format_pairs(outbound)}.",
            evidence={
                "sensitive": format_pairs(sensitive),
                "sensitive_weight": access.total_weight(sensitive),
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
    kinds = ctx.scenario.kinds
    changes = access.mask(
        lambda action, resource: action in CONSEQUENTIAL_ACTIONS and kinds[resource] in ("dataset", "secret")
    )
    for agent in ctx.scenario.agents:
        if not agent.untrusted_input:
            continue
        consequential = access.pairs(access.bits(agent.id) & changes)
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
                "ungated_weight": access.total_weight(open_),
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
    high_impact = access.mask(lambda action, resource: _high_impact(ctx, (action, resource)))
    for agent in ctx.scenario.agents:
        high = access.pairs(access.bits(agent.id) & high_impact)
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
                "ungated_weight": access.total_weight(open_),
                "designs": " ".join(design.label for design in ctx.designs),
            },
            path=access.explain(agent.id, access.heaviest(open_)),
        )


def _high_impact(ctx: RuleContext, pair: Pair) -> bool:
    if ctx.access.risk(pair) == "critical":
        return True
    item = ctx.scenario.by_id.get(pair[1])
    return pair[0] in ("transfer", "delete") and getattr(item, "sensitivity", None) == "restricted"
