"""Routing a request that needs a human: to which approver pool, and what happens if approval is live.

Every design that asks for approval shares these rules, so "needs approval" means the same thing in RBAC
step-up, JIT and Cedar: if a live approval already covers the scope the request is allowed; otherwise it
is stepped up to the design's pool; a scenario with no pool at all cannot approve, so the request is denied.
"""

from __future__ import annotations

from workbench.model import Scenario
from workbench.policy.base import AccessState, Decision

__all__ = ["needs_approval", "resolve_pool"]


def resolve_pool(scenario: Scenario, requested: str | None) -> str | None:
    """The pool a design routes step-ups to: the one it names, else the scenario's first, else None."""
    if requested is not None:
        return requested
    pools = scenario.services.approver_pools
    return pools[0].id if pools else None


def needs_approval(state: AccessState, *, pool: str | None, reason: str, policy_ids: tuple[str, ...] = ()) -> Decision:
    """Decision for a request that may proceed only with a human's approval."""
    if state.approval_live:
        return Decision("allow", f"{reason}; approval is live", policy_ids=policy_ids)
    if pool is None:
        return Decision("deny", f"{reason}; the scenario has no approver pool", policy_ids=policy_ids)
    return Decision("step_up", reason, approver_pool=pool, policy_ids=policy_ids)
