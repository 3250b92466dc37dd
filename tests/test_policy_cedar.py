"""The Cedar design: permit/forbid/step-up semantics, entities and context, located errors, memoisation,
and agreement with the built-in JIT designs on policies written to mirror them."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from workbench.errors import PolicyError
from workbench.model import Cedar, Scenario, load_scenario
from workbench.policy import (
    AccessRequest,
    AccessState,
    CedarDesign,
    build_cedar,
    build_design,
    cedar_entities,
    make_request,
)

POOL = "leads"
NONE = AccessState()
APPROVED = AccessState(approval_live=True)
FLAGGED = AccessState(anomaly_flagged=True)
STATES = [AccessState(approval_live=a, anomaly_flagged=f) for a in (False, True) for f in (False, True)]


def tiny_data() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "tiny",
        "as_of": "2026-01-01",
        "humans": [{"id": "olga"}],
        "service_accounts": [{"id": "svc", "roles": ["reader"], "legacy": True}],
        "agents": [
            {"id": "bot", "owner": "olga", "untrusted_input": True, "tools": ["mailer"], "roles": ["reader"]},
            {"id": "helper", "autonomy": "high", "environment": "staging"},
        ],
        "tools": [
            {
                "id": "mailer",
                "actions": ["send"],
                "external": True,
                "credential": "key",
                "accesses": [
                    {"resource": "customers", "actions": ["read"]},
                    {"resource": "notes", "actions": ["send"]},
                ],
            },
        ],
        "datasets": [
            {"id": "notes", "sensitivity": "internal", "value": 1.5},
            {"id": "customers", "sensitivity": "confidential", "value": 4, "pii": True},
        ],
        "secrets": [{"id": "key", "sensitivity": "restricted", "grants": [{"action": "send", "resource": "notes"}]}],
        "roles": [{"id": "reader", "permissions": [{"action": "read", "resource": "notes"}]}],
        "blocked_actions": [{"id": "no-deletes", "action": "delete", "resource": "*"}],
        "services": {"approver_pools": [{"id": POOL, "size": 1, "review_time": "1m"}]},
        "workload": {"task_types": [{"id": "t", "agent": "bot", "steps": [{"action": "read", "resource": "notes"}]}]},
        "controls": [
            {"kind": "cedar", "policy": "tiny.cedar"},
            {"kind": "jit", "approval_at": "critical"},
            {"kind": "intent_aware_jit", "out_of_intent": "step_up"},
        ],
    }


def tiny(**overrides: Any) -> Scenario:
    return Scenario.model_validate({**tiny_data(), **overrides})


STANDING = {
    "bot": frozenset({("read", "notes"), ("read", "customers"), ("send", "notes"), ("delete", "notes")}),
    "helper": frozenset({("write", "notes"), ("execute", "mailer"), ("read", "key")}),
}


def cedar(policy: str, scenario: Scenario | None = None, **options: Any) -> CedarDesign:
    scenario = scenario or tiny()
    control = scenario.controls[0]
    assert isinstance(control, Cedar)
    return build_cedar(scenario, control, standing=STANDING, text=policy, control_path="controls[0].policy", **options)


def ask(principal: str = "bot", action: str = "read", resource: str = "notes", **fields: Any) -> AccessRequest:
    fields.setdefault("task_type", "t")
    return AccessRequest(principal, action, resource, **fields)


def errors(policy: str, scenario: Scenario | None = None) -> list[tuple[int, int, str, str]]:
    with pytest.raises(PolicyError) as caught:
        cedar(policy, scenario)
    for problem in caught.value.problems:
        assert (problem.file, problem.path) == ("tiny.cedar", "controls[0].policy")
    return [(p.line, p.column, p.code, p.message) for p in caught.value.problems]


# -- permit, forbid and step-up --------------------------------------------------------------------------

SUPPORT = """\
@id("read-in-intent")
permit (principal, action == Action::"read", resource) when { context.in_intent };

@id("pii-needs-approval")
forbid (principal, action, resource) when { resource.pii && !context.approval_live };

