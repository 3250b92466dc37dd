"""What agents do, and the governance services their requests queue at."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue

from workbench.model.common import (
    MAX_AMOUNT,
    MAX_WEIGHT,
    Action,
    Constant,
    Distribution,
    Id,
    Permission,
    Prose,
    StrictModel,
)
from workbench.model.durations import DURATION_JSON_SCHEMA, MAX_RATE, Duration, Rate

MAX_SERVERS = 10_000
"""Most servers (reviewers, concurrent issuances or evaluations) a service may have."""
MAX_REPLAY = 2_000_000
"""Most recorded arrivals one task type may replay (a day of 100 agents is about 100,000)."""
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY

__all__ = [
    "MAX_REPLAY",
    "ApproverPool",
    "Arrival",
    "ArrivalProfile",
    "PolicyDecisionPoint",
    "Replay",
    "Services",
    "Step",
    "TaskType",
    "TokenService",
    "WorkingHours",
    "Workload",
]


def _shorthand_constant(value: Any) -> Any:
    """Let authors write `duration: 20s` for a constant."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


class _OrPlainDuration:
    """Tell the JSON Schema that a plain duration is accepted wherever a distribution is."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"anyOf": [DURATION_JSON_SCHEMA, handler(core_schema)]}


DistributionField = Annotated[Distribution, BeforeValidator(_shorthand_constant), _OrPlainDuration()]


class Step(StrictModel):
    """One step of a task: an action on a resource, or a sub-task handed to another agent."""

    action: Action | None = Field(None, description="Action the step performs.")
    resource: Id | None = Field(None, description="Resource the action is performed on.")
    via_tool: Id | None = Field(None, description="Tool through which the action is performed.")
    duration: DistributionField = Field(
        default_factory=lambda: Constant(value=1.0), description="Time the step takes once authorised."
    )
    amount: float | None = Field(None, ge=0, le=MAX_AMOUNT, description="Monetary amount, for transfer limits.")
    probability: float = Field(
        1.0, gt=0, le=1, description="Chance the agent takes this step at run time (agents improvise)."
    )
    delegate: Id | None = Field(None, description="Task type run as a sub-task by its own agent.")
    handoff: float = Field(
        1.0,
        ge=0,
        le=1,
        description="For a delegating step: chance that a hijacked delegator's input hijacks the sub-task's agent. "
        "1 where the sub-agent reads the delegator's output unfiltered; lower it where that output is filtered "
        "(a fixed schema, a guard model).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        acts = self.action is not None or self.resource is not None
        if self.delegate is not None and acts:
            raise ValueError("a step either delegates a sub-task or performs an action, not both")
        if self.delegate is None and (self.action is None or self.resource is None):
            raise ValueError("a step needs both 'action' and 'resource' (or 'delegate')")
        return self


class ArrivalProfile(StrictModel):
    """A Poisson rate that follows the clock: piecewise constant by hour of day, scaled by day of week.

    The rate in hour h of weekday d is `hourly[h] × weekday[d]`; simulation time 0 is Monday 00:00, as for
    approvers' working hours. The simulation draws it as a non-homogeneous Poisson process by thinning.
    """

    hourly: list[Rate] = Field(
        min_length=24, max_length=24, description="Rate in each hour of the day, the hour from 00:00 first."
    )
    weekday: list[float] = Field(
        default_factory=lambda: [1.0] * 7,
        min_length=7,
        max_length=7,
        description="Factor of each day of the week, Monday first; 1 everywhere when a day or less was observed.",
    )

    @model_validator(mode="after")
    def _bounded(self) -> ArrivalProfile:
        if any(not 0 <= factor <= MAX_WEIGHT for factor in self.weekday):
            raise ValueError(f"weekday factors must be between 0 and {MAX_WEIGHT:,.0f}")
        if self.peak > MAX_RATE:
            raise ValueError(f"the busiest hour's rate is more than the limit of {MAX_RATE:g} events per second")
        return self

    @property
    def peak(self) -> float:
        """The highest rate of the week (events per second): the bound thinning draws candidates at."""
        return max(self.hourly) * max(self.weekday)

    def rate_at(self, seconds: float) -> float:
        """The rate in force at simulation time `seconds`."""
        return self.hourly[int(seconds // HOUR) % 24] * self.weekday[int(seconds // DAY) % 7]

    def expected(self, start: float, end: float) -> float:
        """Expected arrivals in [start, end): the integral of the rate (the closed form).

        The rate repeats every week, so the integral is whole weeks at the week's total plus at most a week of
        hours: the work is bounded whatever the horizon.
        """
        return max(0.0, self._integral(end) - self._integral(start))

    def _integral(self, until: float) -> float:
        """Expected arrivals in [0, until)."""
        weeks, rest = divmod(until, WEEK)
        whole_hours, partial = divmod(rest, HOUR)
        hours = int(whole_hours)
        total = sum(self.rate_at(hour * HOUR) for hour in range(hours)) * HOUR
        total += self.rate_at(hours * HOUR) * partial
        week = sum(self.rate_at(hour * HOUR) for hour in range(24 * 7)) * HOUR
        return weeks * week + total


class Replay(StrictModel):
    """Arrivals as they were recorded (`workbench import traces` writes them): one task at each time, exactly.

    Replaying last week's traffic answers what each design would have cost on it, with no fitted model in
    between. Times count from `origin`, the instant simulation time 0 stands for.
    """

    origin: dt.datetime = Field(
        description="The instant simulation time 0 stands for (Monday 00:00 UTC of the first observed week)."
    )
    times: list[Duration] = Field(max_length=MAX_REPLAY, description="Recorded arrival times from `origin`, in order.")

    @model_validator(mode="after")
    def _ordered(self) -> Replay:
        if self.origin.tzinfo is None:
            raise ValueError("origin needs a time zone, e.g. 2026-11-30T00:00:00Z")
        for index, (a, b) in enumerate(itertools.pairwise(self.times)):
            if b < a:
                raise ValueError(f"times must be in order; times[{index + 1}] is before times[{index}]")
        return self


class Arrival(StrictModel):
    """When tasks of a type arrive: a Poisson rate, fixed times, a daily/weekly profile or a recorded replay."""

    rate: Rate | None = Field(None, description="Poisson arrival rate, e.g. '12/h'.")
    at: list[Duration] = Field(default_factory=list, description="Fixed arrival times from the start.")
    profile: ArrivalProfile | None = Field(
        None, description="Poisson arrivals whose rate changes by hour of day and weekday."
    )
    replay: Replay | None = Field(None, description="Recorded arrivals, replayed exactly.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Arrival:
        given = sum((self.rate is not None, bool(self.at), self.profile is not None, self.replay is not None))
        if given != 1:
            raise ValueError("give exactly one of 'rate', 'at', 'profile' or 'replay'")
        return self

    @property
    def fixed_times(self) -> list[float]:
        """Arrival times known in advance (`at`, or a replay's), in order; empty for Poisson arrivals."""
        if self.replay is not None:
            return self.replay.times
        return sorted(self.at)

    def expected(self, horizon: float) -> float:
        """Expected arrivals before `horizon`."""
        if self.profile is not None:
            return self.profile.expected(0.0, horizon)
        times = self.fixed_times
        if times:
            return float(sum(1 for when in times if when < horizon))
        return (self.rate or 0.0) * horizon


class TaskType(StrictModel):
    """A kind of task an agent runs, with its declared intent and its steps."""

    id: Id
    agent: Id = Field(description="Agent that runs the task.")
    on_behalf_of: Id | None = Field(None, description="Human whose delegated scope the task acts with.")
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    arrival: Arrival = Field(
        default_factory=lambda: Arrival(rate=0.0, at=[]),
        description="How tasks arrive; omit for tasks that only run as sub-tasks.",
    )
    intent: list[Permission] | None = Field(
        None, description="Declared intent; defaults to the steps marked certain (probability 1)."
    )
    steps: list[Step] = Field(min_length=1, description="Ordered steps of the task.")


class WorkingHours(StrictModel):
    """Hours in which human approvers work; requests outside wait for the next shift."""

    start_hour: int = Field(9, ge=0, le=23, description="Hour the shift starts (simulation starts Monday 00:00).")
    end_hour: int = Field(17, ge=1, le=24, description="Hour the shift ends.")
    weekdays_only: bool = Field(True, description="True if nobody reviews at weekends.")

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be after start_hour")
        return self


class ApproverPool(StrictModel):
    """Humans who approve step-ups, modelled as a queue with `size` servers."""

    id: Id
    approvers: list[Id] = Field(default_factory=list, description="Humans in the pool.")
    size: int | None = Field(
        None, ge=1, le=MAX_SERVERS, description="Number of concurrent reviewers; defaults to len(approvers)."
    )
    review_time: DistributionField = Field(description="Time one review takes.")
    working_hours: WorkingHours | None = Field(None, description="Shift hours; none means around the clock.")
    timeout: Duration | None = Field(None, description="Wait after which the request fails the task.")
    sla_p95: Duration | None = Field(None, description="Target 95th-percentile wait for an approval.")
    rejects_malicious: float = Field(
        0.8, ge=0, le=1, description="Chance a reviewer rejects a request made by an attacker (vigilance)."
    )

    @model_validator(mode="after")
    def _has_servers(self) -> ApproverPool:
        if self.size is None and not self.approvers:
            raise ValueError("give 'approvers' or 'size'")
        return self

    @property
    def servers(self) -> int:
        """Number of reviews that can proceed at once."""
        return self.size if self.size is not None else len(self.approvers)


class TokenService(StrictModel):
    """Issues short-lived scoped tokens; a queue with `capacity` servers."""

    issuance: DistributionField = Field(
        default_factory=lambda: Constant(value=0.05), description="Time to issue one token."
    )
    capacity: int = Field(8, ge=1, le=MAX_SERVERS, description="Concurrent issuances.")


class PolicyDecisionPoint(StrictModel):
    """Evaluates policy at request time; a queue with `capacity` servers."""

    evaluation: DistributionField = Field(
        default_factory=lambda: Constant(value=0.005), description="Time to evaluate one request."
    )
    capacity: int = Field(16, ge=1, le=MAX_SERVERS, description="Concurrent evaluations.")


class Services(StrictModel):
    """The governance services requests queue at."""

    token_service: TokenService = Field(default_factory=TokenService, description="Issues JIT tokens.")
    policy_decision_point: PolicyDecisionPoint = Field(
        default_factory=PolicyDecisionPoint, description="Evaluates policy at request time."
    )
    approver_pools: list[ApproverPool] = Field(default_factory=list, description="Human review queues.")


class Workload(StrictModel):
    """The task types the simulation runs."""

    task_types: list[TaskType] = Field(default_factory=list, description="Kinds of task agents run.")
