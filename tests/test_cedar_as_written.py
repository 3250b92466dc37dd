"""Cedar as teams write it: the schema derived from the scenario, realistic policies (namespaces, role and
resource hierarchies, action groups, entity tags, templates linked to principals, `like`, `context has`)
validating and deciding as written, and the lint for policies that can never apply."""

from __future__ import annotations

import json
from typing import Any

import cedarpy
import pytest
from test_policy_cedar import tiny_data

from workbench.cli import run
from workbench.errors import PolicyError
from workbench.model import Cedar, Scenario
from workbench.policy import AccessRequest, AccessState, build_cedar, cedar_schema_json, cedar_schema_text

NS = "Acme::Agents"
NONE = AccessState()
APPROVED = AccessState(approval_live=True)


def team_data(**control: Any) -> dict[str, Any]:
    data = tiny_data()
    data["agents"][0].update(tags={"team": "support-emea"}, business_purpose="Answer customer tickets.")
    data["agents"][1].update(tags={"team": "finance"})
    data["datasets"] = [
        {"id": "crm", "kind": "system", "sensitivity": "confidential", "tags": {"domain": "support"}},
        {"id": "notes", "sensitivity": "internal", "value": 1.5, "part_of": "crm", "tags": {"domain": "support"}},
        {"id": "customers", "sensitivity": "confidential", "value": 4, "pii": True, "part_of": "crm"},
    ]
    data["controls"] = [{"kind": "cedar", "policy": "team.cedar", "namespace": NS, **control}]
    return data


def team(**control: Any) -> Scenario:
    return Scenario.model_validate(team_data(**control))


STANDING = {"bot": frozenset({("read", "notes"), ("read", "customers")}), "helper": frozenset({("read", "customers")})}


def design(policy: str, scenario: Scenario | None = None) -> Any:
    scenario = scenario or team()
    control = scenario.controls[0]
    assert isinstance(control, Cedar)
    return build_cedar(scenario, control, standing=STANDING, text=policy, control_path="controls[0].policy")


def ask(principal: str, action: str, resource: str, **fields: Any) -> AccessRequest:
    fields.setdefault("task_type", "t")
    return AccessRequest(principal, action, resource, **fields)


# An AVP-style set: a role reads everything in a system, through an action group, in production.
SUPPORT_READS = f"""
@id("support-reads-crm")
permit (
  principal in {NS}::Role::"reader",
  action in {NS}::Action::"read_only",
  resource in {NS}::Dataset::"crm"
) when {{ principal.environment == "prod" && context.in_intent }};
"""

# AgentCore-style: attribute-based on entity tags, with `like`, and amounts checked only where present.
TAGGED = f"""
@id("same-team-domain")
permit (principal is {NS}::Agent, action, resource is {NS}::Dataset)
when {{
  principal.hasTag("team") && resource.hasTag("domain") &&
  principal.getTag("team") like "support*" && resource.getTag("domain") == "support"
}}
unless {{ context has amount && context.amount >= 1000 }};
@id("mutations-need-a-purpose")
forbid (principal, action in {NS}::Action::"mutating", resource)
unless {{ principal has business_purpose }};
"""

# A template Verified Permissions links per principal: read one resource, only with a live approval.
TEMPLATE = f"""
@id("approved-read")
permit (principal == ?principal, action == {NS}::Action::"read", resource in ?resource)
when {{ context.approval_live }};
"""


def test_namespaced_role_and_resource_hierarchies_with_an_action_group() -> None:
    cedar = design(SUPPORT_READS)
    assert cedar.decide(ask("bot", "read", "notes", in_intent=True), NONE, 0).outcome == "allow"  # notes in crm
    assert cedar.decide(ask("bot", "read", "customers", in_intent=True), NONE, 0).outcome == "allow"
    assert cedar.decide(ask("bot", "read", "notes", in_intent=False), NONE, 0).outcome == "deny"
    assert cedar.decide(ask("bot", "write", "notes", in_intent=True), NONE, 0).outcome == "deny"  # not read-only
    assert cedar.decide(ask("helper", "read", "notes", in_intent=True), NONE, 0).outcome == "deny"  # no role
    decision = cedar.decide(ask("bot", "read", "notes", in_intent=True), NONE, 0)
    assert decision.policy_ids == ("support-reads-crm",)