@id("no-flagged")
forbid (principal, action, resource) when { context.anomaly_flagged };
"""


@pytest.mark.parametrize(
    ("request_", "state", "outcome", "pool", "policies", "reason"),
    [
        (ask(), NONE, "allow", None, ("read-in-intent",), "permitted by read-in-intent (tiny.cedar:1)"),
        # denied now, permitted once approved: a step-up, naming what stands in the way
        (
            ask(resource="customers"),
            NONE,
            "step_up",
            POOL,
            ("pii-needs-approval",),
            "forbidden by pii-needs-approval (tiny.cedar:4) unless approved",
        ),
        (
            ask(resource="customers"),
            APPROVED,
            "allow",
            None,
            ("read-in-intent",),
            "permitted by read-in-intent (tiny.cedar:1)",
        ),
        # denied even with approval: a deny
        (
            ask(resource="customers"),
            FLAGGED,
            "deny",
            None,
            ("pii-needs-approval", "no-flagged"),
            "forbidden by pii-needs-approval (tiny.cedar:4), no-flagged (tiny.cedar:7)",
        ),
        (ask(action="write"), NONE, "deny", None, (), "no policy permits"),
        (ask(in_intent=False), APPROVED, "deny", None, (), "no policy permits"),
        (ask(task_type=None, in_intent=True), NONE, "deny", None, (), "no policy permits"),  # no task: no intent
    ],
)
def test_cedar_permits_forbids_and_steps_up(
    request_: AccessRequest, state: AccessState, outcome: str, pool: str | None, policies: tuple[str, ...], reason: str
) -> None:
    decision = cedar(SUPPORT).decide(request_, state, 0.0)
    assert (decision.outcome, decision.approver_pool, decision.policy_ids, decision.reason) == (
        outcome,
        pool,
        policies,
        reason,
    )


def test_a_step_up_with_no_approver_pool_is_a_deny() -> None:
    design = cedar(SUPPORT, tiny(services={"approver_pools": []}))
    decision = design.decide(ask(resource="customers"), NONE, 0.0)
    assert decision.outcome == "deny"
    assert "no approver pool" in decision.reason


def test_policies_without_an_id_annotation_are_named_by_position() -> None:
    decision = cedar("permit (principal, action, resource);").decide(ask(), NONE, 0.0)
    assert decision.policy_ids == ("policy0",)


def test_blocked_actions_win_over_a_cedar_permit() -> None:
    decision = cedar("permit (principal, action, resource);").decide(ask(action="delete"), APPROVED, 0.0)
    assert (decision.outcome, decision.policy_ids) == ("deny", ("no-deletes",))


def test_only_agents_and_service_accounts_are_authorised_and_only_on_known_resources() -> None:
    design = cedar("permit (principal, action, resource);")
    assert design.decide(ask(principal="svc"), NONE, 0.0).outcome == "allow"
    assert design.decide(ask(principal="olga"), NONE, 0.0).outcome == "deny"
    assert design.decide(ask(principal="mailer"), NONE, 0.0).outcome == "deny"
    assert design.decide(ask(resource="nowhere"), NONE, 0.0).outcome == "deny"


# -- entities and context ------------------------------------------------------------------------------------


def test_entities_carry_attributes_roles_and_high_water_marks() -> None:
    by_uid = {(e["uid"]["type"], e["uid"]["id"]): e for e in cedar_entities(tiny())}
    bot = by_uid[("Agent", "bot")]
    assert bot["parents"] == [{"type": "Role", "id": "reader"}]
    assert bot["attrs"]["untrusted_input"] is True
    assert bot["attrs"]["tools"] == [{"__entity": {"type": "Tool", "id": "mailer"}}]
    assert by_uid[("Agent", "helper")]["attrs"]["owner"] == ""
    assert by_uid[("ServiceAccount", "svc")]["attrs"]["legacy"] is True
    assert by_uid[("Dataset", "notes")]["attrs"]["value"] == 1  # 1.5 floored: Cedar has no floats
    assert by_uid[("Secret", "key")]["attrs"]["value"] == 1
    # the mailer touches confidential PII customers (value 4): it is classified as what it reaches
    mailer = by_uid[("Tool", "mailer")]["attrs"]
    assert (mailer["sensitivity"], mailer["value"], mailer["pii"], mailer["external"]) == (
        "confidential",
        4,
        True,
        True,
    )


def test_policies_can_use_roles_and_principal_and_resource_attributes() -> None:
    policy = """
    permit (principal in Role::"reader", action == Action::"read", resource)
    when { resource.sensitivity == "internal" };
    permit (principal, action == Action::"execute", resource is Tool)
    when { principal.autonomy == "high" && principal.environment == "staging" && resource.external };
    """
    design = cedar(policy)
    assert design.decide(ask("bot", "read", "notes"), NONE, 0.0).outcome == "allow"
    assert design.decide(ask("svc", "read", "notes"), NONE, 0.0).outcome == "allow"  # via its role
    assert design.decide(ask("helper", "read", "notes"), NONE, 0.0).outcome == "deny"  # no role
    assert design.decide(ask("bot", "read", "customers"), NONE, 0.0).outcome == "deny"
    assert design.decide(ask("helper", "execute", "mailer"), NONE, 0.0).outcome == "allow"
    assert design.decide(ask("bot", "execute", "mailer"), NONE, 0.0).outcome == "deny"


def test_numbers_are_floored_and_amount_is_absent_when_the_step_has_none() -> None:
    policy = """
    permit (principal, action, resource);
    forbid (principal, action, resource) when { context has amount && context.amount >= 100 };
    forbid (principal, action, resource) when { context.risk_score >= 30 };
    """
    design = cedar(policy)
    assert design.decide(ask(amount=99.99), NONE, 0.0).outcome == "allow"
    assert design.decide(ask(amount=100.0), NONE, 0.0).outcome == "deny"
    assert design.decide(ask(), NONE, 0.0).outcome == "allow"
    assert design.decide(ask(risk_score=29.99), NONE, 0.0).outcome == "allow"
    assert design.decide(ask(risk_score=30.0), NONE, 0.0).outcome == "deny"


def test_hour_of_day_comes_from_the_simulation_clock() -> None:
    design = cedar("permit (principal, action, resource) when { context.hour >= 9 && context.hour < 17 };")
    day = 86400.0
    assert design.reads_clock and not cedar(SUPPORT).reads_clock
    assert design.decide(ask(), NONE, 8 * 3600 + 3599).outcome == "deny"
    assert design.decide(ask(), NONE, 9 * 3600).outcome == "allow"
    assert design.decide(ask(), NONE, 2 * day + 16 * 3600 + 59 * 60).outcome == "allow"
    assert design.decide(ask(), NONE, 2 * day + 17 * 3600).outcome == "deny"


def test_entitled_tells_policies_what_the_identity_could_ever_be_issued() -> None:
    design = cedar("permit (principal, action, resource) when { context.entitled };")
    assert design.decide(ask("bot", "read", "customers"), NONE, 0.0).outcome == "allow"
    assert design.decide(ask("bot", "write", "notes"), NONE, 0.0).outcome == "deny"


# -- errors, located ------------------------------------------------------------------------------------------


def test_a_syntax_error_is_reported_at_its_line_and_column() -> None:
    policy = """\
