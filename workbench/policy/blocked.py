"""Blocked actions: denied in every design, even to a caller whose credentials allow them.

Implemented once and consulted first by every design (Cedar included), so "blocked" cannot drift between
designs. A block names an identity; it also binds an agent acting as that identity through `runs_as`,
because the resource sees the account, not the agent behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workbench.model import Agent, BlockedAction, Scenario
from workbench.policy.base import AccessRequest, Decision

__all__ = ["BlockList", "block_decision", "block_list"]


@dataclass(frozen=True, slots=True)
class _Identity:
    aliases: frozenset[str]  # the identity itself and the account it runs as
    untrusted_input: bool


@dataclass(frozen=True, slots=True)
class BlockList:
    """A scenario's blocked actions, with what the conditions need to know about each identity."""

    blocks: tuple[BlockedAction, ...]
    identities: Mapping[str, _Identity]

    def match(self, request: AccessRequest) -> BlockedAction | None:
        """The first block (in scenario order) that applies to `request`, or None."""
        if not self.blocks:
            return None
        who = self.identities.get(request.principal) or _Identity(frozenset({request.principal}), False)
        for block in self.blocks:
            if _applies(block, request, who):
                return block
        return None


def block_list(scenario: Scenario) -> BlockList:
    """Index a scenario's blocked actions for fast matching."""
    identities: dict[str, _Identity] = {}
    for agent in scenario.agents:
        identities[agent.id] = _identity(agent)
    for account in scenario.service_accounts:
        identities[account.id] = _Identity(frozenset({account.id}), False)
    return BlockList(tuple(scenario.blocked_actions), identities)


def block_decision(blocks: BlockList, request: AccessRequest) -> Decision | None:
    """A deny naming the block if one applies, else None (the design then decides)."""
    block = blocks.match(request)
    if block is None:
        return None
    because = f": {block.reason}" if block.reason else ""
    return Decision("deny", f"blocked by {block.id}{because}", policy_ids=(block.id,))


def _identity(agent: Agent) -> _Identity:
    aliases = {agent.id} if agent.runs_as is None else {agent.id, agent.runs_as}
    return _Identity(frozenset(aliases), agent.untrusted_input)


def _applies(block: BlockedAction, request: AccessRequest, who: _Identity) -> bool:
    return block.covers(request.action, request.resource) and block.binds(
        who.aliases, environment=request.environment, untrusted_input=who.untrusted_input, amount=request.amount
    )
