"""Just-in-time access: agents hold nothing standing; each task gets a short-lived token for its steps.

What may ever be put in a token is bounded by the agent's entitlement, which is what it would hold under
RBAC (its effective permissions). JIT narrows *when* access is live, not *what* may be granted: an attacker
who hijacks the agent outside any task can still obtain a token within the same bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import Problem
from workbench.model import Jit, Scenario
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.blocked import BlockList, block_decision, block_list
from workbench.policy.risk import risk_at_least
from workbench.policy.standing import Grant, Standing, StandingIndex
from workbench.policy.step_up import needs_approval, resolve_pool

__all__ = ["JitDesign", "build", "build_jit"]


@dataclass(frozen=True, slots=True)
class JitDesign:
    """Issue a task token iff the request is within the entitlement; risky scopes need an approver."""

    label: str
    entitlement: StandingIndex
    blocks: BlockList
    token_ttl: float | None
    approval_at: str
    approver_pool: str | None
    kind: str = "jit"
    credential_mode: CredentialMode = "task_token"
    evaluates_at_request_time: bool = True
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Blocks, then the entitlement bound, then the approval threshold."""
        blocked = block_decision(self.blocks, request)
        if blocked is not None:
            return blocked
        if not self.entitlement.holds(request.principal, request.action, request.resource):
            return Decision("deny", "outside entitlement")
        if risk_at_least(request.risk_level, self.approval_at):
            return needs_approval(
                state, pool=self.approver_pool, reason=f"{request.risk_level} risk scope needs approval"
            )
        return Decision("allow", "within entitlement")

    def standing_permissions(self, identity: str) -> frozenset[Grant]:
        """Nothing: between tasks an agent holds only its workload identity."""
        return frozenset()


def build_jit(scenario: Scenario, control: Jit, *, standing: Standing) -> JitDesign:
    """The JIT design of `scenario`; `standing` bounds what tokens may carry."""
    return JitDesign(
        label=control.label,
        entitlement=StandingIndex(standing),
        blocks=block_list(scenario),
        token_ttl=control.token_ttl,
        approval_at=control.approval_at,
        approver_pool=resolve_pool(scenario, control.approver_pool),
    )


def build(scenario: Scenario, control: Jit, *, standing: Standing, where: str) -> JitDesign:
    """The factory's entry point (policy.factory.DesignBuilder)."""
    return build_jit(scenario, control, standing=standing)
