"""Capability map and IGA answers of one small agent, every field worked out by hand."""

from __future__ import annotations

import json

import pytest

from workbench.findings.governance import (
    AccessAnswer,
    ApprovalBasis,
    BlockAnswer,
    Carrier,
    RevocationAnswer,
    ToolAnswer,
    capability_map,
    capability_maps,
    iga_answers,
    iga_report,
)
from workbench.generate import generate_organisation
from workbench.model import Scenario, parse_scenario

TEXT = """\
schema_version: 1
name: governed
as_of: 2026-01-10
humans:
  - id: olga
  - id: pat
agents:
  - id: bot
    owner: olga
    business_purpose: Summarise tickets
    workload_identity: spiffe://acme.example/agents/bot
    roles: [reader]
    tools: [desk]
    credentials:
      - {secret: key, stored_in: env}
    audit_logging: true
tools:
  - id: desk
    accesses:
      - {resource: tickets, actions: [read, write]}
    credential: desk-key
datasets:
  - id: tickets
secrets:
  - id: key
    grants: [{action: read, resource: tickets}]
  - id: desk-key
roles:
  - id: reader
    permissions: [{action: read, resource: tickets}]
approvals:
  - id: current
    agent: bot
    approver: olga
    business_purpose: Summarise tickets
    scope: [{action: read, resource: tickets}]
    tools: [desk]
    granted: 2025-06-01
    expires: 2026-06-01
    reapproval_triggers: [scope_increase, new_tool]
  - id: pilot
    agent: bot
    approver: pat
    business_purpose: Pilot ticket triage
    scope: [{action: write, resource: tickets}]
    granted: 2025-01-01
    expires: 2025-12-31
blocked_actions:
  - {id: no-writes, identity: bot, action: write, resource: tickets, reason: Tickets are read-only for agents}
  - {id: big-transfers, action: transfer, resource: "*", when: {amount_above: 100}}
revocation_triggers:
  - {identity: bot, event: anomaly_detected, latency: 5m}
  - {identity: "*", event: owner_offboarded}
services:
  approver_pools:
    - {id: leads, size: 1, review_time: 1m}
workload:
  task_types:
    - id: summarise
      agent: bot
      arrival: {at: [0]}
      steps:
        - {action: read, resource: tickets, via_tool: desk}
controls:
  - kind: static_rbac
  - kind: rbac_step_up
    step_up_at: low
  - kind: jit
    token_ttl: 10m
"""

CURRENT = ApprovalBasis(
    approval="current",
    approver="olga",
    business_purpose="Summarise tickets",
    granted="2025-06-01",
    expires="2026-06-01",
    live=True,
    reapproval_triggers=("scope_increase", "new_tool"),
)
PILOT = ApprovalBasis(
    approval="pilot",
    approver="pat",
    business_purpose="Pilot ticket triage",
    granted="2025-01-01",
    expires="2025-12-31",
    live=False,
    reapproval_triggers=(),
)
REVOCATION = (
    RevocationAnswer("anomaly_detected", 300.0, "5m", "bot"),
    RevocationAnswer("owner_offboarded", 0.0, "0s", "*"),
)


@pytest.fixture
def scenario() -> Scenario:
    return parse_scenario(TEXT, filename="governed.yaml")


def test_capability_map_follows_each_capability_to_its_carriers_approvals_and_gaps(scenario: Scenario) -> None:
    cmap = capability_map(scenario, "bot")
    assert (cmap.agent, cmap.owner, cmap.business_purpose) == ("bot", "olga", "Summarise tickets")
    assert [(r.resource, r.kind) for r in cmap.resources] == [("desk", "tool"), ("tickets", "dataset")]
    execute, read, write = cmap.capabilities
    # Wired straight to the agent: nothing in between; the approval lists the tool.
    assert (execute.action, execute.resource, execute.carriers, execute.approvals) == (
        "execute",
        "desk",
        (),
        (CURRENT,),
    )
    assert execute.reapproval_triggers == ("new_tool", "scope_increase")  # the scenario language's order
    # Read arrives three ways: the role, the held key, and the tool's own credential.
    assert read.carriers == (Carrier("reader", "role"), Carrier("key", "secret"), Carrier("desk", "tool"))
    assert (read.tools, read.approvals, read.gap) == (("desk",), (CURRENT,), False)
    # Write comes only through the tool; only the expired pilot approved it, and it is blocked anyway.
    assert (write.carriers, write.approvals, write.expired_approvals) == ((Carrier("desk", "tool"),), (), (PILOT,))
    assert (write.weight, write.risk_level, write.blocked_by, write.gap) == (2.0, "low", ("no-writes",), True)
    assert cmap.gaps == (write,)
    assert cmap.revocation_triggers == REVOCATION


