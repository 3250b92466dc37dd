"""Whether a control design puts a human (or a block) in front of an action, asked of the policy layer itself.

Rather than re-deriving each design's thresholds, the rules ask each design of the scenario to decide the
request, with no live approval: `step_up` means a human must approve, `deny` means it cannot happen (blocked
actions included), `allow` means nothing stands in the way. So "gated" means exactly what the simulation will
do, for every design kind including Cedar.

Two request shapes:
- hijacked: the agent steered by injected input, acting outside any task (as the simulation's attacker does);
- in_task: the agent doing its job, inside the first of its task types whose steps use the pair (else its
  first task type), with the intent judged as the simulation judges it.

Requests are decided at simulated time 0 (Monday 00:00), which matters only to Cedar policies that read `hour`.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.findings.access import Pair
from workbench.findings.context import RuleContext
from workbench.policy.base import AccessState, Outcome
from workbench.policy.requests import make_request

__all__ = ["AS_MODELLED", "Gate", "credential_modes", "gated_by", "gates", "standing_designs"]

_NO_APPROVAL = AccessState()

AS_MODELLED = "as_modelled"
"""The design name used for a scenario that declares none: the access exactly as modelled (standing)."""


@dataclass(frozen=True, slots=True)
class Gate:
    """One design's answer to one request."""

    design: str
    outcome: Outcome
    reason: str
    approver_pool: str | None = None


def gates(ctx: RuleContext, agent_id: str, pair: Pair, *, hijacked: bool) -> tuple[Gate, ...]:
    """Every design's decision on the agent exercising `pair`, in scenario order."""
    task_type = None if hijacked else _task_using(ctx, agent_id, pair)
    request = make_request(ctx.scenario, agent_id, pair[0], pair[1], task_type=task_type, malicious=hijacked)
    decisions = ((design.label, design.decide(request, _NO_APPROVAL, 0.0)) for design in ctx.designs)
    return tuple(Gate(label, d.outcome, d.reason, d.approver_pool) for label, d in decisions)


def gated_by(ctx: RuleContext, agent_id: str, pair: Pair, *, hijacked: bool) -> list[str]:
    """Labels of the designs that step the request up to a human or deny it.

    A blocked action is denied in every design, and also in a scenario that declares no design, so a
    matching block answers `["blocked:<id>"]` on its own.
    """
    request = make_request(ctx.scenario, agent_id, pair[0], pair[1])
    block = ctx.blocks.match(request)
    if block is not None:
        return [f"blocked:{block.id}"]
    return [gate.design for gate in gates(ctx, agent_id, pair, hijacked=hijacked) if gate.outcome != "allow"]


def credential_modes(ctx: RuleContext) -> dict[str, str]:
    """Credential mode (`standing` or `task_token`) of each design, by label, in scenario order."""
    return {design.label: design.credential_mode for design in ctx.designs}


def standing_designs(ctx: RuleContext) -> list[str]:
    """Labels of the designs in which agents hold their credentials standing.

    A scenario with no designs describes today's standing model, reported as the single design `as_modelled`.
    """
    if not ctx.designs:
        return [AS_MODELLED]
    return [label for label, mode in credential_modes(ctx).items() if mode == "standing"]


def _task_using(ctx: RuleContext, agent_id: str, pair: Pair) -> str | None:
    tasks = ctx.tasks_of(agent_id)
    for task in tasks:
        if any((step.action, step.resource) == pair for step in task.steps):
            return task.id
    return tasks[0].id if tasks else None
