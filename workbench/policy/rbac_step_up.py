"""RBAC with step-up: standing permissions, but risky actions wait for a human approver."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import Problem
from workbench.model import RbacStepUp, Scenario
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.blocked import BlockList, block_decision, block_list
from workbench.policy.risk import risk_at_least
from workbench.policy.standing import Grant, Standing, StandingIndex
from workbench.policy.step_up import needs_approval, resolve_pool

__all__ = ["RbacStepUpDesign", "build", "build_rbac_step_up"]


@dataclass(frozen=True, slots=True)
class RbacStepUpDesign:
    """As static RBAC, plus a step-up for requests at or above `step_up_at`."""

    label: str
    standing: StandingIndex
    blocks: BlockList
    step_up_at: str
    approver_pool: str | None
    kind: str = "rbac_step_up"
    credential_mode: CredentialMode = "standing"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = True  # the risk threshold is checked by the decision point
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Blocks, then standing permissions, then the risk threshold."""
        blocked = block_decision(self.blocks, request)
        if blocked is not None:
            return blocked
        if not self.standing.holds(request.principal, request.action, request.resource):
            return Decision("deny", "not in standing permissions")
        if risk_at_least(request.risk_level, self.step_up_at):
            return needs_approval(state, pool=self.approver_pool, reason=f"{request.risk_level} risk needs approval")
        return Decision("allow", "in standing permissions")

    def standing_permissions(self, identity: str) -> frozenset[Grant]:
        """Everything the identity holds: a step-up gates requests, not what a thief of the key can do."""
        return self.standing(identity)


def build_rbac_step_up(scenario: Scenario, control: RbacStepUp, *, standing: Standing) -> RbacStepUpDesign:
    """The RBAC step-up design of `scenario`."""
    return RbacStepUpDesign(
        label=control.label,
        standing=StandingIndex(standing),
        blocks=block_list(scenario),
        step_up_at=control.step_up_at,
        approver_pool=resolve_pool(scenario, control.approver_pool),
    )


def build(scenario: Scenario, control: RbacStepUp, *, standing: Standing, where: str) -> RbacStepUpDesign:
    """The factory's entry point (policy.factory.DesignBuilder)."""
    return build_rbac_step_up(scenario, control, standing=standing)
