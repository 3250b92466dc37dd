"""Compromise that travels: through delegated sub-tasks, poisoned datasets and readable secrets."""

from __future__ import annotations

import numpy as np
from test_sim_support import tiny

from workbench.sim import run_replication

SEED = np.random.SeedSequence(5)
HOUR = 3600.0


def pipeline(handoff=1.0, **changes):
    """bot (hijacked at 100 s) runs a 'plan' task at 200 s that delegates filing to clerk."""
    sections = {
        "agents": [{"id": "bot", "roles": ["reader"]}, {"id": "clerk", "roles": ["filer"]}],
        "roles": [
            {
                "id": "reader",
                "permissions": [
                    {"action": "read", "resource": "notes"},
                    {"action": "write", "resource": "notes"},
                    {"action": "read", "resource": "ledger"},
                ],
            },
            {"id": "filer", "permissions": [{"action": "write", "resource": "ledger"}]},
        ],
        "workload": {
            "task_types": [
                {
                    "id": "plan",
                    "agent": "bot",
                    "arrival": {"at": ["200s"]},
                    "steps": [{"delegate": "file", "handoff": handoff}],
                },
                {
                    "id": "file",
                    "agent": "clerk",
                    "steps": [{"action": "write", "resource": "ledger", "duration": "10s"}],
                },
            ]
        },
        "threats": [
            {"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s"], "detection_delay": "1h"}
        ],
        "revocation_triggers": [{"identity": "*", "event": "anomaly_detected"}],
        "controls": [{"kind": "static_rbac"}],
    }
    sections.update(changes)
    return tiny(**sections)


def compromises(out):
    return [(c.compromise_id, c.target, c.parent_compromise, c.root_compromise, c.spread) for c in out.compromises]


def test_a_hijacked_delegator_hijacks_its_sub_agent():
    out = run_replication(pipeline(), "static_rbac", 0, SEED)
    starts = [(e.time_s, e.identity, e.task_id, e.outcome) for e in out.events if e.kind == "compromise"]
    assert starts == [(100.0, "bot", -1, ""), (200.0, "clerk", 0, "delegation")]
    assert sorted(compromises(out)) == [(0, "bot", -1, 0, ""), (1, "clerk", 0, 0, "delegation")]
    clerk = next(c for c in out.compromises if c.target == "clerk")
    # Its own detection (drawn from the parent threat's constant 1 h) and the '*' trigger contain it.
    assert (clerk.compromised_s, clerk.detected_s, clerk.contained_s) == (200.0, 200.0 + HOUR, 200.0 + HOUR)
    assert clerk.exposure_score_h == 12 * 1.0  # write (2) × confidential (3) × value 2, for 1 h


def test_a_filtered_handoff_does_not_spread():
    out = run_replication(pipeline(handoff=0.0), "static_rbac", 0, SEED)
    assert compromises(out) == [(0, "bot", -1, 0, "")]


def test_an_identity_is_compromised_at_most_once_at_a_time():
    workload = pipeline().workload.model_dump(mode="json")
    workload["task_types"][0]["arrival"] = {"at": ["200s", "300s", "400s"]}
    out = run_replication(pipeline(workload=workload), "static_rbac", 0, SEED)
    assert [c.target for c in out.compromises].count("clerk") == 1


def test_writing_a_dataset_agents_take_instructions_from_poisons_its_next_reader():
    # bot's attacker writes 'notes' (second action, at 160 s); clerk reads notes at 1000 s and is hijacked.
    sections = {
        "datasets": [
            {"id": "notes", "sensitivity": "internal", "value": 1, "hijacks_readers": 1.0},
            {"id": "ledger", "sensitivity": "confidential", "value": 2},
        ],
        "roles": [
            {
                "id": "reader",
                "permissions": [
                    {"action": "read", "resource": "notes"},
                    {"action": "write", "resource": "notes"},
                    {"action": "read", "resource": "ledger"},
                ],
            },
            {"id": "filer", "permissions": [{"action": "read", "resource": "notes"}]},
        ],
        "workload": {
            "task_types": [
                {
                    "id": "skim",
                    "agent": "clerk",
                    "arrival": {"at": ["50s", "1000s"]},
                    "steps": [{"action": "read", "resource": "notes", "duration": "5s"}],
                }
            ]
        },
    }
    out = run_replication(pipeline(**sections), "static_rbac", 0, SEED)
    attacks = [(e.time_s, e.action, e.resource) for e in out.events if e.kind == "attack" and e.identity == "bot"]
    assert attacks[:2] == [(100.0, "read", "ledger"), (160.0, "write", "notes")]
    starts = [(e.time_s, e.identity, e.outcome) for e in out.events if e.kind == "compromise"]
    # The read at 50 s came before the poisoning: only the one at 1000 s hijacks clerk.
    assert starts == [(100.0, "bot", ""), (1000.0, "clerk", "poisoned:notes")]


