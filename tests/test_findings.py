"""Finding rules on tiny hand-written scenarios: each fires where it should, not where it was fixed.

Every expected number is worked out by hand from docs/architecture.md: default weights (internal 1,
confidential 3, restricted 10; read 1, write/send/execute 2, delete 3, transfer 4) times the dataset's value.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from workbench.errors import RuleError
from workbench.findings import CHECKS, RULES, Finding, FindingSet, evaluate
from workbench.frameworks import Catalog, load_catalog
from workbench.graph import Hop
from workbench.model import Scenario, parse_scenario

AS_OF = "2026-01-10"
READ_TICKETS = {"action": "read", "resource": "tickets"}
WRITE_TICKETS = {"action": "write", "resource": "tickets"}


def base() -> dict[str, Any]:
    """One owned, approved, logged, revocable agent that reads one internal dataset, as its task needs."""
    return {
        "schema_version": 1,
        "name": "tiny",
        "as_of": AS_OF,
        "humans": [{"id": "olga"}],
        "agents": [
            {
                "id": "bot",
                "owner": "olga",
                "business_purpose": "Summarise tickets",
                "roles": ["reader"],
                "audit_logging": True,
            }
        ],
        "datasets": [{"id": "tickets", "sensitivity": "internal"}],
        "roles": [{"id": "reader", "permissions": [READ_TICKETS]}],
        "approvals": [
            {
                "id": "bot-approval",
                "agent": "bot",
                "approver": "olga",
                "business_purpose": "Summarise tickets",
                "scope": [READ_TICKETS],
                "granted": "2025-06-01",
                "expires": "2026-06-01",
            }
        ],
        "revocation_triggers": [{"identity": "bot", "event": "anomaly_detected"}],
        "workload": {
            "task_types": [{"id": "summarise", "agent": "bot", "arrival": {"at": [0]}, "steps": [READ_TICKETS]}]
        },
    }


def load(data: dict[str, Any]) -> Scenario:
    return parse_scenario(yaml.safe_dump(data, sort_keys=False), filename="tiny.yaml")


def fired(data: dict[str, Any], rule_id: str, **options: Any) -> tuple[Finding, ...]:
    return evaluate(load(data), **options).by_rule(rule_id)


def only(data: dict[str, Any], rule_id: str, **options: Any) -> Finding:
    found = fired(data, rule_id, **options)
    assert len(found) == 1, found
    return found[0]


def bot(data: dict[str, Any]) -> dict[str, Any]:
    agent: dict[str, Any] = data["agents"][0]
    return agent


STATIC_RULES = sorted(r.id for r in RULES if r.reads == "scenario")


# -- the clean scenario ----------------------------------------------------------------------------------


def test_the_clean_scenario_raises_nothing_and_runs_every_static_rule() -> None:
    result = evaluate(load(base()))
    assert list(result) == []
    assert list(result.rules_run) == STATIC_RULES


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    assert sorted(CHECKS) == sorted(r.id for r in RULES)


# -- WB001 hygiene -----------------------------------------------------------------------------------------


def test_wb001_flags_a_role_nobody_holds() -> None:
    data = base()
    data["roles"].append({"id": "spare", "permissions": [WRITE_TICKETS]})
    finding = only(data, "WB001")
    assert (finding.entity_id, finding.entity_kind, finding.severity) == ("spare", "role", "info")
    assert finding.location.yaml_path == ("roles", 1)


def test_wb001_counts_a_tool_credential_as_a_reference() -> None:
    data = base()
    data["tools"] = [{"id": "db-tool", "credential": "db-key"}]
    data["secrets"] = [{"id": "db-key", "lifetime": "1d", "rotation": "1d"}]
    assert [f.entity_id for f in fired(data, "WB001")] == ["db-tool"]  # the key is used, the tool is not
    bot(data)["tools"] = ["db-tool"]
    assert fired(data, "WB001") == ()


# -- WB101 over-privileged agent ---------------------------------------------------------------------------


def test_wb101_lists_permissions_no_step_uses_with_their_weight() -> None:
    data = base()
    data["roles"][0]["permissions"].append(WRITE_TICKETS)
    finding = only(data, "WB101")
    assert finding.evidence["unused"] == "write:tickets"
    assert finding.evidence["unused_weight"] == 2.0  # internal 1 × value 1 × write 2
    assert finding.evidence["effective_count"] == 2
    assert finding.path == (Hop("bot", "has_role", "reader"), Hop("reader", "grants", "tickets"))


def test_wb101_an_agent_with_no_task_uses_nothing() -> None:
    data = base()
    data["workload"] = {"task_types": []}
    finding = only(data, "WB101")
    assert (finding.evidence["unused"], finding.evidence["task_types"]) == ("read:tickets", 0)


def test_wb101_executing_the_tool_a_step_goes_through_is_needed() -> None:
    data = base()
    data["tools"] = [{"id": "desk", "accesses": [{"resource": "tickets", "actions": ["read"]}]}]
    bot(data)["tools"] = ["desk"]
    data["approvals"][0]["tools"] = ["desk"]
    assert only(data, "WB101").evidence["unused"] == "execute:desk"
    data["workload"]["task_types"][0]["steps"] = [{**READ_TICKETS, "via_tool": "desk"}]
    assert fired(data, "WB101") == ()


# -- WB102 standing secret ---------------------------------------------------------------------------------


def with_key(data: dict[str, Any], **secret: Any) -> dict[str, Any]:
    data["secrets"] = [{"id": "key", "grants": [READ_TICKETS], "lifetime": "1d", "rotation": "1d", **secret}]
    bot(data)["credentials"] = [{"secret": "key"}]
    return data


def test_wb102_a_held_secret_is_standing_in_the_modelled_state() -> None:
    finding = only(with_key(base()), "WB102")
    assert finding.evidence == {"secret": "key", "how": "holds", "stored_in": "vault", "standing_in": "as_modelled"}
    assert finding.location.yaml_path == ("agents", 0, "credentials", 0)


def test_wb102_only_standing_designs_keep_it_and_pure_jit_removes_it() -> None:
    data = with_key(base())
    data["controls"] = [{"kind": "static_rbac"}, {"kind": "jit"}]
    assert only(data, "WB102").evidence["standing_in"] == "static_rbac"
    data["controls"] = [{"kind": "jit"}]
    assert fired(data, "WB102") == ()


def test_wb102_reading_a_secret_is_standing_access_too() -> None:
    data = with_key(base())
    del bot(data)["credentials"]
    data["roles"][0]["permissions"].append({"action": "read", "resource": "key"})
    finding = only(data, "WB102")
    assert finding.evidence["how"] == "reads"
    assert finding.path == (Hop("bot", "has_role", "reader"), Hop("reader", "grants", "key"))


# -- WB103 long-lived secret -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lifetime", "rotation", "fires", "points_at"),
    [
        ("never", "30d", True, "lifetime"),
        ("30d", "91d", True, "rotation"),
        ("90d", "90d", False, None),  # at the limit is within it
        ("30d", "never", True, "rotation"),
    ],
)
def test_wb103_lifetime_or_rotation_beyond_the_limit(
    lifetime: str, rotation: str, fires: bool, points_at: str | None
) -> None:
    found = fired(with_key(base(), lifetime=lifetime, rotation=rotation), "WB103")
    assert bool(found) == fires
    if found:
        assert found[0].location.yaml_path == ("secrets", 0, points_at)
        assert found[0].evidence["max_age"] == "90d"


def test_wb103_the_limit_comes_from_the_thresholds() -> None:
    data = with_key(base(), lifetime="30d", rotation="91d")
    data["thresholds"] = {"secret_max_age": "120d"}
    assert fired(data, "WB103") == ()


# -- WB104 secret in config or code ------------------------------------------------------------------------


def test_wb104_the_agents_copy_and_the_master_copy_are_separate_findings() -> None:
    data = with_key(base(), stored_in="code")
    bot(data)["credentials"][0]["stored_in"] = "agent_config"
    found = {f.entity_id: f for f in fired(data, "WB104")}
    assert found["bot"].location.yaml_path == ("agents", 0, "credentials", 0, "stored_in")
    assert found["bot"].evidence == {"secret": "key", "stored_in": "agent_config"}
    assert found["key"].location.yaml_path == ("secrets", 0, "stored_in")
    assert fired(with_key(base(), stored_in="vault"), "WB104") == ()


# -- WB105-WB107 approvals ---------------------------------------------------------------------------------


def test_wb105_no_approval_and_no_purpose() -> None:
    data = base()
    data["approvals"] = []
    assert only(data, "WB105").message == "Agent 'bot' has no approval."
    data = base()
    del bot(data)["business_purpose"]
    assert only(data, "WB105").message == "Agent 'bot' has no business purpose."


def test_wb106_an_approval_lapses_the_day_after_it_expires() -> None:
    data = base()
    data["approvals"][0]["expires"] = AS_OF
    assert fired(data, "WB106") == ()
    data["approvals"][0]["expires"] = "2026-01-09"
    finding = only(data, "WB106")
    assert (finding.entity_id, finding.evidence["days_expired"]) == ("bot-approval", 1)
    assert finding.location.yaml_path == ("approvals", 0, "expires")


def test_wb107_access_beyond_the_live_approval() -> None:
    data = base()
    data["roles"][0]["permissions"].append(WRITE_TICKETS)
    finding = only(data, "WB107")
    assert finding.evidence["beyond"] == "write:tickets"
    assert finding.evidence["beyond_weight"] == 2.0
    assert finding.evidence["live_approvals"] == "bot-approval"


def test_wb107_an_approved_tool_covers_calling_it_but_not_what_its_key_reaches() -> None:
    data = base()
    data["tools"] = [{"id": "desk", "accesses": [{"resource": "tickets", "actions": ["read", "write"]}]}]
    bot(data)["tools"] = ["desk"]
    data["approvals"][0]["tools"] = ["desk"]
    assert only(data, "WB107").evidence["beyond"] == "write:tickets"


def test_wb107_after_expiry_everything_is_beyond() -> None:
    data = base()
    data["approvals"][0]["expires"] = "2026-01-01"
    finding = only(data, "WB107")
    assert (finding.evidence["beyond"], finding.evidence["live_approvals"]) == ("read:tickets", "")


# -- WB108 sharing -----------------------------------------------------------------------------------------


def test_wb108_a_secret_held_by_two_agents() -> None:
    data = with_key(base())
    data["agents"].append({**copy.deepcopy(bot(data)), "id": "bot2"})
    finding = only(data, "WB108")
    assert (finding.entity_id, finding.evidence["agents"]) == ("key", "bot bot2")


def test_wb108_a_workload_identity_and_a_service_account_shared() -> None:
    data = base()
    data["service_accounts"] = [{"id": "svc"}]
    uri = "spiffe://acme.example/agents/bot"
    bot(data).update(workload_identity=uri, runs_as="svc")
    data["agents"].append({**copy.deepcopy(bot(data)), "id": "bot2"})
    found = {f.evidence.get("shared_as"): f for f in fired(data, "WB108")}
    assert found["workload_identity"].entity_id == "bot"
    assert found["workload_identity"].location.yaml_path == ("agents", 0, "workload_identity")
    assert (found["service_account"].entity_id, found["service_account"].evidence["agents"]) == ("svc", "bot bot2")


# -- WB109 broad service account ---------------------------------------------------------------------------


def test_wb109_runs_as_a_legacy_account() -> None:
    data = base()
    data["service_accounts"] = [{"id": "svc", "legacy": True}]
    bot(data)["runs_as"] = "svc"
    finding = only(data, "WB109")
    assert finding.evidence == {"service_account": "svc", "via": "runs_as", "legacy": True, "resources": 0, "limit": 10}
    assert finding.path == (Hop("bot", "runs_as", "svc"),)
    assert finding.location.yaml_path == ("agents", 0, "runs_as")


@pytest.mark.parametrize(("limit", "fires"), [(2, True), (3, False)])
def test_wb109_an_account_reaching_the_limit_is_broad(limit: int, fires: bool) -> None:
    data = base()
    data["datasets"].append({"id": "orders"})
    data["roles"].append({"id": "etl", "permissions": [READ_TICKETS, {"action": "read", "resource": "orders"}]})
    data["service_accounts"] = [{"id": "svc", "roles": ["etl"]}]
    data["thresholds"] = {"broad_service_account_resources": limit}
    bot(data)["runs_as"] = "svc"
    assert bool(fired(data, "WB109")) == fires


def test_wb109_logging_in_with_the_accounts_secret_counts_as_running_as_it() -> None:
    data = with_key(base(), authenticates_as="svc")
    data["service_accounts"] = [{"id": "svc", "legacy": True}]
    finding = only(data, "WB109")
    assert finding.evidence["via"] == "secret:key"
    assert finding.path == (Hop("bot", "holds_secret", "key"), Hop("key", "authenticates_as", "svc"))


# -- WB110 delegation --------------------------------------------------------------------------------------


def delegating(**delegation: Any) -> dict[str, Any]:
    data = base()
    data["humans"][0]["roles"] = ["reader"]
    data["delegations"] = [{"id": "d1", "delegator": "olga", "delegate": "bot", **delegation}]
    return data


def test_wb110_scope_beyond_the_delegator_not_attenuated_widens() -> None:
    finding = only(delegating(scope=[WRITE_TICKETS], attenuated=False), "WB110")
    assert (finding.severity, finding.evidence["widens"], finding.evidence["beyond"]) == ("high", True, "write:tickets")
    assert finding.path == (Hop("olga", "delegates_to", "bot"),)


def test_wb110_attenuation_keeps_it_from_widening_but_the_scope_is_still_wrong() -> None:
    finding = only(delegating(scope=[WRITE_TICKETS], attenuated=True), "WB110")
    assert (finding.severity, finding.evidence["widens"]) == ("medium", False)


def test_wb110_an_unscoped_delegation_passes_everything_on() -> None:
    assert "no scope" in only(delegating(), "WB110").message


def test_wb110_a_scoped_attenuated_or_expired_delegation_is_fine() -> None:
    assert fired(delegating(scope=[READ_TICKETS]), "WB110") == ()
    assert fired(delegating(scope=[WRITE_TICKETS], attenuated=False, expires="2026-01-09"), "WB110") == ()


# -- WB111 confused deputy ---------------------------------------------------------------------------------


def with_tool(actions: list[str]) -> dict[str, Any]:
    data = base()
    data["tools"] = [
        {"id": "db-tool", "accesses": [{"resource": "tickets", "actions": actions}], "credential": "db-key"}
    ]
    data["secrets"] = [{"id": "db-key", "lifetime": "1d", "rotation": "1d"}]
    bot(data)["tools"] = ["db-tool"]
    return data


def test_wb111_the_tool_writes_what_the_agent_may_only_read() -> None:
    finding = only(with_tool(["read", "write"]), "WB111")
    assert finding.evidence["borrowed"] == "write:tickets"
    assert finding.evidence["tool_credential"] == "db-key"
    assert finding.path == (Hop("bot", "uses_tool", "db-tool"), Hop("db-tool", "tool_accesses", "tickets"))
    assert finding.location.yaml_path == ("agents", 0, "tools", 0)


def test_wb111_a_tool_doing_only_what_the_agent_may_do_is_no_deputy() -> None:
    assert fired(with_tool(["read"]), "WB111") == ()


# -- WB112 lethal trifecta ---------------------------------------------------------------------------------


def trifecta(*, untrusted: bool = True, sensitivity: str = "confidential", pii: bool = False) -> dict[str, Any]:
    data = base()
    data["datasets"] += [
        {"id": "crm", "sensitivity": sensitivity, "pii": pii},
        {"id": "outbox", "kind": "system"},
    ]
    data["tools"] = [{"id": "mailer", "external": True, "accesses": [{"resource": "outbox", "actions": ["send"]}]}]
    data["roles"].append({"id": "crm-reader", "permissions": [{"action": "read", "resource": "crm"}]})
    bot(data).update(untrusted_input=untrusted, roles=["reader", "crm-reader"], tools=["mailer"])
    return data


def test_wb112_untrusted_input_sensitive_data_and_a_way_out() -> None:
    finding = only(trifecta(), "WB112")
    assert finding.severity == "critical"
    assert finding.evidence["sensitive"] == "read:crm"
    assert finding.evidence["sensitive_weight"] == 3.0  # confidential 3 × value 1 × read 1
    assert finding.evidence["outbound"] == "execute:mailer send:outbox"
    assert finding.path == (
        Hop("bot", "has_role", "crm-reader"),
        Hop("crm-reader", "grants", "crm"),
        Hop("bot", "uses_tool", "mailer"),
    )
    assert finding.location.yaml_path == ("agents", 0, "untrusted_input")


def test_wb112_personal_data_is_sensitive_at_any_level() -> None:
    assert fired(trifecta(sensitivity="internal", pii=True), "WB112") != ()


def test_wb112_breaking_one_leg_fixes_it() -> None:
    assert fired(trifecta(untrusted=False), "WB112") == ()
    assert fired(trifecta(sensitivity="internal"), "WB112") == ()


# -- WB113 untrusted input, consequential actions ----------------------------------------------------------


def untrusted_writer() -> dict[str, Any]:
    data = base()
    data["roles"][0]["permissions"].append(WRITE_TICKETS)
    bot(data)["untrusted_input"] = True
    return data


def test_wb113_untrusted_agent_writes_with_no_design_gating_it() -> None:
    finding = only(untrusted_writer(), "WB113")
    assert (finding.evidence["ungated"], finding.evidence["designs"]) == ("write:tickets", "")


def test_wb113_a_step_up_design_or_a_block_covers_it() -> None:
    data = untrusted_writer()
    data["services"] = {"approver_pools": [{"id": "leads", "size": 1, "review_time": "1m"}]}
    data["controls"] = [{"kind": "static_rbac"}, {"kind": "rbac_step_up", "step_up_at": "low"}]
    assert fired(data, "WB113") == ()
    data = untrusted_writer()
    data["blocked_actions"] = [{"id": "no-writes", "identity": "bot", "action": "write", "resource": "tickets"}]
    assert fired(data, "WB113") == ()


def test_wb113_static_rbac_alone_covers_nothing() -> None:
    data = untrusted_writer()
    data["controls"] = [{"kind": "static_rbac"}]
    assert only(data, "WB113").evidence["designs"] == "static_rbac"


# -- WB114-WB117 ---------------------------------------------------------------------------------------------


def test_wb114_no_trigger_names_the_agent_but_a_wildcard_does() -> None:
    data = base()
    data["revocation_triggers"] = [{"identity": "*", "event": "owner_offboarded"}]
    assert fired(data, "WB114") == ()
    data["revocation_triggers"] = []
    assert only(data, "WB114").entity_id == "bot"


def test_wb115_no_audit_logging_points_at_the_flag() -> None:
    data = base()
    bot(data)["audit_logging"] = False
    assert only(data, "WB115").location.yaml_path == ("agents", 0, "audit_logging")


def test_wb116_a_dev_agent_reaching_prod_data() -> None:
    data = base()
    bot(data)["environment"] = "dev"
    finding = only(data, "WB116")
    assert (finding.evidence["prod_access"], finding.evidence["prod_resources"]) == ("read:tickets", 1)
    data["datasets"][0]["environment"] = "dev"
    assert fired(data, "WB116") == ()


def test_wb117_an_offboarded_or_missing_owner() -> None:
    data = base()
    data["humans"][0]["offboarded"] = True
    assert only(data, "WB117").evidence == {"owner_status": "offboarded", "owner": "olga"}
    data = base()
    del bot(data)["owner"]
    assert only(data, "WB117").evidence == {"owner_status": "missing"}


# -- WB118 high impact -------------------------------------------------------------------------------------


def with_ledger(action: str, value: float) -> dict[str, Any]:
    data = base()
    data["datasets"].append({"id": "ledger", "sensitivity": "restricted", "value": value})
    data["roles"][0]["permissions"].append({"action": action, "resource": "ledger"})
    return data


def test_wb118_a_critical_transfer_no_design_gates() -> None:
    finding = only(with_ledger("transfer", 1), "WB118")
    assert finding.evidence["ungated"] == "transfer:ledger"
    assert finding.evidence["risk_levels"] == "transfer:ledger=critical"  # restricted 10 × 1 × transfer 4 = 40


def test_wb118_delete_on_restricted_is_high_impact_even_when_cheap() -> None:
    finding = only(with_ledger("delete", 0.05), "WB118")
    assert finding.evidence["risk_levels"] == "delete:ledger=low"  # 10 × 0.05 × 3 = 1.5


def test_wb118_a_critical_step_up_covers_it() -> None:
    data = with_ledger("transfer", 1)
    data["services"] = {"approver_pools": [{"id": "cfo", "size": 1, "review_time": "1h"}]}
    data["controls"] = [{"kind": "rbac_step_up", "step_up_at": "critical"}]
    assert fired(data, "WB118") == ()


# -- accepted risks and WB119 ------------------------------------------------------------------------------


def accepting(expires: str, entity: str | None = "bot") -> dict[str, Any]:
    data = base()
    bot(data)["audit_logging"] = False
    data["accepted_risks"] = [
        {"finding": "WB115", "entity": entity, "justification": "Logged upstream", "owner": "olga", "expires": expires}
    ]
    return data


def test_a_live_acceptance_keeps_the_finding_but_suppresses_it() -> None:
    result = evaluate(load(accepting("2026-02-01")))
    finding = result.by_rule("WB115")[0]
    assert finding.suppression is not None
    assert (finding.suppression.justification, finding.suppression.owner, finding.suppression.expires) == (
        "Logged upstream",
        "olga",
        "2026-02-01",
    )
    assert result.active == () and result.suppressed == (finding,)
    assert result.by_rule("WB119") == ()


def test_an_acceptance_holds_on_its_expiry_date() -> None:
    assert evaluate(load(accepting(AS_OF))).by_rule("WB115")[0].suppressed


def test_an_expired_acceptance_is_a_finding_and_suppresses_nothing() -> None:
    result = evaluate(load(accepting("2026-01-09")))
    assert not result.by_rule("WB115")[0].suppressed
    finding = result.by_rule("WB119")[0]
    assert (finding.entity_id, finding.evidence["finding"], finding.evidence["days_expired"]) == ("bot", "WB115", 1)
    assert finding.location.yaml_path == ("accepted_risks", 0, "expires")


def test_an_acceptance_without_entity_covers_every_entity_and_one_for_another_entity_none() -> None:
    data = accepting("2026-02-01", entity=None)
    data["agents"].append({**copy.deepcopy(bot(data)), "id": "bot2"})
    assert all(f.suppressed for f in evaluate(load(data)).by_rule("WB115"))
    data["accepted_risks"][0]["entity"] = "bot2"
    assert {f.entity_id: f.suppressed for f in evaluate(load(data)).by_rule("WB115")} == {"bot": False, "bot2": True}


def test_an_acceptance_that_matches_no_finding_is_stale() -> None:
    data = accepting("2026-02-01")
    bot(data)["audit_logging"] = True  # the risk was fixed; the acceptance stayed
    (finding,) = evaluate(load(data)).by_rule("WB002")
    assert (finding.entity_id, finding.evidence["finding"], finding.severity) == ("bot", "WB115", "info")
    assert finding.location.yaml_path == ("accepted_risks", 0, "finding")


def test_an_acceptance_naming_the_wrong_entity_is_stale_and_the_finding_stays_open() -> None:
    data = accepting("2026-02-01", entity="olga")
    result = evaluate(load(data))
    assert [f.entity_id for f in result.by_rule("WB002")] == ["olga"]
    assert not result.by_rule("WB115")[0].suppressed


def test_a_matching_or_expired_acceptance_is_not_stale() -> None:
    assert evaluate(load(accepting("2026-02-01"))).by_rule("WB002") == ()
    expired = accepting("2026-01-09")
    bot(expired)["audit_logging"] = True
    result = evaluate(load(expired))
    assert result.by_rule("WB002") == () and len(result.by_rule("WB119")) == 1


def test_an_acceptance_of_a_simulation_rule_is_not_judged_without_a_simulation() -> None:
    data = accepting("2026-02-01")
    data["accepted_risks"][0].update(finding="WB201", entity=None)
    assert evaluate(load(data)).by_rule("WB002") == ()


# -- locations and fingerprints ----------------------------------------------------------------------------

LOCATED = """\
schema_version: 1
name: located
as_of: 2026-01-10
humans:
  - id: olga
