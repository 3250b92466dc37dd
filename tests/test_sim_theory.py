"""Simulation results checked against theory: queueing formulas, closed-form exposure, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS
from test_sim_support import AlwaysStepUp, TokenAllowAll, erlang_c_wait, tiny

from workbench.analysis import mean_ci, simulate
from workbench.model import StaticRbac, Threat, load_scenario
from workbench.policy.base import DenyAll
from workbench.sim import run_replication

REPLICATIONS = 20
CONFIDENCE = 0.95  # t interval over replications; seeds are fixed, so the outcome is deterministic


def single_step(rate: str, horizon: str, **services):
    return tiny(
        services=services,
        workload={
            "task_types": [
                {
                    "id": "work",
                    "agent": "bot",
                    "arrival": {"rate": rate},
                    "steps": [{"action": "read", "resource": "notes", "duration": "1s"}],
                }
            ]
        },
        simulation={"horizon": horizon, "replications": REPLICATIONS, "seed": 11},
    )


def test_approver_pool_matches_erlang_c():
    # M/M/2: λ = 1/min, mean review 100 s (ρ = 0.83); waits are measured until a reviewer starts.
    scenario = single_step(
        "60/h",
        "3d",
        approver_pools=[{"id": "leads", "size": 2, "review_time": {"dist": "exponential", "mean": "100s"}}],
    )
    result = simulate(scenario, designs={"always_step_up": AlwaysStepUp()}, keep_records=False)
    waits = result.services.query("service == 'approver_pool:leads'")["wait_mean_s"]
    mean, low, high = mean_ci(waits.to_numpy(), CONFIDENCE)
    theory = erlang_c_wait(1 / 60, 1 / 100, 2)
    assert low <= theory <= high, (theory, mean, low, high)
    utilisation = result.services.query("service == 'approver_pool:leads'")["utilisation"].mean()
    assert utilisation == pytest.approx((100 / 60) / 2, rel=0.03)


@pytest.mark.slow
def test_token_service_matches_mm1():
    # M/M/1: λ = 1/min, mean issuance 30 s (ρ = 0.5): Wq = ρ / (μ − λ) = 30 s. The PDP costs nothing.
    scenario = single_step(
        "60/h",
        "3d",
        token_service={"issuance": {"dist": "exponential", "mean": "30s"}, "capacity": 1},
        policy_decision_point={"evaluation": "0s", "capacity": 64},
    )
    result = simulate(scenario, designs={"tokens": TokenAllowAll()}, keep_records=False)
    waits = result.services.query("service == 'token_service'")["wait_mean_s"]
    mean, low, high = mean_ci(waits.to_numpy(), CONFIDENCE)
    assert low <= 30.0 <= high, (mean, low, high)


def injection(detection: str, revocation: str = "0s", triggers=None, **extra):
    return tiny(
        workload={"task_types": []},
        threats=[
            {
                "id": "inj",
                "kind": "prompt_injection",
                "target": "bot",
                "at": ["1h", "5h"],
                "detection_delay": detection,
                "revocation_delay": revocation,
            }
        ],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected", "latency": "10m"}]
        if triggers is None
        else triggers,
        **extra,
    )


def test_static_exposure_is_score_times_dwell():
    # Constant reach S = 9 under static RBAC, dwell = detection 2h + revocation 30m + trigger 10m.
    out = run_replication(injection("2h", "30m"), "static_rbac", 0, np.random.SeedSequence(3))
    assert [c.exposure_score_h for c in out.compromises] == [pytest.approx(9 * (2 + 0.5 + 1 / 6))] * 2
    assert [c.dwell_s for c in out.compromises] == [pytest.approx(2.5 * 3600 + 600)] * 2


def test_without_revocation_trigger_standing_access_lasts_to_the_horizon():
    out = run_replication(injection("2h", triggers=[]), "static_rbac", 0, np.random.SeedSequence(3))
    assert [(c.containment, c.exposure_score_h) for c in out.compromises] == [
        ("horizon", pytest.approx(9 * 23)),
        ("horizon", pytest.approx(9 * 19)),
    ]


def test_leaked_secret_is_contained_by_its_rotation():
    scenario = tiny(
        workload={"task_types": []},
        secrets=[
            {
                "id": "key",
                "grants": [{"action": "read", "resource": "ledger"}],
                "rotation": "6h",
                "sensitivity": "internal",
            }
        ],
        service_accounts=[{"id": "svc", "credentials": [{"secret": "key"}]}],
        threats=[{"id": "leak", "kind": "key_leak", "target": "key", "at": ["1h"], "detection_delay": "1d"}],
    )
    (record,) = run_replication(scenario, "static_rbac", 0, np.random.SeedSequence(3)).compromises
    assert (record.containment, record.contained_s) == ("rotated", 6 * 3600)
    assert record.exposure_score_h == pytest.approx(6 * 5)  # read ledger weighs 6, for 5 hours


def test_detected_leaked_secret_is_rotated_by_hand_without_any_agent_trigger():
    # Held only by a service account, so no agent's revocation trigger applies: containment is the incident
    # response itself, detection 2 h + revocation 30 m, well before the 6-hourly rotation.
    scenario = tiny(
        workload={"task_types": []},
        secrets=[
            {
                "id": "key",
                "grants": [{"action": "read", "resource": "ledger"}],
                "rotation": "6h",
                "sensitivity": "internal",
            }
        ],
        service_accounts=[{"id": "svc", "credentials": [{"secret": "key"}]}],
        threats=[
            {
                "id": "leak",
                "kind": "key_leak",
                "target": "key",
                "at": ["1h"],
                "detection_delay": "2h",
                "revocation_delay": "30m",
            }
        ],
    )
    (record,) = run_replication(scenario, "static_rbac", 0, np.random.SeedSequence(3)).compromises
    assert (record.containment, record.contained_s) == ("revoked", 3.5 * 3600)
    assert record.exposure_score_h == pytest.approx(6 * 2.5)


def test_attacker_exercises_one_permission_per_minute():
    out = run_replication(
        injection("90s", triggers=[{"event": "anomaly_detected"}]), "static_rbac", 0, np.random.SeedSequence(3)
    )
    assert [c.realised_damage for c in out.compromises] == [6 + 2, 6 + 2]  # 2 of 3 actions in 90 s


@pytest.fixture(scope="module")
def support():
    return load_scenario("scenarios/customer-support.yaml")


@pytest.mark.slow
def test_no_threats_no_damage(support):
    quiet = support.model_copy(update={"threats": []})
    result = simulate(quiet, replications=2, keep_records=False)
    summary = result.summary()
    assert (summary["realised_damage"] == 0).all()
    assert (summary["exposure_score_h"] == 0).all()
    assert result.compromises.empty


def test_deny_all_grants_nothing(support):
    hijacks = support.model_copy(update={"threats": [t for t in support.threats if t.kind == "prompt_injection"]})
    result = simulate(hijacks, replications=2, designs={"deny_all": DenyAll()})
    summary = result.summary()
    assert (summary["tokens_issued"] == 0).all()
    assert (summary["tasks_completed"] == 0).all()
    assert (summary["realised_damage"] == 0).all()
    assert (summary["exposure_score_h"] == 0).all()
    assert set(result.events["kind"]) <= {"denial", "compromise", "detection", "containment"}


@pytest.mark.slow
def test_jit_exposure_never_exceeds_static(support):
    result = simulate(support, controls=["static_rbac", "jit", "intent_aware_jit"], replications=6, keep_records=False)
    frame = result.compromises.pivot(
        index=["replication", "compromise_id"], columns="control", values="exposure_score_h"
    )
    assert len(frame) > 0
    assert (frame["jit"] <= frame["static_rbac"] + 1e-9).all()
    assert (frame["intent_aware_jit"] <= frame["static_rbac"] + 1e-9).all()


@pytest.mark.slow
def test_every_issued_token_ends_expired_or_revoked(support):
    result = simulate(support, replications=2)
    events = result.events
    keys = ["control", "replication", "credential"]
    issued = events[events["kind"] == "token_issued"].set_index(keys)["time_s"]
    ended = events[events["kind"].isin(["token_expired", "token_revoked"])]
    assert not ended.duplicated(keys).any()
    ended = ended.set_index(keys)["time_s"]
    assert len(issued) > 0
    assert issued.index.sort_values().equals(ended.index.sort_values())
    assert (ended.loc[issued.index] >= issued).all()


@pytest.mark.slow
def test_same_arrivals_and_compromises_for_every_design(support):
    result = simulate(support, replications=2)
    cutoff = support.simulation.horizon - 6 * 3600  # every design has finished tasks that arrived before
    tasks = result.tasks[(result.tasks["parent_id"] < 0) & (result.tasks["arrival_s"] < cutoff)]
    arrivals = tasks.groupby(["replication", "control"])["arrival_s"].apply(lambda s: tuple(sorted(s)))
    for _replication, by_control in arrivals.groupby(level="replication"):
        assert by_control.nunique() == 1
        assert len(by_control) == len(result.controls)
    compromises = result.compromises.groupby("control")["compromised_s"].apply(tuple)
    assert compromises.nunique() == 1


def test_folding_ended_tokens_into_exposure_changes_nothing(support, monkeypatch):
    # No revocation trigger: a hijacked JIT agent keeps riding its tasks' tokens until the horizon.
    from workbench.sim import compromise

    hijack = Threat(id="hijack", kind="prompt_injection", target="support-agent", at=[86400.0], detection_delay=3600.0)
    untriggered = support.model_copy(update={"revocation_triggers": [], "threats": [hijack]})
    seed = np.random.SeedSequence(4)
    monkeypatch.setattr(compromise, "COMPACT_AT", 10**9)  # keep every token: the plain sweep
    exact = run_replication(untriggered, "jit", 0, seed, keep_records=False).compromises
    monkeypatch.setattr(compromise, "COMPACT_AT", 4)
    folded = run_replication(untriggered, "jit", 0, seed, keep_records=False).compromises
    assert len(exact) == 1 and exact[0].containment == "horizon"
    assert [c.exposure_score_h for c in folded] == pytest.approx([c.exposure_score_h for c in exact], rel=1e-9)
    assert [c.held_exposure_score_h for c in folded] == pytest.approx(
        [c.held_exposure_score_h for c in exact], rel=1e-9
    )
    assert [c.realised_damage for c in folded] == [c.realised_damage for c in exact]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_static_blast_radius_is_what_a_hijack_reaches_under_static_rbac(path):
    # Blocked actions are out of both numbers: the static score of every agent equals the reach the
    # simulation gives its hijack under static RBAC, to the float.
    from workbench.graph import blast_radius, compile_access

    scenario = load_scenario(path)
    index = compile_access(scenario)
    agents = [a.id for a in scenario.agents]
    hijacks = [
        Threat(id=f"hijack-{i}", kind="prompt_injection", target=agent, at=[60.0], detection_delay=60.0)
        for i, agent in enumerate(agents)
    ]
    quiet = scenario.model_copy(
        update={
            "threats": hijacks,
            "workload": scenario.workload.model_copy(update={"task_types": []}),
            "simulation": scenario.simulation.model_copy(update={"horizon": 600.0}),
            "controls": [StaticRbac()],
        }
    )
    out = run_replication(quiet, "static_rbac", 0, np.random.SeedSequence(1))
    reached = {
        c.target: (c.reachable_score, c.reachable_permissions) for c in out.compromises if c.parent_compromise < 0
    }
    static = {a: (blast_radius(index, a).score, len(blast_radius(index, a).permissions)) for a in agents}
    assert reached == static
