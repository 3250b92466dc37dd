"""Static RBAC: whatever the identity holds, it may use, at any time. Today's default, and the baseline."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import Problem
from workbench.model import Scenario, StaticRbac
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.blocked import BlockList, block_decision, block_list
from workbench.policy.standing import Grant, Standing, StandingIndex

__all__ = ["StaticRbacDesign", "build", "build_static_rbac"]


@dataclass(frozen=True, slots=True)
class StaticRbacDesign:
    """Allow iff the principal's standing permissions cover the request and no block applies."""

    label: str
    standing: StandingIndex
    blocks: BlockList
    kind: str = "static_rbac"
    credential_mode: CredentialMode = "standing"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = False  # held permissions are checked locally, for free
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Blocks first, then the standing permissions; state and time play no part."""
        blocked = block_decision(self.blocks, request)
        if blocked is not None:
            return blocked
        if self.standing.holds(request.principal, request.action, request.resource):
            return Decision("allow", "in standing permissions")
        return Decision("deny", "not in standing permissions")

    def standing_permissions(self, identity: str) -> frozenset[Grant]:
        """Everything the identity holds: RBAC leaves it all live between tasks."""
        return self.standing(identity)


def build_static_rbac(scenario: Scenario, control: StaticRbac, *, standing: Standing) -> StaticRbacDesign:
    """The static RBAC design of `scenario`."""
    return StaticRbacDesign(label=control.label, standing=StandingIndex(standing), blocks=block_list(scenario))


def build(scenario: Scenario, control: StaticRbac, *, standing: Standing, where: str) -> StaticRbacDesign:
    """The factory's entry point (policy.factory.DesignBuilder)."""
    return build_static_rbac(scenario, control, standing=standing)