agents:
  - id: bot
    owner: olga
    business_purpose: Summarise tickets
    audit_logging: true
    untrusted_input: true
    tools: [mailer]
    credentials:
      - secret: key
        stored_in: agent_config
secrets:
  - id: key
    lifetime: never
tools:
  - id: mailer
    external: true
    credential: key
"""

PREAMBLE = """\
# A comment and a new person above everything the findings are about.
#
"""


def located(text: str) -> FindingSet:
    return evaluate(parse_scenario(text, filename="located.yaml"))


def test_locations_point_at_the_exact_line_and_column() -> None:
    result = located(LOCATED)
    by_rule = {(f.rule_id, f.entity_id): f.location for f in result}
    assert by_rule["WB104", "bot"].file == "located.yaml"
    assert (by_rule["WB104", "bot"].line, by_rule["WB104", "bot"].column) == (15, 20)  # stored_in's value
    assert by_rule["WB104", "bot"].pointer == "agents[0].credentials[0].stored_in"
    assert (by_rule["WB103", "key"].line, by_rule["WB103", "key"].column) == (18, 15)  # lifetime's value
    assert by_rule["WB105", "bot"].line == 7  # the agent itself: it has no approval


def test_fingerprints_survive_lines_inserted_above_but_lines_move() -> None:
    before = located(LOCATED)
    moved = LOCATED.replace("humans:\n  - id: olga\n", "humans:\n  - id: olga\n  - id: pat\n    name: Pat\n")
    after = located(PREAMBLE + moved)
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert [f.location.line + 4 for f in before] == [f.location.line for f in after]
    assert len({f.fingerprint for f in before}) == len(before)


def test_fingerprints_tell_apart_findings_of_one_rule_on_one_entity() -> None:
    data = with_key(base())
    data["secrets"].append({"id": "key2", "lifetime": "1d", "rotation": "1d"})
    bot(data)["credentials"].append({"secret": "key2"})
    found = fired(data, "WB102")
    assert [f.evidence["secret"] for f in found] != [] and len({f.fingerprint for f in found}) == 2


def test_the_order_is_canonical_most_severe_first() -> None:
    result = located(LOCATED)
    severities = [f.security_severity for f in result]
    assert severities == sorted(severities, reverse=True)
    assert result.to_records() == located(LOCATED).to_records()


# -- failing loudly ----------------------------------------------------------------------------------------


def test_a_broken_rule_raises_rule_error_naming_it() -> None:
    def broken(ctx: Any) -> list[Finding]:
        return [ctx.scenario.agents[5]]

    with pytest.raises(RuleError, match="WB101"):
        evaluate(load(base()), checks={"WB101": broken})


def test_a_check_yielding_another_rules_finding_is_an_error() -> None:
    data = base()
    bot(data)["audit_logging"] = False
    with pytest.raises(RuleError, match="WB114: its check produced"):
        evaluate(load(data), checks={"WB114": CHECKS["WB115"]})


def test_an_unknown_rule_id_is_an_error() -> None:
    with pytest.raises(RuleError, match="WB999"):
        evaluate(load(base()), checks={"WB999": lambda ctx: []})


def test_a_rule_the_catalog_does_not_map_fails_instead_of_losing_its_refs() -> None:
    catalog = load_catalog()
    unmapped = Catalog(frameworks=catalog.frameworks, rules=tuple(r for r in catalog.rules if r.rule != "WB115"))
    data = base()
    bot(data)["audit_logging"] = False
    with pytest.raises(RuleError, match="WB115"):
        evaluate(load(data), catalog=unmapped)


# -- framework refs ----------------------------------------------------------------------------------------


def test_every_rule_is_mapped_in_the_catalog() -> None:
    catalog = load_catalog()
    assert sorted(catalog.rule_ids) == sorted(r.id for r in RULES)
    for r in RULES:
        catalog.mapping(r.id)


def test_findings_carry_the_catalog_refs_of_their_rule() -> None:
    catalog = load_catalog()
    for finding in evaluate(load(trifecta())):
        assert finding.refs == tuple(catalog.refs_for(finding.rule_id))
    assert evaluate(load(trifecta())).by_rule("WB112")[0].refs != ()
