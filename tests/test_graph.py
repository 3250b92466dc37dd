"""The graph layer on small hand-checked organisations: one test per access route, scores worked by hand.

Weights are the defaults (sensitivity public 0.1, internal 1, confidential 3, restricted 10; actions read 1,
write/send/execute 2, delete 3, transfer 4), so each expected score below is a sum done on paper.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import networkx as nx
import pytest

from workbench.graph import (
    Hop,
    attack_paths,
    blast_radius,
    blast_radius_records,
    build_graph,
    compile_access,
    explain,
    permission_weight,
    risk_level,
    to_dot,
    to_graphml,
    to_json,
    to_mermaid,
    who_can_reach,
)
from workbench.model import Scenario
from workbench.model.references import check_references


def scenario(**sections: Any) -> Scenario:
    """A validated scenario from just the sections a test cares about (as_of 2026-06-30)."""
    data = {"schema_version": 1, "name": "t", "as_of": "2026-06-30", **sections}
    built = Scenario.model_validate(data)
    assert check_references(built) == []
    return built


def perm(action: str, resource: str) -> dict[str, str]:
    return {"action": action, "resource": resource}


DATASETS = [
    {"id": "crm", "sensitivity": "confidential", "value": 2},  # read 6, write 12, delete 18
    {"id": "payroll", "sensitivity": "restricted", "value": 1},  # read 10, write 20
    {"id": "wiki", "sensitivity": "public", "value": 1},  # read 0.1
]


# -- access routes ------------------------------------------------------------------------------------------


def test_role_grants_its_permissions_and_explains_through_the_role() -> None:
    s = scenario(
        agents=[{"id": "bot", "roles": ["reader"]}],
        datasets=DATASETS,
        roles=[{"id": "reader", "permissions": [perm("read", "crm"), perm("write", "crm")]}],
    )
    index = compile_access(s)
    assert index.effective_permissions("bot") == {("read", "crm"), ("write", "crm")}
    assert explain(index, "bot", "write", "crm") == [Hop("bot", "has_role", "reader"), Hop("reader", "grants", "crm")]
    assert explain(index, "bot", "delete", "crm") is None
    assert blast_radius(index, "bot").score == 6 + 12


def test_runs_as_inherits_everything_the_account_can_do() -> None:
    s = scenario(
        service_accounts=[{"id": "svc", "roles": ["payroll-admin"]}],
        agents=[{"id": "bot", "runs_as": "svc"}],
        datasets=DATASETS,
        roles=[{"id": "payroll-admin", "permissions": [perm("write", "payroll")]}],
    )
    index = compile_access(s)
    assert index.effective_permissions("bot") == {("write", "payroll")}
    assert index.effective_permissions("svc") == {("write", "payroll")}
    assert explain(s, "bot", "write", "payroll") == [
        Hop("bot", "runs_as", "svc"),
        Hop("svc", "has_role", "payroll-admin"),
        Hop("payroll-admin", "grants", "payroll"),
    ]


def test_held_secret_gives_its_grants_and_its_accounts_access() -> None:
    s = scenario(
        service_accounts=[{"id": "svc", "roles": ["reader"]}],
        agents=[{"id": "bot", "credentials": [{"secret": "key"}]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "grants": [perm("delete", "crm")], "authenticates_as": "svc"}],
        roles=[{"id": "reader", "permissions": [perm("read", "payroll")]}],
    )
    index = compile_access(s)
    assert index.effective_permissions("bot") == {("delete", "crm"), ("read", "payroll")}
    assert index.compromise_permissions("key") == {("delete", "crm"), ("read", "payroll")}
    # Holding a secret is not a permission on it: the leak is scored by what the secret grants.
    assert blast_radius(index, "key").score == 18 + 10
    assert explain(index, "bot", "read", "payroll") == [
        Hop("bot", "holds_secret", "key"),
        Hop("key", "authenticates_as", "svc"),
        Hop("svc", "has_role", "reader"),
        Hop("reader", "grants", "payroll"),
    ]


def test_read_on_a_secret_hands_over_its_grants_but_other_actions_do_not() -> None:
    s = scenario(
        agents=[{"id": "bot", "roles": ["vault-reader"]}, {"id": "rotator", "roles": ["vault-writer"]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "sensitivity": "restricted", "grants": [perm("write", "crm")]}],
        roles=[
            {"id": "vault-reader", "permissions": [perm("read", "key")]},
            {"id": "vault-writer", "permissions": [perm("write", "key")]},
        ],
    )
    index = compile_access(s)
    assert index.effective_permissions("bot") == {("read", "key"), ("write", "crm")}
    assert index.effective_permissions("rotator") == {("write", "key")}
    assert blast_radius(index, "bot").score == 10 + 12  # the secret itself (restricted, value 1) and its grant
    assert explain(index, "bot", "write", "crm") == [
        Hop("bot", "has_role", "vault-reader"),
        Hop("vault-reader", "grants", "key"),
        Hop("key", "secret_grants", "crm"),
    ]


def test_tool_is_a_confused_deputy_for_callers_and_a_full_compromise_for_attackers() -> None:
    s = scenario(
        service_accounts=[{"id": "svc", "roles": ["wiki-editor"]}],
        agents=[{"id": "wired", "tools": ["crm-mcp"]}, {"id": "granted", "roles": ["caller"]}],
        tools=[
            {
                "id": "crm-mcp",
                "accesses": [{"resource": "crm", "actions": ["read"]}],
                "credential": "crm-key",
                "runs_as": "svc",
            }
        ],
        datasets=DATASETS,
        secrets=[{"id": "crm-key", "grants": [perm("read", "crm"), perm("write", "payroll")]}],
        roles=[
            {"id": "caller", "permissions": [perm("execute", "crm-mcp")]},
            {"id": "wiki-editor", "permissions": [perm("write", "wiki")]},
        ],
    )
    index = compile_access(s)
    # A caller gets what the tool does for it, not the tool's own key or account.
    expected_caller = {("execute", "crm-mcp"), ("read", "crm")}
    assert index.effective_permissions("wired") == expected_caller
    assert index.effective_permissions("granted") == expected_caller
    assert index.compromise_permissions("crm-mcp") == {("read", "crm"), ("write", "payroll"), ("write", "wiki")}
    assert blast_radius(index, "crm-mcp").score == 6 + 20 + 0.1 * 2
    assert blast_radius(index, "wired").score == 6  # executing a tool weighs nothing itself
    assert explain(index, "wired", "read", "crm") == [
        Hop("wired", "uses_tool", "crm-mcp"),
        Hop("crm-mcp", "tool_accesses", "crm"),
    ]
    assert explain(index, "crm-mcp", "write", "payroll") == [
        Hop("crm-mcp", "tool_uses_credential", "crm-key"),
        Hop("crm-key", "secret_grants", "payroll"),
    ]
    assert explain(index, "crm-mcp", "write", "wiki") == [
        Hop("crm-mcp", "runs_as", "svc"),
        Hop("svc", "has_role", "wiki-editor"),
        Hop("wiki-editor", "grants", "wiki"),
    ]


DELEGATION_BASE: dict[str, Any] = {
    "humans": [{"id": "hana", "roles": ["analyst"]}],
    "agents": [{"id": "bot"}, {"id": "helper"}],
    "datasets": DATASETS,
    "roles": [{"id": "analyst", "permissions": [perm("read", "crm"), perm("read", "payroll")]}],
}


def delegated(*delegations: dict[str, Any], **extra: Any) -> Scenario:
    return scenario(**{**DELEGATION_BASE, **extra}, delegations=list(delegations))


def test_unscoped_delegation_lends_everything_the_delegator_has() -> None:
    index = compile_access(delegated({"id": "d", "delegator": "hana", "delegate": "bot"}))
    assert index.effective_permissions("bot") == {("read", "crm"), ("read", "payroll")}
    assert index.effective_permissions("helper") == frozenset()
    assert explain(index, "bot", "read", "payroll") == [
        Hop("hana", "delegates_to", "bot"),
        Hop("hana", "has_role", "analyst"),
        Hop("analyst", "grants", "payroll"),
    ]


def test_unattenuated_scope_is_granted_even_beyond_the_delegator() -> None:
    index = compile_access(
        delegated(
            {"id": "d", "delegator": "hana", "delegate": "bot", "attenuated": False, "scope": [perm("write", "crm")]}
        )
    )
    assert index.effective_permissions("bot") == {("write", "crm")}
    assert explain(index, "bot", "write", "crm") == [Hop("hana", "delegates_to", "bot")]


def test_attenuated_scope_is_cut_to_what_the_delegator_has() -> None:
    index = compile_access(
        delegated(
            {"id": "d", "delegator": "hana", "delegate": "bot", "scope": [perm("read", "crm"), perm("write", "crm")]}
        )
    )
    assert index.effective_permissions("bot") == {("read", "crm")}
    assert explain(index, "bot", "read", "crm") == [
        Hop("hana", "delegates_to", "bot"),
        Hop("hana", "has_role", "analyst"),
        Hop("analyst", "grants", "crm"),
    ]


def test_attenuated_chain_and_circular_delegations_grant_only_what_someone_really_holds() -> None:
    chain = delegated(
        {"id": "d1", "delegator": "hana", "delegate": "bot", "scope": [perm("read", "crm")]},
        {"id": "d2", "delegator": "bot", "delegate": "helper", "scope": [perm("read", "crm"), perm("read", "payroll")]},
    )
    index = compile_access(chain)
    assert index.effective_permissions("helper") == {("read", "crm")}
    assert explain(index, "helper", "read", "crm") == [
        Hop("bot", "delegates_to", "helper"),
        Hop("hana", "delegates_to", "bot"),
        Hop("hana", "has_role", "analyst"),
        Hop("analyst", "grants", "crm"),
    ]
    # Two agents delegating to each other cannot conjure access neither holds (least fixpoint)...
    loop = delegated(
        {"id": "d1", "delegator": "bot", "delegate": "helper", "scope": [perm("read", "wiki")]},
        {"id": "d2", "delegator": "helper", "delegate": "bot", "scope": [perm("read", "wiki")]},
    )
    assert compile_access(loop).effective_permissions("bot") == frozenset()
    # ...but what one of them holds flows round the loop.
    loop_with_holder = delegated(
        {"id": "d1", "delegator": "bot", "delegate": "helper", "scope": [perm("read", "wiki")]},
        {"id": "d2", "delegator": "helper", "delegate": "bot", "scope": [perm("read", "wiki")]},
        agents=[{"id": "bot"}, {"id": "helper", "roles": ["wiki-reader"]}],
        roles=[*DELEGATION_BASE["roles"], {"id": "wiki-reader", "permissions": [perm("read", "wiki")]}],
    )
    index = compile_access(loop_with_holder)
    assert index.effective_permissions("bot") == {("read", "wiki")}
    assert index.effective_permissions("helper") == {("read", "wiki")}


def test_attenuated_read_on_a_secret_carries_the_secrets_grants() -> None:
    s = delegated(
        {"id": "d", "delegator": "hana", "delegate": "bot", "scope": [perm("read", "key")]},
        secrets=[{"id": "key", "grants": [perm("transfer", "crm")]}],
        roles=[{"id": "analyst", "permissions": [perm("read", "key")]}],
    )
    index = compile_access(s)
    assert index.effective_permissions("bot") == {("read", "key"), ("transfer", "crm")}
    assert explain(index, "bot", "transfer", "crm") == [
        Hop("hana", "delegates_to", "bot"),
        Hop("hana", "has_role", "analyst"),
        Hop("analyst", "grants", "key"),
        Hop("key", "secret_grants", "crm"),
    ]


@pytest.mark.parametrize(
    ("expires", "holds"), [("2026-06-29", False), ("2026-06-30", True), ("2026-07-01", True), (None, True)]
)
def test_delegation_holds_through_its_expiry_date_and_lapses_after(expires: str | None, holds: bool) -> None:
    index = compile_access(delegated({"id": "d", "delegator": "hana", "delegate": "bot", "expires": expires}))
    assert bool(index.effective_permissions("bot")) is holds


def test_wildcards_expand_to_every_action_and_every_resource() -> None:
    s = scenario(
        agents=[{"id": "all-on-crm", "roles": ["crm-admin"]}, {"id": "reads-all", "roles": ["auditor"]}],
        tools=[{"id": "exporter", "accesses": [{"resource": "payroll", "actions": ["send"]}]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "grants": [perm("write", "wiki")]}],
        roles=[
            {"id": "crm-admin", "permissions": [perm("*", "crm")]},
            {"id": "auditor", "permissions": [perm("read", "*")]},
        ],
    )
    index = compile_access(s)
    assert index.effective_permissions("all-on-crm") == {
        (a, "crm") for a in ("read", "write", "delete", "execute", "send", "transfer")
    }
    # read on '*' includes the secret (so its grants); a tool needs execute, which read does not give.
    assert index.effective_permissions("reads-all") == {
        ("read", "crm"), ("read", "payroll"), ("read", "wiki"),
        ("read", "exporter"), ("read", "key"), ("write", "wiki"),
    }  # fmt: skip
    graph = build_graph(s)
    # Expansion follows scenario order: tools, then datasets, then secrets.
    assert [v for _, v, d in graph.out_edges("auditor", data=True)] == ["exporter", "crm", "payroll", "wiki", "key"]


# -- scores, levels, reverse reach ----------------------------------------------------------------------------


def test_permission_weight_and_risk_levels_follow_the_architecture() -> None:
    s = scenario(datasets=DATASETS, tools=[{"id": "t"}], secrets=[{"id": "key", "sensitivity": "restricted"}])
    assert permission_weight(s, "delete", "crm") == 3 * 2 * 3
    assert permission_weight(s, "transfer", "key") == 10 * 1 * 4
    assert permission_weight(s, "execute", "t") == 0
    assert [risk_level(w) for w in (0, 2.99, 3, 9.99, 10, 29.99, 30, 1e9)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical",
    ]  # fmt: skip
    with pytest.raises(KeyError):
        permission_weight(s, "read", "nowhere")


def test_blast_radius_of_every_carrier_and_records_agree() -> None:
    s = scenario(
        service_accounts=[{"id": "svc", "roles": ["reader"]}],
        agents=[{"id": "bot", "runs_as": "svc", "credentials": [{"secret": "key"}]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "grants": [perm("write", "payroll")]}],
        roles=[{"id": "reader", "permissions": [perm("read", "crm"), perm("read", "wiki")]}],
    )
    index = compile_access(s)
    radius = blast_radius(index, "bot")
    assert radius.permissions == (("read", "crm"), ("write", "payroll"), ("read", "wiki"))
    assert radius.assets == ("crm", "payroll", "wiki")
    assert radius.restricted_assets == ("payroll",)
    assert radius.score == pytest.approx(6 + 20 + 0.1)
    rows = {row["entity"]: row for row in blast_radius_records(index)}
    assert list(rows) == ["bot", "svc", "key"]  # agents, accounts, secrets, tools; scenario order within
    assert rows["bot"]["score"] == radius.score  # bulk and single scores are the same float
    assert rows["svc"]["score"] == pytest.approx(6 + 0.1)
    assert rows["key"] == {
        "scenario": "t", "entity": "key", "entity_kind": "secret", "score": 20.0,
        "permissions": 1, "assets": 1, "restricted_assets": 1, "blocked": 0,
    }  # fmt: skip


def test_blocked_actions_are_out_of_the_blast_radius_and_listed_apart() -> None:
    # A block names the agent, or the account it runs as, or everyone in an environment; a block that needs an
    # amount never binds a blast radius (no request, no amount), as in the simulation.
    s = scenario(
        service_accounts=[{"id": "svc", "roles": ["reader"]}],
        agents=[{"id": "bot", "runs_as": "svc", "untrusted_input": True, "credentials": [{"secret": "key"}]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "grants": [perm("write", "payroll")]}],
        roles=[{"id": "reader", "permissions": [perm("read", "crm"), perm("read", "wiki")]}],
        blocked_actions=[
            {"id": "b1", "identity": "svc", "action": "read", "resource": "wiki"},
            {"id": "b2", "action": "write", "resource": "*", "when": {"untrusted_input": True}},
            {"id": "b3", "action": "read", "resource": "crm", "when": {"amount_above": 10}},
        ],
    )
    index = compile_access(s)
    radius = blast_radius(index, "bot")
    assert radius.permissions == (("read", "crm"),)
    assert radius.blocked == (("write", "payroll"), ("read", "wiki"))
    assert radius.score == 6.0
    rows = {row["entity"]: row for row in blast_radius_records(index)}
    assert (rows["bot"]["score"], rows["bot"]["permissions"], rows["bot"]["blocked"]) == (6.0, 1, 2)
    # The account itself is blocked from the wiki; the secret, leaked, acts as nobody these blocks name.
    assert (rows["svc"]["score"], rows["svc"]["blocked"]) == (6.0, 1)
    assert (rows["key"]["score"], rows["key"]["blocked"]) == (20.0, 0)


def test_who_can_reach_lists_identities_with_their_actions_in_scenario_order() -> None:
    s = scenario(
        humans=[{"id": "hana", "roles": ["reader"]}],
        service_accounts=[{"id": "svc", "roles": ["writer"]}],
        agents=[{"id": "a1", "runs_as": "svc"}, {"id": "a2"}, {"id": "a3", "roles": ["reader", "writer"]}],
        datasets=DATASETS,
        secrets=[{"id": "key", "grants": [perm("delete", "crm")]}],
        roles=[
            {"id": "reader", "permissions": [perm("read", "crm")]},
            {"id": "writer", "permissions": [perm("write", "crm")]},
        ],
    )
    assert who_can_reach(s, "crm") == [
        ("a1", ("write",)),
        ("a3", ("read", "write")),
        ("hana", ("read",)),
        ("svc", ("write",)),
    ]
    assert who_can_reach(s, "crm", kinds=("secret",)) == [("key", ("delete",))]
    assert who_can_reach(s, "payroll") == []


# -- attack paths ---------------------------------------------------------------------------------------------

ATTACK = {
    "humans": [{"id": "boss", "roles": ["payroll-reader"]}],
    "service_accounts": [{"id": "svc", "roles": ["payroll-writer"]}],
    "agents": [
        {"id": "inbox", "untrusted_input": True, "roles": ["payroll-reader"], "runs_as": "svc"},
        {"id": "planner", "untrusted_input": True},
        {"id": "internal", "roles": ["payroll-reader"]},
    ],
    "datasets": DATASETS,
    "roles": [
        {"id": "payroll-reader", "permissions": [perm("read", "payroll"), perm("read", "crm")]},
        {"id": "payroll-writer", "permissions": [perm("write", "payroll"), perm("delete", "payroll")]},
    ],
    "delegations": [{"id": "d", "delegator": "boss", "delegate": "planner"}],
}


def test_attack_paths_run_from_untrusted_agents_to_restricted_assets_with_their_reasons() -> None:
    graph = build_graph(scenario(**ATTACK))
    shortest = attack_paths(graph)
    assert [(p.source, p.target, p.actions, p.hops) for p in shortest] == [
        ("inbox", "payroll", ("read",), (
            Hop("inbox", "has_role", "payroll-reader"), Hop("payroll-reader", "grants", "payroll"),
        )),
        ("planner", "payroll", ("read",), (
            Hop("boss", "delegates_to", "planner"), Hop("boss", "has_role", "payroll-reader"),
            Hop("payroll-reader", "grants", "payroll"),
        )),
    ]  # fmt: skip
    two = attack_paths(graph, k=2, sources=["inbox"])
    assert [(p.actions, p.hops) for p in two] == [
        (("read",), (Hop("inbox", "has_role", "payroll-reader"), Hop("payroll-reader", "grants", "payroll"))),
        (("write", "delete"), (
            Hop("inbox", "runs_as", "svc"), Hop("svc", "has_role", "payroll-writer"),
            Hop("payroll-writer", "grants", "payroll"),
        )),
    ]  # fmt: skip
    assert attack_paths(graph, sources=["internal"], targets=["wiki"]) == []


# -- the graph and its exports ----------------------------------------------------------------------------------


def test_graph_has_typed_nodes_and_edges_in_scenario_order() -> None:
    graph = build_graph(scenario(**ATTACK))
    assert [(n, d["kind"]) for n, d in graph.nodes(data=True)][:4] == [
        ("inbox", "agent"), ("planner", "agent"), ("internal", "agent"), ("boss", "human"),
    ]  # fmt: skip
    assert graph.nodes["payroll"]["sensitivity"] == "restricted"
    assert graph.nodes["payroll"]["weight"] == 10
    assert graph.nodes["inbox"]["untrusted_input"] is True
    assert [(v, d["kind"]) for _, v, d in graph.out_edges("inbox", data=True)] == [
        ("payroll-reader", "has_role"), ("svc", "runs_as"),
    ]  # fmt: skip
    edge = graph.edges["boss", "planner", "d"]
    assert (edge["kind"], edge["attenuated"], edge["scope"], edge["expired"]) == ("delegates_to", True, (), False)
    assert graph.edges["payroll-writer", "payroll", "grants:delete"]["action"] == "delete"


def tricky() -> Scenario:
    return scenario(
        humans=[{"id": "eve", "name": 'Eve "the" <admin> | #1 & co'}],
        agents=[{"id": "bot", "owner": "eve", "roles": ["r"]}],
        datasets=DATASETS,
        roles=[{"id": "r", "permissions": [perm("read", "crm"), perm("write", "crm")]}],
        delegations=[{"id": "d", "delegator": "eve", "delegate": "bot", "scope": [perm("read", "crm")]}],
    )


def tricky_graph() -> nx.MultiDiGraph:
    """The tricky scenario's graph, with a line break in a label the model itself would refuse."""
    graph = build_graph(tricky())
    graph.nodes["eve"]["label"] += "\nnext"
    return graph