def test_a_secret_the_attacker_reads_leaks_for_use_from_outside():
    sections = {
        "secrets": [{"id": "db-key", "grants": [{"action": "read", "resource": "ledger"}], "sensitivity": "internal"}],
        "roles": [
            {"id": "reader", "permissions": [{"action": "read", "resource": "db-key"}]},
            {"id": "filer", "permissions": []},
        ],
        "service_accounts": [{"id": "svc", "credentials": [{"secret": "db-key"}]}],
        "workload": {"task_types": []},
    }
    out = run_replication(pipeline(**sections), "static_rbac", 0, SEED)
    assert sorted(compromises(out)) == [(0, "bot", -1, 0, ""), (1, "db-key", 0, 0, "secret:db-key")]
    leak = next(c for c in out.compromises if c.target == "db-key")
    # Reading the ledger through the readable key weighs 6 and comes first (100 s); reading the key itself
    # (weight 1) is the second action, at 160 s, and leaks it until detection an hour later.
    assert (leak.threat_kind, leak.compromised_s, leak.contained_s) == ("key_leak", 160.0, 160.0 + HOUR)
    assert leak.exposure_score_h == 6.0  # read ledger (6) for its hour until detection and rotation by hand


def test_a_cascades_exposure_is_the_sum_over_its_members():
    from workbench.analysis import SimulationResult, worst_cascade

    scenario = pipeline()
    result = SimulationResult.from_runs(scenario, [run_replication(scenario, "static_rbac", 0, SEED)])
    (row,) = result.cascades.itertuples()
    members = result.compromises
    assert (row.root_target, row.members, row.spread) == ("bot", 2, 1)
    assert row.exposure_score_h == members["exposure_score_h"].sum()
    assert worst_cascade(members)["target"].tolist() == ["bot", "clerk"]


def test_two_leaked_secrets_draw_their_own_detection_delays():
    # Equal-length names and the same action: the leak's substream must tell the secrets apart.
    grants = [{"action": "read", "resource": "ledger"}]
    sections = {
        "secrets": [{"id": name, "grants": grants, "sensitivity": "internal"} for name in ("key-a", "key-b")],
        "roles": [
            {"id": "reader", "permissions": [{"action": "read", "resource": s} for s in ("key-a", "key-b")]},
            {"id": "filer", "permissions": []},
        ],
        "service_accounts": [{"id": "svc", "credentials": [{"secret": "key-a"}, {"secret": "key-b"}]}],
        "workload": {"task_types": []},
        "threats": [
            {
                "id": "inj",
                "kind": "prompt_injection",
                "target": "bot",
                "at": ["100s"],
                "detection_delay": {"dist": "exponential", "mean": "1h"},
            }
        ],
    }
    out = run_replication(pipeline(**sections), "static_rbac", 0, SEED)
    dwell = {c.target: c.contained_s - c.compromised_s for c in out.compromises if c.threat_kind == "key_leak"}
    assert sorted(dwell) == ["key-a", "key-b"]
    assert dwell["key-a"] != dwell["key-b"]


def test_a_threats_own_compromises_are_independent_attackers():
    # Two injections an hour apart in detection: both hold bot at once, each its own compromise.
    threats = [
        {"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s", "200s"], "detection_delay": "1h"}
    ]
    out = run_replication(pipeline(threats=threats, workload={"task_types": []}), "static_rbac", 0, SEED)
    own = [(c.compromised_s, c.contained_s) for c in out.compromises if c.target == "bot"]
    assert own == [(100.0, 100.0 + HOUR), (200.0, 200.0 + HOUR)]
