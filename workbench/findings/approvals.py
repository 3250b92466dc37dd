"""Which approvals are live and what they cover: shared by the approval rules and the governance views.

An approval covers the (action, resource) pairs of its scope, wildcards expanded, and executing each tool it
lists. It does not cover what an approved tool reaches with its own credential: approving "the CRM tool" is
not approving everything the CRM tool's service key can do.

Which approvals an agent has is asked of the evaluation's `RuleContext` (`approvals_of`, `live_approvals_of`),
which groups them by agent once instead of scanning every approval per agent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workbench.graph.permissions import Pair, expand_permissions, scenario_resources
from workbench.model import Approval, Scenario

__all__ = ["approval_live", "covered_pairs"]


def approval_live(approval: Approval, *, as_of: dt.date) -> bool:
    """True unless the approval expired before `as_of` (it lapses the day after `expires`, like delegations)."""
    return approval.expires is None or approval.expires >= as_of


def covered_pairs(scenario: Scenario, approval: Approval, *, resources: Sequence[str] | None = None) -> frozenset[Pair]:
    """The pairs an approval covers: its scope, plus executing the tools it names.

    `resources` is `scenario_resources(scenario)`, if the caller already has it (it walks the whole scenario).
    """
    every = scenario_resources(scenario) if resources is None else resources
    scope = expand_permissions(approval.scope, resources=every)
    return frozenset(scope) | {("execute", tool) for tool in approval.tools}
