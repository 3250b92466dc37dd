"""Intent-aware JIT: JIT, and a request outside the task's declared intent is denied or stepped up.

This is what stops the hijacked support agent's export: the CRM read is in its entitlement (plain JIT
issues it) but not in the intent the task declared. A request made outside any task has no declared
intent, so it counts as out of intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import Problem
from workbench.model import IntentAwareJit, Scenario
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.jit import JitDesign, build_jit
from workbench.policy.standing import Grant, Standing
from workbench.policy.step_up import needs_approval

__all__ = ["IntentAwareJitDesign", "build", "build_intent_aware_jit"]

OUT_OF_INTENT = "outside the task's declared intent"


@dataclass(frozen=True, slots=True)
class IntentAwareJitDesign:
    """JIT's decision, then the intent check on whatever JIT would not already deny."""

    jit: JitDesign
    out_of_intent: Literal["deny", "step_up"]
    kind: str = "intent_aware_jit"
    credential_mode: CredentialMode = "task_token"
    evaluates_at_request_time: bool = True
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()

    @property
    def label(self) -> str:
        """The name reports use for this design."""
        return self.jit.label

    @property
    def token_ttl(self) -> float | None:
        """Lifetime of a task token, in seconds."""
        return self.jit.token_ttl

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Blocks and the entitlement bound first (they deny outright), then intent, then risk."""
        verdict = self.jit.decide(request, state, now)
        if verdict.outcome == "deny" or (request.in_intent and request.task_type is not None):
            return verdict
        if self.out_of_intent == "deny":
            return Decision("deny", OUT_OF_INTENT)
        return needs_approval(state, pool=self.jit.approver_pool, reason=OUT_OF_INTENT)

    def standing_permissions(self, identity: str) -> frozenset[Grant]:
        """Nothing: between tasks an agent holds only its workload identity."""
        return frozenset()


def build_intent_aware_jit(scenario: Scenario, control: IntentAwareJit, *, standing: Standing) -> IntentAwareJitDesign:
    """The intent-aware JIT design of `scenario`."""
    return IntentAwareJitDesign(
        jit=build_jit(scenario, control.as_jit(), standing=standing), out_of_intent=control.out_of_intent
    )


def build(scenario: Scenario, control: IntentAwareJit, *, standing: Standing, where: str) -> IntentAwareJitDesign:
    """The factory's entry point (policy.factory.DesignBuilder)."""
    return build_intent_aware_jit(scenario, control, standing=standing)
