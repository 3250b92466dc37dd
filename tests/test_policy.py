"""Built-in control designs on a tiny hand-written scenario: who is allowed, denied or stepped up, and why."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.model import Scenario
from workbench.policy import (
    AccessRequest,
    AccessState,
    AllowAll,
    ControlDesign,
    Decision,
    DenyAll,
    block_list,
    build_design,
    build_designs,
    declared_intent,
    make_request,
    risk_at_least,
)
from workbench.policy.standing import StandingIndex

PERMIT_ALL = "permit (principal, action, resource);\n"


def tiny(**overrides: Any) -> Scenario:
    """Two agents (one reads untrusted input, one runs as a service account), two datasets, four blocks."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "tiny",
        "as_of": "2026-01-01",
        "humans": [{"id": "olga"}],
        "service_accounts": [{"id": "svc"}],
        "agents": [
            {"id": "bot", "owner": "olga", "untrusted_input": True, "tools": ["mailer"]},
            {"id": "helper", "owner": "olga", "runs_as": "svc"},
        ],
        "tools": [{"id": "mailer", "actions": ["send"], "accesses": [{"resource": "notes", "actions": ["send"]}]}],
        "datasets": [
            {"id": "notes", "sensitivity": "internal"},
            {"id": "ledger", "sensitivity": "confidential", "value": 2},
        ],
        "blocked_actions": [
            {"id": "no-ledger-delete", "action": "delete", "resource": "ledger", "reason": "keep the books"},
            {
                "id": "big-transfers",
                "identity": "bot",
                "action": "transfer",
                "resource": "*",
                "when": {"amount_above": 100},
            },
            {
                "id": "untrusted-no-send",
                "action": "send",
                "resource": "*",
                "when": {"untrusted_input": True, "environments": ["prod"]},
            },
            {"id": "svc-no-notes-write", "identity": "svc", "action": "write", "resource": "notes"},
        ],
        "services": {
            "approver_pools": [
                {"id": "leads", "size": 1, "review_time": "1m"},
                {"id": "cfo", "size": 1, "review_time": "1h"},
            ]
        },
        "workload": {
            "task_types": [
                {
                    "id": "summarise",
                    "agent": "bot",
                    "steps": [
                        {"action": "read", "resource": "notes"},
                        {"action": "transfer", "resource": "ledger", "probability": 0.5},
                    ],
                },
            ]
        },
        "controls": [
            {"kind": "static_rbac", "name": "rbac"},
            {"kind": "rbac_step_up", "step_up_at": "high"},
            {"kind": "jit", "token_ttl": "10m", "approval_at": "critical", "approver_pool": "cfo"},
            {"kind": "intent_aware_jit", "out_of_intent": "step_up"},
            {"kind": "cedar", "policy": "permit-all.cedar"},
        ],
    }
    data.update(overrides)
    return Scenario.model_validate(data)


STANDING = {
    "bot": frozenset({("read", "notes"), ("send", "notes"), ("delete", "ledger"), ("transfer", "ledger")}),
    "helper": frozenset({("write", "notes"), ("read", "ledger")}),
    "svc": frozenset({("write", "notes"), ("read", "ledger")}),
}
NONE = AccessState()
APPROVED = AccessState(approval_live=True)


def ask(principal: str, action: str, resource: str, **fields: Any) -> AccessRequest:
    fields.setdefault("task_type", "summarise")
    return AccessRequest(principal, action, resource, **fields)


def design(scenario: Scenario, kind: str, **changes: Any) -> ControlDesign:
    control = next(c for c in scenario.controls if c.kind == kind)
    if changes:
        control = control.model_copy(update=changes)
    if kind == "cedar":
        from workbench.policy import build_cedar

        return build_cedar(scenario, control, standing=STANDING, text=PERMIT_ALL)  # type: ignore[arg-type]
    return build_design(scenario, control, standing=STANDING)


def outcome(decision: Decision) -> tuple[str, str | None]:
    return decision.outcome, decision.approver_pool


# -- static RBAC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "action", "resource", "expected", "reason"),
    [
        ("bot", "read", "notes", "allow", "in standing permissions"),
        ("bot", "write", "notes", "deny", "not in standing permissions"),
        ("helper", "read", "ledger", "allow", "in standing permissions"),
        ("stranger", "read", "notes", "deny", "not in standing permissions"),
    ],
)
def test_static_rbac_allows_exactly_the_standing_permissions(
    principal: str, action: str, resource: str, expected: str, reason: str
) -> None:
    decision = design(tiny(), "static_rbac").decide(ask(principal, action, resource), NONE, 0.0)
    assert (decision.outcome, decision.reason) == (expected, reason)


