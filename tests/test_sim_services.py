"""Approver pools' shifts and timeouts, the ServiceResource override, and compromises of tools and secrets."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sim_support import AlwaysStepUp, tiny

from workbench.model.workload import WorkingHours
from workbench.sim import run_replication
from workbench.sim.services import ServiceResource, seconds_until_shift

SEED = np.random.SeedSequence(1)
HOUR = 3600.0
DAY = 24 * HOUR
MONDAY = 0


@pytest.mark.parametrize(
    ("now", "wait"),
    [
        (0.0, 9 * HOUR),  # Monday 00:00 -> 09:00
        (10 * HOUR, 0.0),  # Monday 10:00: on shift
        (17 * HOUR, 16 * HOUR),  # Monday 17:00: closed, Tuesday 09:00
        (4 * DAY + 18 * HOUR, 2 * DAY + 15 * HOUR),  # Friday 18:00 -> Monday 09:00
        (5 * DAY + 12 * HOUR, DAY + 21 * HOUR),  # Saturday noon -> Monday 09:00
    ],
)
def test_seconds_until_shift(now, wait):
    assert seconds_until_shift(WorkingHours(start_hour=9, end_hour=17), MONDAY, now) == wait


def shift_pool(**extra):
    pool = {"id": "leads", "approvers": ["hana"], "review_time": "60s", "working_hours": {}, **extra}
    return tiny(
        services={"approver_pools": [pool]},
        workload={
            "task_types": [
                {
                    "id": "note",
                    "agent": "bot",
                    "arrival": {"at": ["10s"]},
                    "steps": [{"action": "read", "resource": "notes", "duration": "5s"}],
                }
            ]
        },
    )


def test_request_outside_working_hours_waits_for_the_shift():
    out = run_replication(shift_pool(), "x", 0, SEED, design=AlwaysStepUp())
    (approval,) = [e for e in out.events if e.kind == "approval"]
    assert (approval.time_s, approval.wait_s, approval.outcome) == (9 * HOUR + 60, 9 * HOUR - 10, "approved")
    (task,) = out.tasks
    assert task.outcome == "completed" and task.end_s == 9 * HOUR + 65


def test_approval_timeout_fails_the_task():
    out = run_replication(shift_pool(timeout="1h"), "x", 0, SEED, design=AlwaysStepUp())
    (approval,) = [e for e in out.events if e.kind == "approval"]
    assert (approval.time_s, approval.outcome) == (HOUR + 10, "timed_out")
    (task,) = out.tasks
    assert (task.outcome, task.latency_s) == ("timed_out", HOUR)
    assert out.summary["tasks_timed_out"] == 1 and out.summary["approvals_timed_out"] == 1
    (service,) = [s for s in out.services if s.service == "approver_pool:leads"]
    assert service.timeouts == 1


def test_queued_request_times_out_and_leaves_the_queue():
    # One reviewer, reviews of 2 h, timeout 1 h: the second of two simultaneous requests times out.
    scenario = tiny(
        services={"approver_pools": [{"id": "leads", "size": 1, "review_time": "2h", "timeout": "1h"}]},
    )
    out = run_replication(scenario, "x", 0, SEED, design=AlwaysStepUp())
    outcomes = [(e.task_id, e.outcome, e.time_s) for e in out.events if e.kind == "approval"]
    assert outcomes == [(1, "timed_out", 10.5 + HOUR), (0, "approved", 10 + 2 * HOUR)]


def leak(target_holders):
    return tiny(
        workload={"task_types": []},
        secrets=[{"id": "key", "grants": [{"action": "read", "resource": "ledger"}], "sensitivity": "internal"}],
        threats=[{"id": "leak", "kind": "key_leak", "target": "key", "at": ["1h"], "detection_delay": "1h"}],
        revocation_triggers=[{"identity": "*", "event": "anomaly_detected"}],
        **target_holders,
    )


def test_a_secret_only_agents_held_is_gone_under_jit():
    scenario = leak({"agents": [{"id": "bot", "roles": ["reader"], "credentials": [{"secret": "key"}]}]})
    static = run_replication(scenario, "static_rbac", 0, SEED).compromises[0]
    jit = run_replication(scenario, "jit", 0, SEED).compromises[0]
    # The leaked key is usable from outside for its 1 h until detection; one read of the ledger a minute.
    assert (static.reachable_score, static.exposure_score_h, static.realised_damage_distinct) == (6.0, 6.0, 6.0)
    assert (static.attacker_actions, static.realised_damage) == (60, 360.0)
    assert (jit.reachable_score, jit.exposure_score_h, jit.realised_damage) == (0.0, 0.0, 0.0)


def test_a_tools_own_key_survives_jit():
    scenario = tiny(
        workload={"task_types": []},
        agents=[{"id": "bot", "roles": ["reader"], "tools": ["crm"]}],
        tools=[
            {
                "id": "crm",
                "accesses": [{"resource": "notes", "actions": ["read"]}],
                "credential": "crm-key",
            }
        ],
        secrets=[{"id": "crm-key", "grants": [{"action": "read", "resource": "ledger"}], "sensitivity": "internal"}],
        threats=[{"id": "takeover", "kind": "tool_compromise", "target": "crm", "at": ["1h"], "detection_delay": "2h"}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected", "latency": "1h"}],
    )
    for design in ("static_rbac", "jit"):
        (record,) = run_replication(scenario, design, 0, SEED).compromises
        # read notes (1) + read ledger through its key (6), for detection 2 h + trigger 1 h
        assert (record.reachable_score, record.dwell_s, record.exposure_score_h) == (7.0, 3 * HOUR, 21.0)
        assert (record.realised_damage_distinct, record.attacker_actions) == (7.0, 180)
        assert record.realised_damage == 90 * 6.0 + 90 * 1.0  # alternating ledger and notes reads


def end_of_shift_queue():
    # One reviewer on a 9-17 shift, 30-minute reviews; four requests arrive at 16:45 on Monday.
    pool = {"id": "leads", "approvers": ["hana"], "review_time": "30m", "working_hours": {}}
    return tiny(
        services={"approver_pools": [pool]},
        workload={
            "task_types": [
                {
                    "id": "note",
                    "agent": "bot",
                    "arrival": {"at": ["16h45m"] * 4},
                    "steps": [{"action": "read", "resource": "notes", "duration": "1s"}],
                }
            ]
        },
        simulation={"horizon": "3d", "replications": 1, "seed": 7},
    )


def test_a_queue_left_at_the_end_of_a_shift_waits_for_the_next_shift():
    # The review started at 16:45 finishes at 17:15; nobody starts another until Tuesday 09:00, then one
    # after the other, in arrival order. (Reviewers used to keep starting reviews at 17:15, 17:45, 18:15.)
    out = run_replication(end_of_shift_queue(), "x", 0, SEED, design=AlwaysStepUp())
    reviews = [(e.task_id, e.time_s - e.duration_s, e.time_s, e.wait_s) for e in out.events if e.kind == "approval"]
    opens = DAY + 9 * HOUR
    assert reviews == [
        (0, 16.75 * HOUR, 17.25 * HOUR, 0.0),
        (1, opens, opens + 0.5 * HOUR, opens - 16.75 * HOUR),
        (2, opens + 0.5 * HOUR, opens + HOUR, opens + 0.5 * HOUR - 16.75 * HOUR),
        (3, opens + HOUR, opens + 1.5 * HOUR, opens + HOUR - 16.75 * HOUR),
    ]
    (service,) = [s for s in out.services if s.service == "approver_pool:leads"]
    assert service.utilisation == pytest.approx(2 * HOUR / (3 * DAY))  # idle overnight: not busy


def test_a_request_queued_past_the_shift_times_out_if_the_next_shift_is_too_far():
    # Timeout 2 h: the requests still queued at 17:15 cannot be started before 09:00, so they time out at
    # 18:45 (2 h after they arrived), holding no reviewer's time.
    data = end_of_shift_queue().model_dump(mode="json", exclude_none=True)
    data["services"]["approver_pools"][0]["timeout"] = "2h"
    out = run_replication(type(end_of_shift_queue()).model_validate(data), "x", 0, SEED, design=AlwaysStepUp())
    outcomes = [(e.task_id, e.outcome, e.time_s) for e in out.events if e.kind == "approval"]
    assert outcomes == [
        (0, "approved", 17.25 * HOUR),
        (1, "timed_out", 18.75 * HOUR),
        (2, "timed_out", 18.75 * HOUR),
        (3, "timed_out", 18.75 * HOUR),
    ]


# -- ServiceResource behaves exactly as simpy.Resource ---------------------------------------------------------

users = st.lists(
    st.tuples(
        # Arrival in two hops of small integers: ties are frequent, and an arrival's last event is scheduled
        # at varying points relative to other users' releases at the same instant.
        st.tuples(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=8)),
        st.integers(min_value=0, max_value=6),  # service time, zero included
        st.one_of(st.none(), st.integers(min_value=0, max_value=8)),  # patience: None waits forever
    ),
    min_size=1,
    max_size=25,
)


def _trace(resource_class, capacity, spec):
    env = simpy.Environment()
    resource = resource_class(env, capacity)
    log = {}
    levels = []

    def user(i, arrival, service, patience):
        yield env.timeout(arrival[0])
        yield env.timeout(arrival[1])
        with resource.request() as req:
            if not req.triggered:
                if patience is None:
                    yield req
                else:
                    yield req | env.timeout(patience)
                    if not req.triggered:
                        log[i] = ("reneged", env.now)
                        return
            granted = env.now
            levels.append((env.now, resource.count))
            yield env.timeout(service)
        log[i] = ("served", granted, env.now)

    for i, (arrival, service, patience) in enumerate(spec):
        env.process(user(i, arrival, service, patience))
    env.run()
    return log, sorted(levels), resource.count, len(resource.queue)


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(min_value=1, max_value=3), spec=users)
def test_service_resource_grants_and_releases_exactly_as_simpy_resource(capacity, spec):
    # Same users, same arrivals, service times and patience: every grant, release and reneging happens at
    # the same time for the same user, servers in use are the same at each grant, and both end empty.
    assert _trace(ServiceResource, capacity, spec) == _trace(simpy.Resource, capacity, spec)
