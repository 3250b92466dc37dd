"""Intent-aware JIT: JIT, and a request outside the task's declared intent is denied or stepped up.

This is what stops the hijacked support agent's export: the CRM read is in its entitlement (plain JIT
issues it) but not in the intent the task declared. A request made outside any task has no declared
intent, so it counts as out of intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import Problem
from workbench.escaping import cedar_string
from workbench.model import IntentAwareJit, Scenario, format_duration
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.cedar_export import Writer, forbid_blocks, permit_pairs, principals
from workbench.policy.jit import JitDesign, build_jit
from workbench.policy.requests import declared_intent
from workbench.policy.standing import Grant, Standing, StandingIndex
from workbench.policy.step_up import needs_approval

__all__ = ["IntentAwareJitDesign", "build", "build_intent_aware_jit", "cedar_policies"]

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


def cedar_policies(scenario: Scenario, control: IntentAwareJit, *, standing: Standing, writer: Writer) -> None:
    """The design as Cedar: forbids for blocked actions, a permit per task type for its declared intent
    (within the agent's entitlement; scopes of `approval_at` risk or more only with a live approval) and,
    if out-of-intent requests are stepped up, a permit per identity for its entitlement with a live approval.
    """
    jit = control.as_jit()
    entitlement = StandingIndex(standing)
    pool = f"approver pool {control.approver_pool}" if control.approver_pool else "the scenario's first approver pool"
    writer.comment(
        f"Design {control.label}: intent-aware JIT. Token lifetime (TTL) {format_duration(control.token_ttl)}.",
        "Cedar has no tokens: the deployment issues a token for what these policies permit and lets it expire",
        "after that lifetime or at the end of its task, whichever is sooner.",
        f"Step-up: a request permitted only with context.approval_live goes to {pool}.",
        "",
    )
    forbid_blocks(writer)
    for index, task in enumerate(scenario.workload.task_types):
        granted = sorted(declared_intent(scenario, task) & entitlement(task.agent))
        where = writer.cite(("workload", "task_types", index))
        permit_pairs(
            writer,
            f"task:{task.id}",
            task.agent,
            granted,
            approval_at=jit.approval_at,
            condition=f"context.task == {cedar_string(task.id)}",
            why=f"Task type {task.id} ({where}) of {task.agent}: its declared intent, within the agent's entitlement.",
        )
    if control.out_of_intent == "step_up":
        for identity in principals(scenario):
            permit_pairs(
                writer,
                f"entitled:{identity}",
                identity,
                sorted(entitlement(identity)),
                approval_at="low",
                condition=None,
                why=f"Outside a task's declared intent, {identity}'s entitlement only with a live approval.",
            )
