"""Everything about a run that does not depend on time, computed once before the clock starts.

Per task type: the steps as plain tuples, the token scope, the risk of each request and a memo of the
design's decisions. Designs are pure functions of (request, state, now); within a run the state a request can
be in takes four values (a scenario approval live or not, the agent flagged or not), so each request template
keeps at most four decisions and the hot path never builds a pydantic object, an `AccessRequest` or a dict.
An approval with the `anomaly` re-approval trigger is suspended from its agent's detection until a human
approves a request it covers again; the run keeps the suspended approval ids and passes them to `decide`.
A design whose answer can change with the clock says so (`ControlDesign.reads_clock`) and is asked every time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Container
from dataclasses import dataclass, field

from workbench.model import Scenario, TaskType
from workbench.policy.base import AccessRequest, AccessState, ControlDesign, Decision
from workbench.sim.reach import Grant, ReachIndex, risk_level

__all__ = ["Check", "StepPlan", "TaskPlan", "Window", "approval_windows", "compile_checks", "compile_tasks"]

_STATES = (
    AccessState(approval_live=False, anomaly_flagged=False),
    AccessState(approval_live=False, anomaly_flagged=True),
    AccessState(approval_live=True, anomaly_flagged=False),
    AccessState(approval_live=True, anomaly_flagged=True),
)


@dataclass(slots=True, eq=False)
class Check:
    """One request template (principal, permission, context) and the design's memoised answers to it."""

    design: ControlDesign
    request: AccessRequest
    grant: Grant
    weight: float
    windows: tuple[Window, ...]  # when a scenario approval covering the grant is live
    _memo: list[Decision | None] = field(default_factory=lambda: [None, None, None, None])
    _clocked: bool = False

    def __post_init__(self) -> None:
        # A design that reads the clock (a Cedar policy on `context.hour`) is asked every time.
        self._clocked = self.design.reads_clock

    def decide(self, now: float, flagged: bool, suspended: Container[str] = ()) -> Decision:
        """The design's decision at `now`; the agent is `flagged` once a compromise was detected.

        An approval whose id is in `suspended` (awaiting re-approval after an anomaly) does not count as live.
        """
        live = False
        for start, end, approval in self.windows:
            if start <= now < end and approval not in suspended:
                live = True
                break
        index = 2 * live + flagged
        if self._clocked:
            return self.design.decide(self.request, _STATES[index], now)
        decision = self._memo[index]
        if decision is None:
            decision = self._memo[index] = self.design.decide(self.request, _STATES[index], now)
        return decision


@dataclass(slots=True, eq=False)
class StepPlan:
    """One step: its permission and check, or the sub-task it delegates."""

    index: int
    grant: Grant
    check: Check | None  # None for a delegating step
    in_intent: bool
    delegate: TaskPlan | None


@dataclass(slots=True, eq=False)
class TaskPlan:
    """A task type compiled for one design: steps, declared scope and its checks."""

    task_type: TaskType
    id: str
    agent: str
    steps: tuple[StepPlan, ...]
    scope: frozenset[Grant]
    scope_checks: tuple[Check, ...]
    scope_score: float


Window = tuple[float, float, str]
"""(start, end, approval id): simulated seconds in which a scenario approval covers a grant."""


def approval_windows(scenario: Scenario, reach: ReachIndex, agent: str, grant: Grant) -> tuple[Window, ...]:
    """Simulated-time intervals in which a scenario approval of `agent` covers `grant`, with the approval's id."""
    windows = []
    for approval in scenario.approvals:
        if approval.agent != agent:
            continue
        if not any(grant in reach.expand(p) for p in approval.scope):
            continue
        start = _seconds(approval.granted, scenario.as_of)
        end = math.inf if approval.expires is None else _seconds(approval.expires, scenario.as_of)
        if end > start:
            windows.append((start, end, approval.id))
    return tuple(sorted(windows))


def _seconds(day: dt.date, as_of: dt.date) -> float:
    return float((day - as_of).days * 86400)


