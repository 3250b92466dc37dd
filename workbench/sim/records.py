"""Flat simulation records, one NamedTuple per record kind, so `pd.DataFrame(records)` just works.

Every DataFrame built from these (workbench.analysis) adds `scenario`, `control`, `replication` and `seed`
to each row. Times are simulated seconds from the start of the run (t = 0 is midnight of `as_of`).

The kinds and their columns are documented in one table, docs/records.md.

Attacker model (threats.py, `Scenario.attacker`): for the whole dwell the attacker acts once per
`action_interval`, what it has used least first, highest weight first (ties by action, then resource); where
the design lets it obtain a token it asks for one (through the policy decision point, the token service and,
for a step-up, an approver who rejects it with the pool's `rejects_malicious` chance), and a refused request
is asked again after `retry_interval`.
"""

from __future__ import annotations

from typing import NamedTuple

from workbench.sim.metrics import RUN_METRICS as _RUN_METRICS

__all__ = [
    "EVENT_KINDS",
    "RUN_METRICS",
    "CompromiseRecord",
    "Event",
    "PrivilegeRecord",
    "ServiceRecord",
    "TaskRecord",
]

EVENT_KINDS: tuple[str, ...] = (
    "token_issued",
    "token_expired",
    "token_revoked",
    "approval",
    "denial",
    "compromise",
    "detection",
    "approval_suspended",
    "containment",
    "attack",
)
"""Kinds of `Event`, in the order of the table above."""


class TaskRecord(NamedTuple):
    """A task that ended: how it ended, how long it took and what governance added to it."""

    task_id: int
    task_type: str
    agent: str
    parent_id: int
    arrival_s: float
    end_s: float
    outcome: str
    reason: str
    latency_s: float
    work_s: float
    token_wait_s: float
    policy_wait_s: float
    approval_wait_s: float
    overhead_s: float
    steps_taken: int
    improvised_steps: int
    step_ups: int
    tokens_issued: int
    policy_evaluations: int


class Event(NamedTuple):
    """One entry of a run's event log; `kind` says which columns carry meaning (see the module table)."""

    kind: str
    time_s: float
    identity: str
    credential: str = ""
    task_id: int = -1
    task_type: str = ""
    action: str = ""
    resource: str = ""
    scope: str = ""
    approver_pool: str = ""
    approver: str = ""
    purpose: str = ""
    outcome: str = ""
    reason: str = ""
    wait_s: float = 0.0
    duration_s: float = 0.0
    expires_s: float = 0.0
    weight: float = 0.0
    value: float = 0.0


class CompromiseRecord(NamedTuple):
    """One compromise: what the attacker could reach, what it did and for how long."""

    compromise_id: int
    threat: str
    threat_kind: str
    target: str
    parent_compromise: int
    root_compromise: int
    spread: str
    compromised_s: float
    detected_s: float
    contained_s: float
    containment: str
    dwell_s: float
    reachable_score: float
    reachable_permissions: int
    reachable_assets: int
    exposure_score_h: float
    held_exposure_score_h: float
    realised_damage: float
    realised_damage_distinct: float
    exercised_permissions: int
    attacker_actions: int
    tokens_obtained: int
    attacker_denials: int
    attacker_rejections: int


class ServiceRecord(NamedTuple):
    """Load on one governance service over a run."""

    service: str
    servers: int
    requests: int
    utilisation: float
    queue_length_mean: float
    wait_mean_s: float
    wait_p95_s: float
    timeouts: int


class PrivilegeRecord(NamedTuple):
    """Standing and token-borne privilege of one identity over a run."""

    identity: str
    identity_kind: str
    standing_permissions: int
    standing_score: float
    standing_privilege_score_s: float
    token_privilege_score_s: float


RUN_METRICS: tuple[str, ...] = _RUN_METRICS
"""Columns of a `run` row (one per design × replication; declared in `metrics.METRICS`), summed or averaged
over the run.

Task counts and latencies cover root tasks (a sub-task's time is inside its parent's); `tasks` counts root
tasks that arrived, `tasks_unfinished` those still running at the horizon; `denied_rate` is
(denied + timed out) / ended. Approver figures pool every approver pool. Compromise figures are totals over
the run except the `_mean` ones (NaN without compromises)."""