// header comment
permit (principal, action, resource);

permit (principal, action, resource)
when { context.in_intent && };
"""
    [(line, column, code, message)] = errors(policy)
    assert (line, column, code) == (5, 29, "cedar-syntax")
    assert "`}`" in message


def test_every_broken_policy_is_reported_not_just_the_first() -> None:
    policy = """\
permt (principal, action, resource);
permit (principal, action, resource);
permit (principal, actoin, resource);
permit (principal, action, resource) when { context.in_intent }"""
    found = errors(policy)
    assert [(line, column, code) for line, column, code, _ in found] == [
        (1, 1, "cedar-syntax"),  # invalid policy effect: permt
        (3, 20, "cedar-syntax"),  # invalid variable in the scope: actoin
        (4, 64, "cedar-syntax"),  # missing ';': reported just after the last token
    ]


def test_misspelt_context_attributes_and_wrong_types_are_caught_before_any_run() -> None:
    policy = """\
permit (principal, action, resource);
forbid (principal, action, resource)
when { context.in_intnet };
forbid (principal, action, resource) when { resource.sensitivity > 3 };
"""
    found = errors(policy)
    assert [(line, code) for line, _, code, _ in found] == [(3, "cedar-type"), (4, "cedar-type")]
    assert found[0][1] == 16  # the misspelt attribute itself
    assert "in_intnet" in found[0][3]
    assert "Action::" not in found[0][3]  # reported once, not once per action


def test_entities_named_in_policies_must_exist_with_the_right_kind() -> None:
    policy = """\