def test_exports_parse_back_and_are_byte_identical_across_builds() -> None:
    first, second = tricky_graph(), tricky_graph()
    for export in (to_graphml, to_json, to_mermaid, to_dot):
        assert export(first) == export(second)
    graph = first
    back = nx.read_graphml(io.StringIO(to_graphml(graph)))
    assert sorted(back.nodes) == sorted(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["eve"]["label"] == 'Eve "the" <admin> | #1 & co\nnext'
    assert json.loads(back.edges["eve", "bot", "d"]["scope"]) == [["read", "crm"]]
    data = json.loads(to_json(graph))
    linked = nx.node_link_graph(data, edges="edges")
    assert linked.edges["r", "crm", "grants:write"]["action"] == "write"
    assert linked.graph["as_of"] == "2026-06-30"


def test_mermaid_and_dot_escape_labels() -> None:
    mermaid = to_mermaid(tricky_graph())
    line = next(text for text in mermaid.splitlines() if "eve" in text and "((" in text)
    inner = line[line.index('(("') + 3 : line.index('"))')]
    assert inner == "Eve #34;the#34; #60;admin#62; #124; #35;1 #38; co next<br/>eve"
    assert '    n5 -->|"grants: read, write"| n2' in mermaid.splitlines()
    dot = to_dot(tricky_graph())
    assert '"eve" [label="Eve \\"the\\" <admin> | #1 & co\\nnext"' in dot
    assert '"r" -> "crm" [label="grants: read, write", kind="grants", style=solid];' in dot


def test_scoring_can_be_imported_without_networkx_or_numpy() -> None:
    """The policy layer imports scoring for every request's risk; it must stay a light import."""
    code = "import sys, workbench.graph.scoring; print('networkx' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_without_tool_conduits_each_identity_keeps_only_what_it_holds_itself() -> None:
    s = scenario(
        agents=[{"id": "bot", "tools": ["crm-mcp"], "roles": ["reader"]}],
        tools=[{"id": "crm-mcp", "accesses": [{"resource": "crm", "actions": ["write"]}], "credential": "crm-key"}],
        datasets=DATASETS,
        secrets=[{"id": "crm-key", "grants": [perm("delete", "crm")]}],
        roles=[{"id": "reader", "permissions": [perm("read", "crm")]}],
    )
    full, own = compile_access(s), compile_access(s, tool_conduits=False)
    assert full.effective_permissions("bot") == {("execute", "crm-mcp"), ("read", "crm"), ("write", "crm")}
    assert own.effective_permissions("bot") == {("execute", "crm-mcp"), ("read", "crm")}
    assert (full.tool_conduits, own.tool_conduits) == (True, False)
    # A compromised tool still wields its own key, but no longer its conduit.
    assert own.compromise_permissions("crm-mcp") == {("delete", "crm")}


# -- blast radius of a scenario: compiled once, unknown ids are workbench's own error -----------------------


def test_blast_radius_of_a_scenario_compiles_its_index_once(monkeypatch) -> None:
    import pickle

    import workbench.graph.blast as blast_module

    reader = [{"id": "reader", "permissions": [perm("read", "crm")]}]
    s = scenario(agents=[{"id": "bot", "roles": ["reader"]}, {"id": "bob"}], datasets=DATASETS, roles=reader)
    compiled: list[Scenario] = []
    real = blast_module.compile_access
    monkeypatch.setattr(blast_module, "compile_access", lambda sc: compiled.append(sc) or real(sc))
    first = [blast_radius(s, agent) for agent in ("bot", "bob", "bot")]
    assert len(compiled) == 1
    assert first[0] == first[2] == blast_radius(real(s), "bot")
    assert blast_radius_records(s) == blast_radius_records(real(s)) and len(compiled) == 1
    changed = s.model_copy(update={"agents": s.agents[:1]})  # a copy with other agents is compiled afresh
    assert [r["entity"] for r in blast_radius_records(changed, kinds=["agent"])] == ["bot"]
    assert len(compiled) == 2
    blast_radius(pickle.loads(pickle.dumps(s)), "bot")  # pickles leave the index behind: rebuilt
    assert len(compiled) == 3


def test_blast_radius_of_an_unknown_id_is_a_workbench_error() -> None:
    from workbench.errors import WorkbenchError
    from workbench.graph import UnknownEntityError

    s = scenario(agents=[{"id": "bot"}])
    with pytest.raises(UnknownEntityError, match=r"^'nobody' is not an entity of scenario 't'$") as info:
        blast_radius(s, "nobody")
    assert isinstance(info.value, WorkbenchError) and isinstance(info.value, KeyError)
    assert (info.value.entity, info.value.scenario) == ("nobody", "t")