def test_capability_map_as_a_dict_spells_out_the_gaps(scenario: Scenario) -> None:
    data = capability_map(scenario, "bot").to_dict()
    assert data["gaps"] == ["write:tickets"]
    assert [c["gap"] for r in data["resources"] for c in r["capabilities"]] == [False, False, True]
    json.dumps(data)  # plain data, ready for a JSON report


def test_iga_answers_who_what_how_and_what_is_blocked(scenario: Scenario) -> None:
    answers = iga_answers(scenario, "bot")
    assert (answers.owner, answers.owner_status, answers.business_purpose) == ("olga", "active", "Summarise tickets")
    assert answers.approvals == (CURRENT, PILOT)
    assert answers.tools == (ToolAnswer("desk", "tool", False, True, "desk-key", None, "read:tickets write:tickets"),)
    assert answers.apis == ()
    assert answers.data == (AccessAnswer("tickets", "dataset", "internal", False, "prod", ("read", "write")),)
    assert answers.readable_secrets == ()  # holding a secret is a credential, not access to read it
    (held,) = answers.held_credentials
    assert (held.secret, held.stored_in) == ("key", "env")
    assert dict(held.issued) == {
        "static_rbac": "held at all times",
        "rbac_step_up": "held at all times",
        "jit": "not held: replaced by per-task tokens issued to its workload identity",
    }
    assert answers.reapproval_triggers == ("new_tool", "scope_increase")  # live approvals only
    assert answers.audit_logging is True
    assert answers.revocation == REVOCATION
    assert answers.blocked == (
        BlockAnswer("no-writes", "write", "tickets", "always", "Tickets are read-only for agents"),
        BlockAnswer("big-transfers", "transfer", "*", "when amount above 100", None),
    )


def test_iga_step_up_per_design_asks_the_designs_themselves(scenario: Scenario) -> None:
    steps = {s.design: (s.approver_pool, s.stepped_up, s.denied) for s in iga_answers(scenario, "bot").step_up}
    assert steps == {
        "static_rbac": (None, "", "write:tickets"),  # the block denies in every design
        "rbac_step_up": ("leads", "read:tickets", "write:tickets"),  # low risk and up: every request
        "jit": ("leads", "", "write:tickets"),  # read is low risk, below the critical threshold
    }


def test_iga_credentials_per_design(scenario: Scenario) -> None:
    creds = {c.design: c for c in iga_answers(scenario, "bot").credentials}
    assert [c.mode for c in creds.values()] == ["standing", "standing", "task_token"]
    assert creds["static_rbac"].issued == "standing access through role reader and held secret key (copy in env)"
    assert creds["static_rbac"].scope == "all 3 effective permissions, at all times"
    assert "spiffe://acme.example/agents/bot" in creds["jit"].issued
    assert (creds["jit"].token_ttl_s, creds["static_rbac"].token_ttl_s) == (600.0, None)
    assert "10m" in creds["jit"].ends


def test_a_scenario_without_designs_answers_for_the_modelled_standing_state(scenario: Scenario) -> None:
    bare = scenario.model_copy(update={"controls": []})
    answers = iga_answers(bare, "bot")
    assert [(c.design, c.mode) for c in answers.credentials] == [("as_modelled", "standing")]
    assert answers.step_up == ()


def test_every_agent_in_scenario_order_and_unknown_agents_rejected(scenario: Scenario) -> None:
    assert [m.agent for m in capability_maps(scenario)] == ["bot"]
    assert [a.agent for a in iga_report(scenario)] == ["bot"]
    assert iga_report(scenario) == iga_report(scenario)
    with pytest.raises(KeyError):
        iga_answers(scenario, "olga")


def test_a_batch_of_agents_answers_as_one_call_per_agent_does() -> None:
    organisation = Scenario.model_validate(generate_organisation(60, seed=7))
    chosen = [organisation.agents[5].id, organisation.agents[0].id, organisation.agents[41].id]
    assert capability_maps(organisation, agents=chosen) == [capability_map(organisation, a) for a in chosen]
    assert iga_report(organisation, agents=chosen) == [iga_answers(organisation, a) for a in chosen]
    with pytest.raises(KeyError):
        capability_maps(organisation, agents=["nobody"])