def test_static_rbac_ignores_risk_state_and_time() -> None:
    rbac = design(tiny(), "static_rbac")
    request = ask("bot", "transfer", "ledger", risk_level="critical", task_type=None, in_intent=False)
    flagged = AccessState(anomaly_flagged=True)
    assert rbac.decide(request, flagged, 1e9).outcome == "allow"


def test_standing_designs_leave_everything_live_and_token_designs_nothing() -> None:
    scenario = tiny()
    for kind in ("static_rbac", "rbac_step_up"):
        rbac = design(scenario, kind)
        assert (rbac.credential_mode, rbac.token_ttl) == ("standing", None)
        assert rbac.standing_permissions("bot") == STANDING["bot"]
        assert rbac.standing_permissions("nobody") == frozenset()
    for kind in ("jit", "intent_aware_jit", "cedar"):
        token = design(scenario, kind)
        assert token.credential_mode == "task_token"
        assert token.standing_permissions("bot") == frozenset()


# -- RBAC + step-up ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resource", "risk", "state", "expected"),
    [
        ("read", "notes", "medium", NONE, ("allow", None)),
        ("read", "notes", "high", NONE, ("step_up", "leads")),  # default pool: the scenario's first
        ("transfer", "ledger", "critical", NONE, ("step_up", "leads")),
        ("transfer", "ledger", "critical", APPROVED, ("allow", None)),  # a live approval covers it
        ("write", "ledger", "critical", APPROVED, ("deny", None)),  # approval never adds permissions
    ],
)
def test_rbac_step_up_asks_a_human_from_its_threshold(
    action: str, resource: str, risk: str, state: AccessState, expected: tuple[str, str | None]
) -> None:
    decision = design(tiny(), "rbac_step_up").decide(ask("bot", action, resource, risk_level=risk), state, 0.0)
    assert outcome(decision) == expected


def test_rbac_step_up_uses_the_named_pool_and_denies_without_any() -> None:
    request = ask("bot", "read", "notes", risk_level="high")
    named = design(tiny(), "rbac_step_up", approver_pool="cfo").decide(request, NONE, 0.0)
    assert outcome(named) == ("step_up", "cfo")
    no_pools = tiny(services={"approver_pools": []})
    decision = design(no_pools, "rbac_step_up").decide(request, NONE, 0.0)
    assert decision.outcome == "deny"
    assert "no approver pool" in decision.reason


# -- JIT ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "state", "expected", "reason"),
    [
        (ask("bot", "read", "notes"), NONE, ("allow", None), "within entitlement"),
        (ask("bot", "read", "ledger"), NONE, ("deny", None), "outside entitlement"),
        (ask("bot", "transfer", "ledger", risk_level="high"), NONE, ("allow", None), "within entitlement"),
        (ask("bot", "transfer", "ledger", risk_level="critical"), NONE, ("step_up", "cfo"), "critical"),
        (ask("bot", "transfer", "ledger", risk_level="critical"), APPROVED, ("allow", None), "approval is live"),
        # an attacker outside any task still gets a token within the same bound, and no more
        (ask("bot", "read", "notes", task_type=None, in_intent=False), NONE, ("allow", None), "within"),
        (ask("bot", "write", "notes", task_type=None, in_intent=False), NONE, ("deny", None), "outside"),
    ],
)
def test_jit_issues_within_the_entitlement_and_escalates_critical_scopes(
    request_: AccessRequest, state: AccessState, expected: tuple[str, str | None], reason: str
) -> None:
    decision = design(tiny(), "jit").decide(request_, state, 0.0)
    assert outcome(decision) == expected
    assert reason in decision.reason


def test_jit_carries_its_token_lifetime() -> None:
    jit = design(tiny(), "jit")
    assert (jit.kind, jit.credential_mode, jit.token_ttl) == ("jit", "task_token", 600.0)


