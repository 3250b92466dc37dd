"""Properties that hold for any small workload: time accounting, token bookkeeping, exposure bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sim_support import tiny

from workbench.sim import run_replication

durations = st.floats(min_value=0.0, max_value=120.0, allow_nan=False)
arrivals = st.lists(st.floats(min_value=0.0, max_value=600.0, allow_nan=False), min_size=1, max_size=8)
designs = st.sampled_from(["static_rbac", "rbac_step_up", "jit"])


def workload(times, step_durations, ttl, probability):
    steps = [
        {"action": action, "resource": resource, "duration": duration, "probability": probability}
        for (action, resource), duration in zip(
            [("read", "notes"), ("read", "ledger"), ("write", "notes")], step_durations, strict=False
        )
    ]
    steps[0]["probability"] = 1.0
    return tiny(
        workload={"task_types": [{"id": "job", "agent": "bot", "arrival": {"at": times}, "steps": steps}]},
        controls=[
            {"kind": "static_rbac"},
            {"kind": "rbac_step_up", "step_up_at": "medium", "approver_pool": "leads"},
            {"kind": "jit", "token_ttl": ttl, "approval_at": "medium", "approver_pool": "leads"},
        ],
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["300s"], "detection_delay": "10m"}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    times=arrivals,
    step_durations=st.lists(durations, min_size=1, max_size=3),
    ttl=st.floats(min_value=1.0, max_value=400.0),
    probability=st.floats(min_value=0.05, max_value=1.0),
    design=designs,
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_every_second_of_a_task_is_work_or_governance(times, step_durations, ttl, probability, design, seed):
    out = run_replication(workload(times, step_durations, ttl, probability), design, 0, np.random.SeedSequence(seed))
    assert len(out.tasks) == len(times)
    for task in out.tasks:
        assert task.latency_s == pytest.approx(task.work_s + task.overhead_s, abs=1e-6)
        assert task.outcome == "completed"  # every request here is within the agent's role

    issued = {e.credential: e for e in out.events if e.kind == "token_issued"}
    ended = [e for e in out.events if e.kind in ("token_expired", "token_revoked")]
    assert sorted(e.credential for e in ended) == sorted(issued)
    for event in ended:
        start = issued[event.credential]
        assert start.time_s <= event.time_s <= start.expires_s + 1e-9

    (compromise,) = out.compromises
    # Reach can never exceed the agent's role (read notes 1, write notes 2, read ledger 6) for the dwell.
    assert 0.0 <= compromise.exposure_score_h <= 9 * compromise.dwell_s / 3600 + 1e-9
    assert 0.0 <= compromise.held_exposure_score_h <= 9 * compromise.dwell_s / 3600 + 1e-9
    assert compromise.realised_damage_distinct <= 9.0
    assert compromise.realised_damage <= 6.0 * compromise.attacker_actions