def test_entity_tags_like_and_context_has() -> None:
    cedar = design(TAGGED)
    assert cedar.decide(ask("bot", "read", "notes"), NONE, 0).outcome == "allow"
    assert cedar.decide(ask("bot", "read", "notes", amount=999.9), NONE, 0).outcome == "allow"
    assert cedar.decide(ask("bot", "read", "notes", amount=1000), NONE, 0).outcome == "deny"
    assert cedar.decide(ask("bot", "read", "customers"), NONE, 0).outcome == "deny"  # customers has no domain tag
    assert cedar.decide(ask("helper", "read", "notes"), NONE, 0).outcome == "deny"  # team finance
    assert cedar.decide(ask("bot", "write", "notes"), NONE, 0).outcome == "allow"  # bot states a purpose
    forbidden = design(TAGGED, team()).decide(ask("helper", "write", "notes"), NONE, 0)
    assert forbidden.outcome == "deny"


def test_a_template_applies_only_where_it_is_linked() -> None:
    scenario = team(links=[{"template": "approved-read", "principal": "helper", "resource": "crm"}])
    cedar = design(TEMPLATE, scenario)
    stepped = cedar.decide(ask("helper", "read", "customers"), NONE, 0)
    assert (stepped.outcome, stepped.approver_pool) == ("step_up", "leads")
    assert cedar.decide(ask("helper", "read", "customers"), APPROVED, 0).outcome == "allow"
    assert cedar.decide(ask("bot", "read", "customers"), APPROVED, 0).outcome == "deny"  # not linked to bot
    assert cedar.policies.warnings == ()


def test_a_link_to_an_unknown_template_or_a_non_principal_is_refused() -> None:
    scenario = team(
        links=[{"template": "nope", "principal": "helper"}, {"template": "approved-read", "principal": "crm"}]
    )
    with pytest.raises(PolicyError) as caught:
        design(TEMPLATE, scenario)
    messages = [p.message for p in caught.value.problems]
    assert any("no template 'nope'" in m and "'approved-read'" in m for m in messages)
    assert any("'crm' is not an agent or service account" in m for m in messages)


def _warnings(policy: str, scenario: Scenario | None = None) -> list[tuple[int, int, str]]:
    return [(w.line, w.column, w.code) for w in design(policy, scenario).warnings]


def test_lint_warns_where_a_policy_can_never_apply() -> None:
    # Secrets carry no tags in this scenario: the first conjunct is false for every request.
    policy = f'permit (principal, action, resource is {NS}::Secret)\nwhen {{ resource.hasTag("x") && true }};'
    assert _warnings(policy) == [(2, 8, "cedar-never-applies")]
    # No service account states a business purpose: `has` is false for all of them.
    policy = f"permit (principal is {NS}::ServiceAccount, action, resource)\nwhen {{ principal has business_purpose }};"
    assert _warnings(policy) == [(2, 8, "cedar-never-applies")]
    # A template nobody links.
    assert _warnings(TEMPLATE) == [(2, 1, "cedar-unlinked-template")]
    # The realistic policies above can all apply.
    assert _warnings(SUPPORT_READS + TAGGED) == []


def test_a_validation_error_points_at_the_attribute_not_the_policy() -> None:
    policy = (
        f"permit (principal is {NS}::Agent, action, resource)\n"
        'when { principal.environment == "prod" && principal.colour == "red" };'
    )
    with pytest.raises(PolicyError) as caught:
        design(policy)
    (problem,) = caught.value.problems
    second_line = policy.splitlines()[1]
    assert (problem.line, problem.column, problem.code) == (2, second_line.index("colour") + 1, "cedar-type")
    assert "colour" in problem.message