# -- intent-aware JIT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out_of_intent", "request_", "state", "expected"),
    [
        ("step_up", ask("bot", "read", "notes", in_intent=True), NONE, ("allow", None)),
        ("step_up", ask("bot", "read", "notes", in_intent=False), NONE, ("step_up", "leads")),
        ("step_up", ask("bot", "read", "notes", in_intent=False), APPROVED, ("allow", None)),
        ("deny", ask("bot", "read", "notes", in_intent=False), NONE, ("deny", None)),
        ("deny", ask("bot", "read", "notes", in_intent=False), APPROVED, ("deny", None)),
        # outside any task there is no declared intent to be inside of
        ("step_up", ask("bot", "read", "notes", task_type=None, in_intent=True), NONE, ("step_up", "leads")),
        # the entitlement bound still comes first
        ("step_up", ask("bot", "write", "notes", in_intent=False), NONE, ("deny", None)),
        # in intent it is plain JIT: critical needs approval
        ("deny", ask("bot", "transfer", "ledger", risk_level="critical"), NONE, ("step_up", "leads")),
    ],
)
def test_intent_aware_jit_treats_requests_outside_the_declared_intent(
    out_of_intent: str, request_: AccessRequest, state: AccessState, expected: tuple[str, str | None]
) -> None:
    aware = design(tiny(), "intent_aware_jit", out_of_intent=out_of_intent)
    assert outcome(aware.decide(request_, state, 0.0)) == expected


def test_intent_aware_jit_names_intent_in_its_reason() -> None:
    aware = design(tiny(), "intent_aware_jit", out_of_intent="deny")
    decision = aware.decide(ask("bot", "read", "notes", in_intent=False), NONE, 0.0)
    assert decision.reason == "outside the task's declared intent"
    assert (aware.kind, aware.label, aware.token_ttl) == ("intent_aware_jit", "intent_aware_jit", 900.0)


# -- blocked actions -----------------------------------------------------------------------------------------

