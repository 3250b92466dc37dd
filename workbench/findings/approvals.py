"""Which approvals are live and what they cover: shared by the approval rules and the governance views.

An approval covers the (action, resource) pairs of its scope, wildcards expanded, and executing each tool it
lists. It does not cover what an approved tool reaches with its own credential: approving "the CRM tool" is
not approving everything the CRM tool's service key can do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workbench.graph.permissions import Pair, expand_permissions, scenario_resources
from workbench.model import Approval, Scenario

__all__ = ["approval_live", "approvals_of", "covered_pairs", "live_approvals_of"]


def approval_live(approval: Approval, *, as_of: dt.date) -> bool:
    """True unless the approval expired before `as_of` (it lapses the day after `expires`, like delegations)."""
    return approval.expires is None or approval.expires >= as_of


def approvals_of(scenario: Scenario, agent_id: str) -> list[Approval]:
    """Every approval of the agent, live or not, in scenario order."""
    return [approval for approval in scenario.approvals if approval.agent == agent_id]


def live_approvals_of(scenario: Scenario, agent_id: str) -> list[Approval]:
    """The agent's approvals that hold on the scenario's as_of date."""
    return [a for a in approvals_of(scenario, agent_id) if approval_live(a, as_of=scenario.as_of)]


def covered_pairs(scenario: Scenario, approval: Approval, *, resources: Sequence[str] | None = None) -> frozenset[Pair]:
    """The pairs an approval covers: its scope, plus executing the tools it names.

    `resources` is `scenario_resources(scenario)`, if the caller already has it (it walks the whole scenario).
    """
    every = scenario_resources(scenario) if resources is None else resources
    scope = expand_permissions(approval.scope, resources=every)
    return frozenset(scope) | {("execute", tool) for tool in approval.tools}
