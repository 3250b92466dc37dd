"""The state of one run: everything lives on one `Run` next to its SimPy environment, nothing in globals.

`Task` and `Token` are slotted mutable objects because the hot path updates them millions of times;
`RunStats` holds the streaming counters from which the run summary is computed whether or not every record
is kept.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import simpy

from workbench.model import Scenario
from workbench.policy.base import ControlDesign
from workbench.policy.blocked import block_list
from workbench.sim.plan import Check, TaskPlan
from workbench.sim.reach import Grant, ReachIndex
from workbench.sim.records import CompromiseRecord, Event, TaskRecord
from workbench.sim.services import Desk, Pool

if TYPE_CHECKING:
    from workbench.sim.compromise import Compromise

__all__ = ["Run", "RunStats", "Task", "Token", "anomaly_approvals"]


class Task:
    """A running task and what governance has cost it so far."""

    __slots__ = (
        "approval_wait",
        "arrival",
        "evaluations",
        "id",
        "improvised",
        "key",
        "outcome",
        "parent_id",
        "plan",
        "policy_wait",
        "reason",
        "step_ups",
        "steps_taken",
        "token_wait",
        "tokens",
        "tokens_issued",
        "work",
    )

    def __init__(self, task_id: int, plan: TaskPlan | None, parent_id: int, arrival: float, key: int = 0) -> None:
        self.id = task_id
        self.plan = plan
        self.parent_id = parent_id
        self.arrival = arrival
        self.key = key  # names the substream of the task's requests (streams.unit)
        self.token_wait = 0.0
        self.policy_wait = 0.0
        self.approval_wait = 0.0
        self.work = 0.0
        self.step_ups = 0
        self.tokens_issued = 0
        self.evaluations = 0
        self.improvised = 0
        self.steps_taken = 0
        self.outcome = ""  # set when the task fails: denied or timed_out
        self.reason = ""
        self.tokens: list[Token] = []


class Token:
    """A task token: a scope, who holds it, when it was issued and when it stops working."""

    __slots__ = (
        "agent",
        "approver",
        "checks",
        "end",
        "expires",
        "id",
        "issued",
        "name",
        "pool",
        "scope",
        "score",
        "task_id",
    )

    def __init__(
        self,
        token_id: int,
        agent: str,
        task_id: int,
        checks: tuple[Check, ...],
        issued: float,
        expires: float,
        score: float,
    ) -> None:
        self.id = token_id
        self.name = f"tok-{token_id}"
        self.agent = agent
        self.task_id = task_id
        self.checks = checks
        self.scope: frozenset[Grant] = frozenset(c.grant for c in checks)
        self.issued = issued
        self.expires = expires
        self.end = math.inf  # set when the token expires or is revoked
        self.score = score
        self.approver = ""
        self.pool = ""


@dataclass
class RunStats:
    """Streaming counters of a run: enough for the summary without keeping every record."""

    tasks: int = 0
    completed: int = 0
    denied: int = 0
    timed_out: int = 0
    latencies: array = field(default_factory=lambda: array("d"))
    overheads: array = field(default_factory=lambda: array("d"))
    token_wait: float = 0.0
    policy_wait: float = 0.0
    approval_wait: float = 0.0
    step_ups: int = 0
    approvals: int = 0
    rejections: int = 0
    approval_timeouts: int = 0
    reapprovals: int = 0
    tokens_issued: int = 0
    reissues: int = 0
    improvised_requests: int = 0
    evaluations: int = 0


class Run:
    """One design on one replication: the environment, the compiled plans, services, tokens and records.

    The governance services are built here from the scenario; their times are drawn per request (streams.py),
    so they need no stream of their own.
    """

    def __init__(
        self,
        scenario: Scenario,
        design: ControlDesign,
        reach: ReachIndex,
        plans: dict[str, TaskPlan],
        *,
        replication: int,
        seed: int,
        keep_records: bool,
    ) -> None:
        self.env = simpy.Environment()
        self.scenario = scenario
        self.design = design
        self.reach = reach
        self.plans = plans
        self.replication = replication
        self.seed = seed
        self.keep_records = keep_records
        self.horizon = scenario.simulation.horizon
        self.token_mode = design.credential_mode == "task_token"
        self.ttl = math.inf if design.token_ttl is None else float(design.token_ttl)
        self.evaluates = design.evaluates_at_request_time
        self.blocks = block_list(scenario)
        services = scenario.services
        pdp, issuer = services.policy_decision_point, services.token_service
        self.pdp = Desk(self.env, "policy_decision_point", pdp.capacity, pdp.evaluation)
        self.token_service = Desk(self.env, "token_service", issuer.capacity, issuer.issuance)
        self.pools: dict[str, Pool] = {p.id: Pool(self.env, p, scenario.as_of) for p in services.approver_pools}
        self.flagged: dict[str, int] = {}
        self.suspended: set[str] = set()
        """Approvals suspended by an anomaly, until a human approves a request they cover again."""
        self.anomaly_approvals: dict[str, tuple[str, ...]] = anomaly_approvals(scenario)
        self.live_tokens: dict[str, dict[int, Token]] = {}
        self.watch: dict[str, list[Compromise]] = {}
        self.running: dict[str, dict[str, int]] = {}
        """Per agent, how many tasks of each task type it is running now (their intent is obtainable)."""
        self.offer_serial = 0
        self.poisoned: dict[str, Compromise] = {}
        """Datasets an attacker wrote to that agents take instructions from, by the compromise that did."""
        self.token_privilege: dict[str, float] = {}
        self.stats = RunStats()
        self.tasks: list[TaskRecord] = []
        self.events: list[Event] = []
        self.compromises: list[CompromiseRecord] = []
        self.active: list[Compromise] = []
        self._next_task = 0
        self._next_token = 0

    def task_id(self) -> int:
        """A fresh task id (ids count up from 0 in arrival order within a run)."""
        self._next_task += 1
        return self._next_task - 1

    def token_id(self) -> int:
        """A fresh token id."""
        self._next_token += 1
        return self._next_token


def anomaly_approvals(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Per agent, the ids of its approvals that an anomaly suspends (re-approval trigger `anomaly`)."""
    out: dict[str, list[str]] = {}
    for approval in scenario.approvals:
        if "anomaly" in approval.reapproval_triggers:
            out.setdefault(approval.agent, []).append(approval.id)
    return {agent: tuple(ids) for agent, ids in out.items()}