def _request(
    scenario: Scenario,
    reach: ReachIndex,
    agent: str,
    grant: Grant,
    *,
    task: TaskType | None,
    in_intent: bool,
    amount: float | None = None,
    via_tool: str | None = None,
    malicious: bool = False,
) -> AccessRequest:
    weight = reach.weight(*grant)
    environment = getattr(scenario.by_id.get(agent), "environment", "prod")
    return AccessRequest(
        principal=agent,
        action=grant[0],
        resource=grant[1],
        task_type=None if task is None else task.id,
        in_intent=in_intent,
        risk_level=risk_level(weight),
        risk_score=weight,
        environment=environment,
        amount=amount,
        via_tool=via_tool,
        on_behalf_of=None if task is None else task.on_behalf_of,
        malicious=malicious,
    )


def compile_checks(
    scenario: Scenario, reach: ReachIndex, design: ControlDesign, agent: str, grants: list[Grant]
) -> dict[Grant, Check]:
    """Attacker request templates for `agent`: outside any task, out of intent, malicious."""
    checks = {}
    for grant in grants:
        request = _request(scenario, reach, agent, grant, task=None, in_intent=False, malicious=True)
        windows = approval_windows(scenario, reach, agent, grant)
        checks[grant] = Check(design, request, grant, reach.weight(*grant), windows)
    return checks


def compile_tasks(scenario: Scenario, reach: ReachIndex, design: ControlDesign) -> dict[str, TaskPlan]:
    """Every task type of the scenario compiled for `design`, by id (sub-tasks linked to their plans)."""
    plans: dict[str, TaskPlan] = {}
    by_id = {t.id: t for t in scenario.workload.task_types}

    def build(task: TaskType) -> TaskPlan:
        if task.id in plans:
            return plans[task.id]
        intent = _intent(task, reach)
        intent_set = frozenset(intent)
        steps = []
        for index, step in enumerate(task.steps):
            if step.delegate is not None:
                steps.append(StepPlan(index, ("", ""), None, True, build(by_id[step.delegate])))
                continue
            grant: Grant = (step.action, step.resource)  # type: ignore[assignment]
            request = _request(
                scenario,
                reach,
                task.agent,
                grant,
                task=task,
                in_intent=grant in intent_set,
                amount=step.amount,
                via_tool=step.via_tool,
            )
            windows = approval_windows(scenario, reach, task.agent, grant)
            check = Check(design, request, grant, reach.weight(*grant), windows)
            steps.append(StepPlan(index, grant, check, grant in intent_set, None))
        scope_checks = []
        for grant in intent:
            first = next((s for s in task.steps if (s.action, s.resource) == grant), None)
            request = _request(
                scenario,
                reach,
                task.agent,
                grant,
                task=task,
                in_intent=True,
                amount=None if first is None else first.amount,
                via_tool=None if first is None else first.via_tool,
            )
            windows = approval_windows(scenario, reach, task.agent, grant)
            scope_checks.append(Check(design, request, grant, reach.weight(*grant), windows))
        plan = TaskPlan(
            task_type=task,
            id=task.id,
            agent=task.agent,
            steps=tuple(steps),
            scope=intent_set,
            scope_checks=tuple(scope_checks),
            scope_score=reach.score(intent_set),
        )
        plans[task.id] = plan
        return plan

    for task in scenario.workload.task_types:
        build(task)
    return plans


def _intent(task: TaskType, reach: ReachIndex) -> list[Grant]:
    """The declared intent in order, without duplicates: given, or the steps the task always takes."""
    grants: list[Grant] = []
    if task.intent is not None:
        for permission in task.intent:
            grants.extend(sorted(reach.expand(permission)))
    else:
        grants = [
            (s.action, s.resource)  # type: ignore[misc]
            for s in task.steps
            if s.delegate is None and s.probability >= 1.0
        ]
    return list(dict.fromkeys(grants))