KINDS = ("static_rbac", "rbac_step_up", "jit", "intent_aware_jit", "cedar")
BLOCKED = [
    (ask("bot", "delete", "ledger"), "no-ledger-delete"),
    (ask("bot", "transfer", "ledger", amount=100.01), "big-transfers"),
    (ask("bot", "send", "notes", environment="prod"), "untrusted-no-send"),
    (ask("helper", "write", "notes"), "svc-no-notes-write"),  # helper runs as svc
]
NOT_BLOCKED = [
    ask("bot", "transfer", "ledger", amount=100.0),  # not above the limit
    ask("bot", "transfer", "ledger"),  # no amount: the limit cannot apply
    ask("bot", "send", "notes", environment="staging"),  # block is for prod only
    ask("bot", "read", "notes"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("request_", "block"), BLOCKED, ids=[b for _, b in BLOCKED])
def test_blocked_actions_are_denied_in_every_design_even_when_approved(
    kind: str, request_: AccessRequest, block: str
) -> None:
    decision = design(tiny(), kind).decide(request_, APPROVED, 0.0)
    assert decision.outcome == "deny"
    assert decision.policy_ids == (block,)
    assert decision.reason.startswith(f"blocked by {block}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("request_", NOT_BLOCKED)
def test_conditions_keep_blocks_to_where_they_apply(kind: str, request_: AccessRequest) -> None:
    assert design(tiny(), kind).decide(request_, APPROVED, 0.0).outcome == "allow"


def test_untrusted_input_condition_spares_agents_that_read_only_trusted_input() -> None:
    scenario = tiny()
    standing = {**STANDING, "helper": frozenset({("send", "notes")})}
    rbac = build_design(scenario, scenario.controls[0], standing=standing)
    assert rbac.decide(ask("helper", "send", "notes"), NONE, 0.0).outcome == "allow"
    assert rbac.decide(ask("bot", "send", "notes"), NONE, 0.0).reason == "blocked by untrusted-no-send"


def test_a_block_reason_is_quoted() -> None:
    decision = design(tiny(), "jit").decide(ask("bot", "delete", "ledger"), NONE, 0.0)
    assert decision.reason == "blocked by no-ledger-delete: keep the books"


# -- null designs, factory, helpers --------------------------------------------------------------------------


def test_deny_all_grants_nothing() -> None:
    deny = DenyAll()
    for request in [*NOT_BLOCKED, ask("helper", "read", "ledger", task_type=None)]:
        for state in (NONE, APPROVED):
            assert deny.decide(request, state, 0.0).outcome == "deny"
    assert deny.standing_permissions("bot") == frozenset()


def test_allow_all_allows_and_holds_what_it_is_given() -> None:
    allow = AllowAll(standing=STANDING)
    assert allow.decide(ask("bot", "delete", "ledger"), NONE, 0.0).outcome == "allow"
    assert allow.standing_permissions("helper") == STANDING["helper"]


def test_build_designs_follows_the_scenario_order_and_meets_the_protocol() -> None:
    scenario = tiny(controls=[c for c in tiny().controls if c.kind != "cedar"])
    designs = build_designs(scenario, standing=STANDING)
    assert [(d.kind, d.label) for d in designs] == [
        ("static_rbac", "rbac"),
        ("rbac_step_up", "rbac_step_up"),
        ("jit", "jit"),
        ("intent_aware_jit", "intent_aware_jit"),
    ]
    assert all(isinstance(d, ControlDesign) for d in [*designs, AllowAll(), DenyAll()])


def test_standing_can_be_a_callable_and_is_asked_once_per_identity() -> None:
    asked: list[str] = []

    def lookup(identity: str) -> frozenset[tuple[str, str]]:
        asked.append(identity)
        return STANDING.get(identity, frozenset())

    scenario = tiny()
    rbac = build_design(scenario, scenario.controls[0], standing=lookup)
    for _ in range(3):
        rbac.decide(ask("bot", "read", "notes"), NONE, 0.0)
        rbac.decide(ask("helper", "read", "notes"), NONE, 0.0)
    assert asked == ["bot", "helper"]
    assert StandingIndex(STANDING).holds("svc", "read", "ledger")


def test_risk_levels_are_ordered() -> None:
    assert risk_at_least("critical", "high") and risk_at_least("high", "high")
    assert not risk_at_least("medium", "high")
    with pytest.raises(ValueError):
        risk_at_least("severe", "high")


def test_make_request_scores_risk_with_the_scenario_weights_and_judges_intent() -> None:
    scenario = tiny()
    # ledger: confidential (3) x value 2 x transfer (4) = 24, which is high (10 <= 24 < 30)
    transfer = make_request(scenario, "bot", "transfer", "ledger", task_type="summarise", amount=5.0)
    assert (transfer.risk_score, transfer.risk_level, transfer.amount) == (24.0, "high", 5.0)
    assert transfer.in_intent is False  # a step with probability 0.5 is not declared intent
    read = make_request(scenario, "bot", "read", "notes", task_type="summarise")
    assert (read.risk_score, read.risk_level, read.in_intent) == (1.0, "low", True)
    assert make_request(scenario, "bot", "read", "notes").in_intent is False
    assert declared_intent(scenario, scenario.workload.task_types[0]) == {("read", "notes")}
    with pytest.raises(KeyError):
        make_request(scenario, "bot", "read", "notes", task_type="nope")


# -- properties ------------------------------------------------------------------------------------------------

REQUESTS = st.builds(
    AccessRequest,
    principal=st.sampled_from(["bot", "helper", "svc", "stranger"]),
    action=st.sampled_from(["read", "write", "delete", "execute", "send", "transfer"]),
    resource=st.sampled_from(["notes", "ledger", "mailer"]),
    task_type=st.sampled_from(["summarise", None]),
    in_intent=st.booleans(),
    risk_level=st.sampled_from(["low", "medium", "high", "critical"]),
    environment=st.sampled_from(["prod", "staging"]),
    amount=st.one_of(st.none(), st.floats(min_value=0, max_value=1000)),
)
ACCESS_STATES = st.builds(AccessState, approval_live=st.booleans(), anomaly_flagged=st.booleans())


@settings(max_examples=300, deadline=None)
@given(request=REQUESTS, state=ACCESS_STATES)
def test_each_design_is_at_most_as_permissive_as_the_one_it_narrows(request: AccessRequest, state: AccessState) -> None:
    scenario = tiny()
    allowed = {kind: design(scenario, kind).decide(request, state, 0.0).outcome == "allow" for kind in KINDS}
    # step-up and JIT only remove access from RBAC; intent-awareness only removes access from JIT
    assert allowed["rbac_step_up"] <= allowed["static_rbac"]
    assert allowed["jit"] <= allowed["static_rbac"]
    assert allowed["intent_aware_jit"] <= allowed["jit"]
    # and static RBAC is exactly "held and not blocked"
    held = (request.action, request.resource) in STANDING.get(request.principal, frozenset())
    assert allowed["static_rbac"] == (held and block_list(scenario).match(request) is None)
