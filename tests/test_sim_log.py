"""Exact event logs of tiny scenarios, SimPy-test style: every time and every credential is asserted."""

from __future__ import annotations

import numpy as np
from test_sim_support import TokenAllowAll, anomaly_approved, tiny

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


def test_hijacked_rbac_agent_keeps_using_its_standing_access_for_the_whole_dwell():
    # One action a minute, least used first, highest weight first: every permission once, then round again.
    out = run_replication(injection(detection_delay="300s"), "static_rbac", 0, SEED)
    assert log(out.events, "credential", "action", "resource", "weight") == [
        ("compromise", 100.0, "", "", "", 9.0),
        ("attack", 100.0, "standing", "read", "ledger", 6.0),
        ("attack", 160.0, "standing", "write", "notes", 2.0),
        ("attack", 220.0, "standing", "read", "notes", 1.0),
        ("attack", 280.0, "standing", "read", "ledger", 6.0),
        ("attack", 340.0, "standing", "write", "notes", 2.0),
        ("detection", 400.0, "", "", "", 0.0),
        ("containment", 400.0, "", "", "", 0.0),
    ]
    (record,) = out.compromises
    assert (record.realised_damage, record.realised_damage_distinct, record.attacker_actions) == (17.0, 9.0, 5)


def test_hijacked_jit_agent_obtains_a_token_per_permission_and_reuses_live_ones():
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
        ("attack", 289.0, "tok-1", "", "ledger"),
        ("attack", 349.0, "tok-2", "", "notes"),
        ("detection", 400.0, "", "", ""),
        ("token_revoked", 400.0, "tok-1", "", ""),
        ("token_revoked", 400.0, "tok-2", "", ""),
        ("token_revoked", 400.0, "tok-3", "", ""),
        ("containment", 400.0, "", "", ""),
    ]
    (record,) = out.compromises
    # Plain JIT issues the hijacked agent anything in its entitlement without a human: obtainable reach is
    # the whole role (9) from the first second, as under static RBAC. Held exposure is only the tokens'
    # weight over their remaining dwell: (6·297 + 2·234 + 1·171) / 3600.
    assert record.reachable_score == 9.0
    assert record.exposure_score_h == 9 * 300 / 3600
    assert record.held_exposure_score_h == (6 * 297 + 2 * 234 + 1 * 171) / 3600


def test_attacker_asks_again_when_its_token_expires():
    # TTL 90 s: tok-1 (read:ledger, issued 103 s) has lapsed when the attacker comes back to the ledger at
    # 289 s, so it asks for a new one (PDP 289-290, issuance 290-292). One permission per control window.
    scenario = tiny(
        workload={"task_types": []},
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s"], "detection_delay": "300s"}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
        controls=[{"kind": "jit", "token_ttl": "90s", "approval_at": "critical"}],
    )
    out = run_replication(scenario, "jit", 0, SEED)
    assert log(out.events, "credential", "scope", "resource") == [
        ("compromise", 100.0, "", "", ""),
        ("token_issued", 103.0, "tok-1", "read:ledger", ""),
        ("attack", 103.0, "tok-1", "", "ledger"),
        ("token_issued", 166.0, "tok-2", "write:notes", ""),
        ("attack", 166.0, "tok-2", "", "notes"),
        ("token_issued", 229.0, "tok-3", "read:notes", ""),
        ("attack", 229.0, "tok-3", "", "notes"),
        ("token_expired", 193.0, "tok-1", "", ""),  # logged at 289 s, when the attacker finds it lapsed
        ("token_issued", 292.0, "tok-4", "read:ledger", ""),
        ("attack", 292.0, "tok-4", "", "ledger"),
        ("token_expired", 256.0, "tok-2", "", ""),
        ("token_issued", 355.0, "tok-5", "write:notes", ""),
        ("attack", 355.0, "tok-5", "", "notes"),
        ("detection", 400.0, "", "", ""),
        ("token_expired", 319.0, "tok-3", "", ""),
        ("token_expired", 382.0, "tok-4", "", ""),
        ("token_revoked", 400.0, "tok-5", "", ""),
        ("containment", 400.0, "", "", ""),
    ]
    (record,) = out.compromises
    assert (record.tokens_obtained, record.exposure_score_h) == (5, 9 * 300 / 3600)
    assert record.held_exposure_score_h == (6 * 90 + 2 * 90 + 1 * 90 + 6 * 90 + 2 * 45) / 3600


def one_task(steps, *, ttl="1h", **extra):
    return tiny(
        workload={"task_types": [{"id": "job", "agent": "bot", "arrival": {"at": ["10s"]}, "steps": steps}]},
        controls=[{"kind": "jit", "token_ttl": ttl, "approval_at": "critical"}],
        **extra,
    )


