"""Every metric of a run row, declared once: name, label, unit, which way is better, what it means.

The simulation's run row (`summary.summarise`), the comparison and sweeps (analysis), the report's tables,
figures, diff and results.json, and the CLI's tables all read this table; docs/concepts.md defines the
headline numbers in words. Order is display order: security first, then what governance costs, then counts.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPROVER_UTILISATION",
    "DENIED_RATE",
    "EXPOSURE",
    "HEADLINE_METRICS",
    "LATENCY_P95",
    "METRICS",
    "REPORTED_METRICS",
    "RUN_METRICS",
    "Metric",
    "metric",
]


@dataclass(frozen=True)
class Metric:
    """One run metric: its column `name`, the `label` people read, its `unit`, and whether less is better.

    `headline` metrics are those every summary shows (report headline table, `workbench simulate`, the
    notebook view, sweeps); `reported` ones also get a table of their own in the report.
    """

    name: str
    label: str
    unit: str
    description: str
    lower_is_better: bool = True
    headline: bool = False
    reported: bool = False

    @property
    def heading(self) -> str:
        """`Label (unit)`, as a table header shows it."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


EXPOSURE = "exposure_score_h"
LATENCY_P95 = "latency_p95_s"
DENIED_RATE = "denied_rate"
APPROVER_UTILISATION = "approver_utilisation"


METRICS: tuple[Metric, ...] = (
    # -- what a compromise can do
    Metric(
        EXPOSURE,
        "Exposure",
        "score-h",
        "Obtainable reach integrated from compromise to containment, summed over the run's compromises (the headline).",
        headline=True,
        reported=True,
    ),
    Metric(
        "held_exposure_score_h",
        "Held exposure",
        "score-h",
        "Score of the credentials the attacker holds, "
        "integrated over the dwell: what a memory-scraping attacker walks away with.",
        headline=True,
        reported=True,
    ),
    Metric(
        "realised_damage",
        "Realised damage",
        "score",
        "Summed weight of every permission use of the attacker before containment.",
        headline=True,
        reported=True,
    ),
    Metric(
        "realised_damage_distinct",
        "Distinct damage",
        "score",
        "Realised damage counting each (action, resource) pair once.",
        reported=True,
    ),
    Metric(
        "reachable_score_mean",
        "Reach at compromise",
        "score",
        "Mean obtainable reach at the moment of compromise.",
        headline=True,
        reported=True,
    ),
    Metric("exposure_score_h_mean", "Exposure per compromise", "score-h", "Mean exposure of one compromise."),
    Metric("dwell_h_mean", "Dwell time", "h", "Mean time from compromise to containment.", reported=True),
    Metric("compromises", "Compromises", "count", "Compromises in the run, spread ones included."),
    Metric("attacker_actions", "Attacker actions", "count", "Permission uses of the attacker before containment."),
    Metric(
        "standing_privilege_score_h",
        "Standing privilege",
        "score-h",
        "Summed over identities, standing score × time held, compromise or not.",
        reported=True,
    ),
    Metric(
        "token_privilege_score_h",
        "Token privilege",
        "score-h",
        "Summed over identities, score of live tokens × time they were live.",
        reported=True,
    ),
    # -- what governance costs legitimate work
    Metric(
        LATENCY_P95,
        "p95 latency",
        "s",
        "95th percentile of root-task latency, arrival to end.",
        headline=True,
        reported=True,
    ),
    Metric("latency_p50_s", "Median latency", "s", "Median root-task latency."),
    Metric("latency_p99_s", "p99 latency", "s", "99th percentile of root-task latency."),
    Metric("latency_mean_s", "Mean latency", "s", "Mean root-task latency.", reported=True),
    Metric(
        "overhead_mean_s",
        "Governance overhead",
        "s",
        "Mean time a task waits for tokens, policy decisions and approvals.",
        headline=True,
        reported=True,
    ),
    Metric("overhead_p95_s", "p95 governance overhead", "s", "95th percentile of a task's governance wait."),
    Metric("token_wait_mean_s", "Token wait", "s", "Mean time a task waits for token issuance."),
    Metric("policy_wait_mean_s", "Policy wait", "s", "Mean time a task waits for policy decisions."),
    Metric("approval_wait_mean_s", "Approval wait", "s", "Mean time a task waits for human approvals."),
    Metric(
        DENIED_RATE,
        "Tasks denied or timed out",
        "fraction",
        "(Denied + timed out) / ended root tasks.",
        headline=True,
        reported=True,
    ),
    Metric(
        APPROVER_UTILISATION,
        "Approver utilisation",
        "fraction",
        "Busy share of the approvers' working time, pooled over every approver pool.",
        headline=True,
        reported=True,
    ),
    Metric(
        "approver_queue_length_mean",
        "Approver queue",
        "requests",
        "Mean length of the approver queues, summed over pools.",
    ),
    Metric("step_ups", "Step-ups", "count", "Requests sent to a human approver.", reported=True),
    Metric("approvals_requested", "Approvals requested", "count", "Approval requests, attacker's included."),
    Metric("approvals_rejected", "Approvals rejected", "count", "Approval requests a human rejected."),
    Metric("approvals_timed_out", "Approvals timed out", "count", "Approval requests nobody answered in time."),
    Metric("reapprovals", "Re-approvals", "count", "Suspended approvals a human approved again."),
    Metric("tokens_issued", "Tokens issued", "count", "Tokens the token service issued.", reported=True),
    Metric("token_reissues", "Token re-issues", "count", "Tokens issued again after one lapsed mid-task."),
    Metric(
        "improvised_requests", "Improvised requests", "count", "Requests for steps outside a task's declared intent."
    ),
    Metric("policy_evaluations", "Policy evaluations", "count", "Decisions of the policy decision point."),
    # -- how much work there was
    Metric("tasks", "Tasks", "count", "Root tasks that arrived.", lower_is_better=False),
    Metric("tasks_completed", "Tasks completed", "count", "Root tasks that completed.", lower_is_better=False),
    Metric("tasks_denied", "Tasks denied", "count", "Root tasks denied."),
    Metric("tasks_timed_out", "Tasks timed out", "count", "Root tasks whose approval timed out."),
    Metric("tasks_unfinished", "Tasks unfinished", "count", "Root tasks still running at the horizon."),
)
"""The one declaration of the run metrics, in display order."""

RUN_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS)
"""Columns of a run row (one per design × replication), in `METRICS` order."""

HEADLINE_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.headline)
"""Metrics every summary shows, security first, then cost."""

REPORTED_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.reported)
"""Metrics the report gives a table of their own."""

_BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The declared metric; a plain one named after the column for a name the table does not declare
    (a sweep's or an older results.json's)."""
    return _BY_NAME.get(name) or Metric(name, name.replace("_", " "), "", "")
