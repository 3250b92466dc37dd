"""Building an AccessRequest the way the simulation does, for notebooks, tests and what-if questions.

Risk comes from graph.scoring, so a request's risk and a blast radius's score use the same weights.
"""

from __future__ import annotations

from workbench.graph.permissions import expand_permissions, scenario_resources
from workbench.graph.scoring import permission_weight, risk_level
from workbench.model import Scenario, TaskType
from workbench.policy.base import AccessRequest
from workbench.policy.standing import Grant

__all__ = ["declared_intent", "make_request"]


def declared_intent(scenario: Scenario, task: TaskType) -> frozenset[Grant]:
    """The task's declared intent, wildcards expanded; by default the steps it always takes."""
    if task.intent is not None:
        return frozenset(expand_permissions(task.intent, resources=scenario_resources(scenario)))
    return frozenset(
        (step.action, step.resource)
        for step in task.steps
        if step.action is not None and step.resource is not None and step.probability >= 1.0
    )


def make_request(
    scenario: Scenario,
    principal: str,
    action: str,
    resource: str,
    *,
    task_type: str | None = None,
    in_intent: bool | None = None,
    amount: float | None = None,
    via_tool: str | None = None,
    malicious: bool = False,
) -> AccessRequest:
    """A request with its risk scored and, unless given, its intent judged against the task's declaration.

    A request outside any task is never in intent. The environment is the principal's (prod if it has none).
    """
    task = None
    if task_type is not None:
        task = next((t for t in scenario.workload.task_types if t.id == task_type), None)
        if task is None:
            raise KeyError(f"'{task_type}' is not a task type of scenario '{scenario.name}'")
    if in_intent is None:
        in_intent = task is not None and (action, resource) in declared_intent(scenario, task)
    weight = permission_weight(scenario, action, resource)
    return AccessRequest(
        principal=principal,
        action=action,
        resource=resource,
        task_type=task_type,
        in_intent=in_intent,
        risk_level=risk_level(weight),
        risk_score=weight,
        environment=getattr(scenario.by_id.get(principal), "environment", "prod"),
        amount=amount,
        via_tool=via_tool,
        on_behalf_of=None if task is None else task.on_behalf_of,
        malicious=malicious,
    )