def test_improvised_step_requests_its_own_token_when_taken():
    # The ledger read is improvised (probability < 1, so outside the default intent); with p = 0.999 this
    # seed takes it. It gets its own token at that moment: PDP 1 s + issuance 2 s.
    steps = [
        {"action": "read", "resource": "notes", "duration": "5s"},
        {"action": "read", "resource": "ledger", "duration": "5s", "probability": 0.999},
    ]
    out = run_replication(one_task(steps), "jit", 0, SEED)
    assert log(out.events, "credential", "scope", "purpose") == [
        ("token_issued", 13.0, "tok-1", "read:notes", "task"),
        ("token_issued", 21.0, "tok-2", "read:ledger", "improvised"),
        ("token_expired", 26.0, "tok-1", "", ""),
        ("token_expired", 26.0, "tok-2", "", ""),
    ]
    (task,) = out.tasks
    assert (task.improvised_steps, task.tokens_issued, task.policy_evaluations) == (1, 2, 2)


def test_token_expiring_mid_task_is_reissued():
    # Two scope items: PDP 10-12, issuance 12-14. TTL 6 s: tok-1 lapses at 20 s during the 8 s step, so at
    # 22 s the second step waits for a re-issue of the whole scope (PDP 22-24, issuance 24-26).
    steps = [
        {"action": "read", "resource": "notes", "duration": "8s"},
        {"action": "write", "resource": "notes", "duration": "1s"},
    ]
    out = run_replication(one_task(steps, ttl="6s"), "jit", 0, SEED)
    assert log(out.events, "credential", "purpose", "reason") == [
        ("token_issued", 14.0, "tok-1", "task", ""),
        ("token_expired", 20.0, "tok-1", "", "ttl"),
        ("token_issued", 26.0, "tok-2", "reissue", ""),
        ("token_expired", 27.0, "tok-2", "", "task_end"),
    ]


def test_delegated_subtask_runs_as_its_own_agent_while_the_parent_waits():
    scenario = tiny(
        agents=[{"id": "bot", "roles": ["reader"]}, {"id": "helper", "roles": ["reader"]}],
        workload={
            "task_types": [
                {
                    "id": "plan",
                    "agent": "bot",
                    "arrival": {"at": ["10s"]},
                    "steps": [
                        {"action": "read", "resource": "notes", "duration": "2s"},
                        {"delegate": "fetch"},
                        {"action": "write", "resource": "notes", "duration": "1s"},
                    ],
                },
                {
                    "id": "fetch",
                    "agent": "helper",
                    "steps": [{"action": "read", "resource": "ledger", "duration": "4s"}],
                },
            ]
        },
    )
    # The parent's token covers its two certain steps (PDP 10-12, issuance 12-14); the sub-task starts at
    # 16 s and gets its own (PDP 16-17, issuance 17-19); the parent resumes when it ends at 23 s.
    out = run_replication(scenario, "jit", 0, SEED)
    assert log(out.events, "identity", "credential", "task_id") == [
        ("token_issued", 14.0, "bot", "tok-1", 0),
        ("token_issued", 19.0, "helper", "tok-2", 1),
        ("token_expired", 23.0, "helper", "tok-2", 1),
        ("token_expired", 24.0, "bot", "tok-1", 0),
    ]
    (parent,) = (t for t in out.tasks if t.parent_id < 0)
    (child,) = (t for t in out.tasks if t.parent_id == parent.task_id)
    assert (child.agent, child.arrival_s, child.end_s) == ("helper", 16.0, 23.0)
    assert (parent.latency_s, parent.overhead_s) == (14.0, 7.0)  # its own 4 s and the sub-task's 3 s
    assert out.summary["tasks"] == 1.0  # sub-tasks are inside their root task


def test_clock_reading_design_is_asked_at_every_request():
    calls = []

    class Office(TokenAllowAll):
        def decide(self, request, state, now):
            calls.append(now)
            return super().decide(request, state, now)

    run_replication(tiny(), "office", 0, SEED, design=Office(reads_clock=True))
    assert calls == [11.0, 12.0]


def test_anomaly_suspends_an_approval_until_a_human_approves_again():
    # The live approval lets the first audit's ledger read through RBAC step-up. Detection at 400 s suspends it,
    # so the audit at 1000 s (1 s at the PDP) waits 60 s for hana's re-approval; the audit at 2000 s runs on the
    # restored approval.
    out = run_replication(anomaly_approved(["anomaly"]), "rbac_step_up", 0, SEED)
    assert log(
        [e for e in out.events if e.kind in ("approval", "approval_suspended")], "task_id", "purpose", "reason"
    ) == [
        ("approval_suspended", 400.0, -1, "", "ledger-ok"),
        ("approval", 1061.0, 1, "reapproval", "ledger-ok"),
    ]
    assert [(t.task_id, t.step_ups, t.approval_wait_s) for t in out.tasks] == [(0, 0, 0.0), (1, 1, 60.0), (2, 0, 0.0)]
    assert out.summary["reapprovals"] == 1


def test_an_approval_without_the_anomaly_trigger_survives_detection():
    out = run_replication(anomaly_approved(["expiry"]), "rbac_step_up", 0, SEED)
    assert not [e for e in out.events if e.kind in ("approval", "approval_suspended")]
    assert [t.step_ups for t in out.tasks] == [0, 0, 0]
