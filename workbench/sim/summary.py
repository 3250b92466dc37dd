"""The `run` row: one design on one replication reduced to the metrics of `records.RUN_METRICS`.

Computed from the streaming counters and the (always kept, always few) compromise, service and privilege
records, so it is the same whether or not task records and the event log were kept.
"""

from __future__ import annotations

import math

import numpy as np

from workbench.sim.records import RUN_METRICS, CompromiseRecord, PrivilegeRecord, ServiceRecord
from workbench.sim.state import RunStats

__all__ = ["summarise"]


def summarise(
    stats: RunStats,
    compromises: list[CompromiseRecord],
    services: list[ServiceRecord],
    privileges: list[PrivilegeRecord],
) -> dict[str, float]:
    """The run's metrics, keyed and ordered as `RUN_METRICS`."""
    latencies = np.frombuffer(stats.latencies, dtype=float) if len(stats.latencies) else np.zeros(0)
    overheads = np.frombuffer(stats.overheads, dtype=float) if len(stats.overheads) else np.zeros(0)
    ended = len(latencies)
    pools = [s for s in services if s.service.startswith("approver_pool:")]
    servers = sum(s.servers for s in pools)
    dwell = [c.dwell_s for c in compromises]
    out: dict[str, float] = {
        "tasks": stats.tasks,
        "tasks_completed": stats.completed,
        "tasks_denied": stats.denied,
        "tasks_timed_out": stats.timed_out,
        "tasks_unfinished": stats.tasks - ended,
        "denied_rate": (stats.denied + stats.timed_out) / ended if ended else 0.0,
        "latency_mean_s": _mean(latencies),
        "latency_p50_s": _percentile(latencies, 50),
        "latency_p95_s": _percentile(latencies, 95),
        "latency_p99_s": _percentile(latencies, 99),
        "overhead_mean_s": _mean(overheads),
        "overhead_p95_s": _percentile(overheads, 95),
        "token_wait_mean_s": stats.token_wait / ended if ended else 0.0,
        "policy_wait_mean_s": stats.policy_wait / ended if ended else 0.0,
        "approval_wait_mean_s": stats.approval_wait / ended if ended else 0.0,
        "step_ups": stats.step_ups,
        "approvals_requested": stats.approvals,
        "approvals_rejected": stats.rejections,
        "approvals_timed_out": stats.approval_timeouts,
        "reapprovals": stats.reapprovals,
        "tokens_issued": stats.tokens_issued,
        "token_reissues": stats.reissues,
        "improvised_requests": stats.improvised_requests,
        "policy_evaluations": stats.evaluations,
        "approver_utilisation": sum(s.utilisation * s.servers for s in pools) / servers if servers else 0.0,
        "approver_queue_length_mean": sum(s.queue_length_mean for s in pools),
        "compromises": len(compromises),
        "reachable_score_mean": _mean(np.array([c.reachable_score for c in compromises])),
        "exposure_score_h": float(sum(c.exposure_score_h for c in compromises)),
        "exposure_score_h_mean": _mean(np.array([c.exposure_score_h for c in compromises])),
        "held_exposure_score_h": float(sum(c.held_exposure_score_h for c in compromises)),
        "realised_damage": float(sum(c.realised_damage for c in compromises)),
        "realised_damage_distinct": float(sum(c.realised_damage_distinct for c in compromises)),
        "attacker_actions": float(sum(c.attacker_actions for c in compromises)),
        "dwell_h_mean": _mean(np.array(dwell)) / 3600.0,
        "standing_privilege_score_h": float(sum(p.standing_privilege_score_s for p in privileges)) / 3600.0,
        "token_privilege_score_h": float(sum(p.token_privilege_score_s for p in privileges)) / 3600.0,
    }
    return {name: float(out[name]) for name in RUN_METRICS}


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else math.nan


def _percentile(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if values.size else math.nan