permit (principal, action, resource == Dataset::"nots");
permit (principal == Agent::"bot", action, resource == Dataset::"key");
"""
    found = errors(policy)
    assert [(line, column, code) for line, column, code, _ in found] == [
        (1, 40, "cedar-unknown-entity"),  # at Dataset::"nots"
        (2, 56, "cedar-unknown-entity"),
    ]
    assert "no dataset 'nots'" in found[0][3]
    assert "names a secret" in found[1][3]


def test_a_missing_policy_file_is_a_policy_error_at_the_control() -> None:
    scenario = tiny()
    with pytest.raises(PolicyError) as caught:
        build_design(scenario, scenario.controls[0], standing=STANDING)
    [problem] = caught.value.problems
    assert (problem.path, problem.code) == ("controls[0].policy", "policy-path")


def test_an_evaluation_error_fails_loudly_instead_of_skipping_the_policy() -> None:
    design = cedar("forbid (principal, action, resource) when { context.risk_score * 9223372036854775807 > 0 };")
    with pytest.raises(PolicyError) as caught:
        design.decide(ask(risk_score=2.0), NONE, 0.0)
    [problem] = caught.value.problems
    assert (problem.line, problem.code) == (1, "cedar-runtime")


def test_the_policy_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "tiny.cedar").write_text("// fine\npermit (principal, action, resource) when { context.in_intent };\n")
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_data()))
    scenario = load_scenario(tmp_path / "tiny.yaml")
    design = build_design(scenario, scenario.controls[0], standing=STANDING)
    decision = design.decide(ask(), NONE, 0.0)
    assert (decision.outcome, decision.reason) == ("allow", "permitted by policy0 (tiny.cedar:2)")

    (tmp_path / "tiny.cedar").write_text("permit (principal, action, resource)\nwhen { ; };\n")
    with pytest.raises(PolicyError) as caught:
        build_design(scenario, scenario.controls[0], standing=STANDING)
    [problem] = caught.value.problems
    assert (Path(problem.file), problem.line, problem.column) == (tmp_path / "tiny.cedar", 2, 8)


# -- memoisation ----------------------------------------------------------------------------------------------


def test_memoised_decisions_are_identical_and_skip_the_engine() -> None:
    design = cedar(SUPPORT)
    first = design.decide(ask(resource="customers"), NONE, 0.0)
    assert design.evaluations == 2  # as is, and as if approved: that is how a step-up is recognised
    # the policies read neither the clock, the tool nor the risk: those differences hit the cache
    again = design.decide(ask(resource="customers", via_tool="mailer", risk_score=7.0), NONE, 12345.0)
    assert again is first
    assert design.evaluations == 2
    design.decide(ask(resource="customers"), APPROVED, 0.0)  # approval is read: a new key
    assert design.evaluations == 3
    design.decide(ask(resource="customers", in_intent=False), NONE, 0.0)
    assert design.evaluations == 5


def test_policies_that_never_read_approval_are_evaluated_once_per_request() -> None:
    design = cedar("permit (principal, action, resource) when { context.in_intent };")
    design.decide(ask(), NONE, 0.0)
    design.decide(ask(), APPROVED, 0.0)  # approval is not read: same key
    assert design.evaluations == 1


def test_memoisation_never_changes_a_decision() -> None:
    memo, plain = cedar(SUPPORT), cedar(SUPPORT, memoise=False)
    requests = [
        ask(p, a, r, in_intent=i, via_tool=v)
        for p, a, r, i, v in itertools.product(
            ["bot", "helper"], ["read", "write"], ["notes", "customers"], [True, False], [None, "mailer"]
        )
    ]
    for _ in range(2):
        for request, state in itertools.product(requests, STATES):
            assert memo.decide(request, state, 0.0) == plain.decide(request, state, 0.0)
    assert memo.evaluations < plain.evaluations / 3


# -- agreement with the built-in designs ------------------------------------------------------------------------

MIRROR_JIT = """\
permit (principal, action, resource) when { context.entitled };
forbid (principal, action, resource) when { context.risk_level == "critical" && !context.approval_live };
"""
MIRROR_INTENT_AWARE_JIT = """\
permit (principal, action, resource) when { context.entitled && (context.in_intent || context.approval_live) };
forbid (principal, action, resource) when { context.risk_level == "critical" && !context.approval_live };
"""


@pytest.mark.parametrize(("kind", "policy"), [("jit", MIRROR_JIT), ("intent_aware_jit", MIRROR_INTENT_AWARE_JIT)])
def test_cedar_agrees_with_the_builtin_design_it_mirrors(kind: str, policy: str) -> None:
    scenario = tiny()
    builtin = build_design(scenario, next(c for c in scenario.controls if c.kind == kind), standing=STANDING)
    mirror = cedar(policy, scenario)
    compared = 0
    for principal, action, resource, risk, task, in_intent, state in itertools.product(
        ["bot", "helper"],
        ["read", "write", "delete", "execute", "send", "transfer"],
        ["notes", "customers", "mailer", "key"],
        ["low", "medium", "high", "critical"],
        ["t", None],
        [True, False],
        STATES,
    ):
        request = ask(principal, action, resource, risk_level=risk, task_type=task, in_intent=in_intent)
        want, got = builtin.decide(request, state, 0.0), mirror.decide(request, state, 0.0)
        assert (got.outcome, got.approver_pool) == (want.outcome, want.approver_pool), request
        compared += 1
    assert compared == 2 * 6 * 4 * 4 * 2 * 2 * 4


def test_the_shipped_customer_support_policy(repo: Path) -> None:
    scenario = load_scenario(repo / "scenarios" / "customer-support.yaml")
    # the support agent's effective permissions, worked out by hand from the scenario: its role, the tools
    # it is wired to (crm-mcp acts with its own key) and the mailer key it holds
    standing = {
        "support-agent": frozenset(
            {
                ("read", "crm-customers"), ("write", "crm-customers"), ("read", "billing"),
                ("read", "tickets"), ("write", "tickets"), ("send", "outbound-mail"),
                ("execute", "crm-mcp"), ("execute", "mailer"), ("execute", "ticketing"),
            }
        )
    }  # fmt: skip
    control = next(c for c in scenario.controls if c.kind == "cedar")
    design = build_design(scenario, control, standing=standing)

    def decide(action: str, resource: str, task: str | None, state: AccessState = NONE) -> tuple[str, str | None]:
        decision = design.decide(make_request(scenario, "support-agent", action, resource, task_type=task), state, 0.0)
        return decision.outcome, decision.approver_pool

    assert decide("read", "crm-customers", "answer-email") == ("allow", None)  # high (15), in intent
    assert decide("send", "outbound-mail", "answer-email") == ("allow", None)
    assert decide("read", "billing", "refund-lookup") == ("step_up", "support-leads")  # critical (80)
    assert decide("read", "billing", "refund-lookup", APPROVED) == ("allow", None)
    assert decide("read", "crm-customers", None) == ("deny", None)  # a hijack outside any task
    assert decide("write", "billing", "refund-lookup", APPROVED) == ("deny", None)  # blocked
    assert decide("read", "tickets", "answer-email", FLAGGED) == ("deny", None)


def test_every_shipped_scenario_builds_all_its_designs(shipped_scenario_path: Path) -> None:
    scenario = load_scenario(shipped_scenario_path)
    designs = [build_design(scenario, control, standing={}) for control in scenario.controls]
    assert [d.label for d in designs] == scenario.control_labels


def test_token_live_is_not_in_the_context_a_policy_can_read() -> None:
    # No request the simulation makes has a live token covering it (a task with one simply uses it), so the
    # attribute would always be false: it is not in the schema, and a policy reading it is refused.
    found = errors("permit (principal, action, resource) when { context.token_live };\n")
    assert [(line, code) for line, _, code, _ in found] == [(1, "cedar-type")]
    assert "token_live" in found[0][3]
