"""Exact event logs of tiny scenarios, SimPy-test style: every time and every credential is asserted."""

from __future__ import annotations

import numpy as np
from test_sim_support import tiny

from workbench.sim import run_replication

SEED = np.random.SeedSequence(1)


def log(events, *columns):
    return [(e.kind, e.time_s, *(getattr(e, c) for c in columns)) for e in events]


def test_two_tasks_queue_at_the_pdp_then_the_token_service():
    # Task 0 arrives at 10 s: PDP 10-11, token service 11-13, step 13-18.
    # Task 1 arrives at 10.5 s: waits for the PDP until 11 (11-12), for the token service until 13 (13-15),
    # step 15-20. Each token ends with its task.
    out = run_replication(tiny(), "jit", 0, SEED)
    assert log(out.events, "credential", "task_id", "reason") == [
        ("token_issued", 13.0, "tok-1", 0, ""),
        ("token_issued", 15.0, "tok-2", 1, ""),
        ("token_expired", 18.0, "tok-1", 0, "task_end"),
        ("token_expired", 20.0, "tok-2", 1, "task_end"),
    ]
    assert [(t.task_id, t.latency_s, t.policy_wait_s, t.token_wait_s, t.overhead_s) for t in out.tasks] == [
        (0, 8.0, 1.0, 2.0, 3.0),
        (1, 9.5, 1.5, 3.0, 4.5),
    ]


def test_step_ups_go_to_free_approvers_in_turn():
    # Reading the ledger weighs 6 (medium): both tasks wait for a reviewer of the two-person pool.
    scenario = tiny(
        workload={
            "task_types": [
                {
                    "id": "audit",
                    "agent": "bot",
                    "arrival": {"at": ["10s", "10.5s"]},
                    "steps": [{"action": "read", "resource": "ledger", "duration": "5s"}],
                }
            ]
        }
    )
    out = run_replication(scenario, "rbac_step_up", 0, SEED)
    assert log(out.events, "task_id", "approver", "outcome", "wait_s", "duration_s") == [
        ("approval", 71.0, 0, "hana", "approved", 0.0, 60.0),
        ("approval", 72.0, 1, "ivo", "approved", 0.0, 60.0),
    ]
    assert [(t.end_s, t.approval_wait_s, t.step_ups) for t in out.tasks] == [(76.0, 60.0, 1), (77.0, 60.0, 1)]


def injection(**threat):
    return tiny(
        workload={"task_types": []},
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s"], **threat}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
    )


def test_hijacked_rbac_agent_uses_its_standing_access_highest_weight_first():
    out = run_replication(injection(detection_delay="300s"), "static_rbac", 0, SEED)
    assert log(out.events, "credential", "action", "resource", "weight") == [
        ("compromise", 100.0, "", "", "", 9.0),
        ("attack", 100.0, "standing", "read", "ledger", 6.0),
        ("attack", 160.0, "standing", "write", "notes", 2.0),
        ("attack", 220.0, "standing", "read", "notes", 1.0),
        ("detection", 400.0, "", "", "", 0.0),
        ("containment", 400.0, "", "", "", 0.0),
    ]


def test_hijacked_jit_agent_must_obtain_a_token_per_permission():
    # Each token costs 1 s at the PDP and 2 s at the token service; all three are revoked at containment.
    out = run_replication(injection(detection_delay="300s"), "jit", 0, SEED)
    assert log(out.events, "credential", "scope", "resource") == [
        ("compromise", 100.0, "", "", ""),
        ("token_issued", 103.0, "tok-1", "read:ledger", ""),
        ("attack", 103.0, "tok-1", "", "ledger"),
        ("token_issued", 166.0, "tok-2", "write:notes", ""),
        ("attack", 166.0, "tok-2", "", "notes"),
        ("token_issued", 229.0, "tok-3", "read:notes", ""),
        ("attack", 229.0, "tok-3", "", "notes"),
        ("detection", 400.0, "", "", ""),
        ("token_revoked", 400.0, "tok-1", "", ""),
        ("token_revoked", 400.0, "tok-2", "", ""),
        ("token_revoked", 400.0, "tok-3", "", ""),
        ("containment", 400.0, "", "", ""),
    ]
    (record,) = out.compromises
    # Exposure is the tokens' weight over their remaining dwell: (6·297 + 2·234 + 1·171) / 3600.
    assert record.exposure_score_h == (6 * 297 + 2 * 234 + 1 * 171) / 3600
    assert record.reachable_score == 0.0  # nothing standing at the moment of compromise
