"""Closed forms that exposure, held exposure and the adaptive attacker must meet (docs/concepts.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from test_sim_support import tiny

from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.sim import run_replication
from workbench.sim.exposure import area

SEED = np.random.SeedSequence(11)
HOUR = 3600.0


def hijack(detection="10h", revocation="0s", controls=None, tasks=(), **extra):
    return tiny(
        workload={"task_types": list(tasks)},
        threats=[
            {
                "id": "inj",
                "kind": "prompt_injection",
                "target": "bot",
                "at": ["1h"],
                "detection_delay": detection,
                "revocation_delay": revocation,
            }
        ],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
        controls=controls or [{"kind": "static_rbac"}],
        **extra,
    )


def test_standing_access_gives_reach_times_dwell():
    (record,) = run_replication(hijack(), "static_rbac", 0, SEED).compromises
    assert (record.reachable_score, record.dwell_s) == (9.0, 10 * HOUR)
    assert record.exposure_score_h == record.held_exposure_score_h == 9 * 10


def test_plain_jit_gives_a_hijacked_agent_the_same_exposure_as_static_rbac():
    # The case: one hijack, a 10 h dwell, TTL 15 m, approvals only at critical and nothing critical.
    # The decision point hands the agent every token of its entitlement without a human, so what it could do
    # is what static RBAC leaves standing. An attacker that keeps acting keeps its tokens live too, so even
    # held exposure is barely lower: JIT's benefit is against a stolen token or a memory scrape, not this.
    jit = [{"kind": "jit", "token_ttl": "15m", "approval_at": "critical"}]
    (static,) = run_replication(hijack(), "static_rbac", 0, SEED).compromises
    (token,) = run_replication(hijack(controls=jit), "jit", 0, SEED).compromises
    assert token.exposure_score_h == static.exposure_score_h == 90.0
    assert 0.9 * static.held_exposure_score_h < token.held_exposure_score_h < static.held_exposure_score_h
    assert token.realised_damage_distinct == static.realised_damage_distinct == 9.0
    assert token.tokens_obtained > 10 * HOUR / (15 * 60)  # it asked again every time a token lapsed


def test_step_up_on_every_pair_leaves_nothing_obtainable():
    # Every pair of the role is at or above `low`: each use needs a human, so nothing is obtainable, while
    # the attacker still holds the role for the whole dwell.
    controls = [{"kind": "rbac_step_up", "step_up_at": "low", "approver_pool": "leads"}]
    (record,) = run_replication(hijack(controls=controls), "rbac_step_up", 0, SEED).compromises
    assert record.exposure_score_h == 0.0
    assert record.held_exposure_score_h == 9 * 10
    assert record.reachable_score == 0.0


@dataclass
class DenyFlagged:
    """Standing access checked at request time: allowed until the agent is flagged, denied after."""

    label: str = "deny_flagged"
    kind: str = "deny_flagged"
    credential_mode: CredentialMode = "standing"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = True
    reads_clock: bool = False
    warnings: tuple = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        return Decision("deny", "flagged") if state.anomaly_flagged else Decision("allow", "ok")

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return frozenset({("read", "notes"), ("write", "notes"), ("read", "ledger")})


def test_denying_flagged_agents_ends_obtainable_reach_at_detection_not_at_revocation():
    scenario = hijack(detection="2h", revocation="1h")
    (record,) = run_replication(scenario, "x", 0, SEED, design=DenyFlagged()).compromises
    assert record.dwell_s == 3 * HOUR
    assert record.exposure_score_h == 9 * 2  # obtainable until detection
    assert record.held_exposure_score_h == 9 * 3  # held until revocation
    assert record.attacker_denials > 0  # it kept trying after detection


def test_intent_aware_jit_with_deny_leaves_nothing_obtainable_outside_tasks():
    # No task runs: every request of the attacker is out of intent and denied; it asks again every 15 min.
    # Tries at 1 h (three denials, 1 s of evaluation each), then rounds at +901 s, +1802 s, ...: a 10 h dwell
    # holds 40 rounds of three.
    controls = [{"kind": "intent_aware_jit", "out_of_intent": "deny", "approval_at": "critical"}]
    (record,) = run_replication(hijack(controls=controls), "intent_aware_jit", 0, SEED).compromises
    assert (record.exposure_score_h, record.held_exposure_score_h, record.realised_damage) == (0.0, 0.0, 0.0)
    assert record.attacker_denials == 3 * 40


def test_intent_aware_jit_bounds_obtainable_reach_by_the_live_tasks_intent():
    # One task reads notes (weight 1) from 2 h for 30 min: only that is ever obtainable, by riding the task.
    task = {
        "id": "note",
        "agent": "bot",
        "arrival": {"at": ["2h"]},
        "steps": [{"action": "read", "resource": "notes", "duration": "30m"}],
    }
    controls = [{"kind": "intent_aware_jit", "out_of_intent": "deny", "approval_at": "critical", "token_ttl": "15m"}]
    out = run_replication(hijack(controls=controls, tasks=[task]), "intent_aware_jit", 0, SEED)
    (record,) = out.compromises
    exercised = {(e.action, e.resource) for e in out.events if e.kind == "attack"}
    assert exercised == {("read", "notes")}
    # Obtainable while the task runs (2 h to its end at 2 h 30 m 3 s) and while a token the attacker got by
    # riding it lives on after (at most one TTL): weight 1 for at most 30 m 3 s + 15 m.
    assert 30 / 60 <= record.exposure_score_h <= (30 * 60 + 3 + 15 * 60) / HOUR
    assert record.realised_damage_distinct == 1.0


def test_a_fooled_approver_lets_the_attacker_through_at_the_pools_rate():
    # Every use needs a human; the pool rejects an attacker's request with chance 0.7, so about 30% pass.
    controls = [{"kind": "rbac_step_up", "step_up_at": "low", "approver_pool": "leads"}]
    pool = {"id": "leads", "approvers": ["hana", "ivo"], "review_time": "60s", "rejects_malicious": 0.7}
    scenario = hijack(
        detection="5d",
        controls=controls,
        services={**tiny().services.model_dump(mode="json"), "approver_pools": [pool]},
        simulation={"horizon": "6d", "replications": 1, "seed": 1},
    )
    out = run_replication(scenario, "rbac_step_up", 0, SEED)
    outcomes = [e.outcome for e in out.events if e.kind == "approval" and e.purpose == "attacker"]
    n = len(outcomes)
    share = outcomes.count("approved") / n
    half_width = 1.96 * math.sqrt(0.3 * 0.7 / n)
    assert n > 500
    assert abs(share - 0.3) <= half_width, (share, n)


@dataclass
class Span:
    id: int
    issued: float
    expires: float
    end: float
    scope: frozenset


def test_area_counts_a_permission_once_however_many_spans_hold_it():
    weight = {("read", "a"): 2.0, ("read", "b"): 5.0}.__getitem__
    spans = [
        Span(1, 0.0, 10.0, math.inf, frozenset({("read", "a")})),
        Span(2, 5.0, math.inf, 20.0, frozenset({("read", "a"), ("read", "b")})),
    ]
    # a: 0-20 (2 × 20); b: 5-20 (5 × 15); base nothing.
    assert area(frozenset(), spans, 0.0, 30.0, lambda a, r: weight((a, r))) == pytest.approx(2 * 20 + 5 * 15)
    # a in the base: only b adds.
    base = frozenset({("read", "a")})
    assert area(base, spans, 0.0, 30.0, lambda a, r: weight((a, r))) == pytest.approx(2 * 30 + 5 * 15)