def test_schema_is_derived_from_the_scenario() -> None:
    schema = cedar_schema_json(team(), namespace=NS)[NS]
    agent = schema["entityTypes"]["Agent"]
    assert agent["memberOfTypes"] == ["Role"] and agent["tags"] == {"type": "String"}
    assert agent["shape"]["attributes"]["business_purpose"] == {"type": "String", "required": False}  # one of two
    assert "tags" not in schema["entityTypes"]["Secret"]  # no secret carries tags
    assert "business_purpose" not in schema["entityTypes"]["ServiceAccount"]["shape"]["attributes"]
    assert schema["entityTypes"]["Dataset"]["memberOfTypes"] == ["Dataset"]
    assert schema["actions"]["read"]["memberOf"] == [{"id": "read_only"}]
    assert schema["actions"]["transfer"]["memberOf"] == [{"id": "mutating"}]
    amount = schema["commonTypes"]["Context"]["attributes"]["amount"]
    assert amount == {"type": "Long", "required": False}


@pytest.mark.parametrize("namespace", [None, NS])
def test_the_human_and_json_schemas_are_the_same_schema(namespace: str | None) -> None:
    scenario = team()
    human = cedarpy.Schema.from_str(cedar_schema_text(scenario, namespace=namespace))
    machine = cedarpy.Schema.from_json_str(json.dumps(cedar_schema_json(scenario, namespace=namespace)))
    # Cedar prints types read from JSON with their full name (`__cedar::Long`), from text as written.
    assert str(human) == str(machine).replace("__cedar::", "")


def test_export_cedar_schema_prints_both_forms(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["export", "cedar-schema", "scenarios/customer-support.yaml", "--namespace", NS]) == 0
    human = capsys.readouterr().out
    assert human.startswith(f"namespace {NS} {{") and "action read in [read_only]" in human
    assert run(["export", "cedar-schema", "scenarios/customer-support.yaml", "-f", "json"]) == 0
    assert "entityTypes" in json.loads(capsys.readouterr().out)[""]
    assert run(["export", "cedar-schema", "scenarios/customer-support.yaml", "--namespace", "no spaces"]) == 2


def test_part_of_must_name_a_dataset_and_must_not_loop() -> None:
    from workbench.model.references import check_references

    data = team_data()
    data["datasets"][0]["part_of"] = "customers"  # crm in customers in crm
    data["datasets"][1]["part_of"] = "key"  # a secret
    problems = [(p.path, p.message) for p in check_references(Scenario.model_validate(data))]
    assert (("datasets", 1, "part_of"), "'key' is a secret, expected a dataset") in problems
    assert (("datasets", 0, "part_of"), "part_of loops: crm -> customers -> crm") in problems


def test_each_part_of_loop_is_reported_once_at_its_first_member_and_a_tail_into_it_is_not() -> None:
    from workbench.model.references import check_references

    data = team_data()
    data["datasets"] = [
        {"id": "tail", "part_of": "b"},  # leads into the loop b -> c -> a -> b without being in it
        {"id": "a", "part_of": "b"},
        {"id": "b", "part_of": "c"},
        {"id": "c", "part_of": "a"},
        {"id": "self", "part_of": "self"},
        {"id": "chain0"},
        *({"id": f"chain{i}", "part_of": f"chain{i - 1}"} for i in range(1, 3000)),  # deep, and no loop
    ]
    problems = [(p.path, p.message) for p in check_references(Scenario.model_validate(data)) if p.code == "cycle"]
    assert problems == [
        (("datasets", 1, "part_of"), "part_of loops: a -> b -> c -> a"),
        (("datasets", 4, "part_of"), "part_of loops: self -> self"),
    ]
