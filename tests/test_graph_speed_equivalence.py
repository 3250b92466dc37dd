"""The fast bitset index agrees exactly with plain reachability on the networkx graph.

`reachability.access_view` + `networkx.descendants` is the obviously-right definition of effective
permissions; `compile_access` is the fast one. They must give identical sets for every identity, leaked
secret and compromised tool: on random small organisations (delegation loops, wildcards, readable secrets
and tools everywhere) and on generated organisations with hubs and delegation chains.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.generate import generate_organisation
from workbench.graph import (
    AccessIndex,
    access_view,
    attack_paths,
    blast_radius_records,
    build_graph,
    compile_access,
    permission_weight,
    reachable_permissions,
)
from workbench.model import ACTIONS, Scenario
from workbench.model.references import check_references

CARRIERS = ("agent", "human", "service_account", "secret", "tool")


def reference(graph: nx.MultiDiGraph, view: nx.DiGraph, entity: str) -> frozenset[tuple[str, str]]:
    """Naive answer: everything reachable from the entity (a tool also from its own key and account)."""
    roots = [entity]
    if graph.nodes[entity]["kind"] == "tool":
        roots += [
            v for _, v, d in graph.out_edges(entity, data=True) if d["kind"] in ("tool_uses_credential", "runs_as")
        ]
    return reachable_permissions(view, *roots)


def assert_equivalent(s: Scenario) -> AccessIndex:
    graph = build_graph(s)
    view = access_view(graph)
    index = compile_access(s)
    for kind in CARRIERS:
        for entity in index.entities(kind):
            assert index.compromise_permissions(entity) == reference(graph, view, entity), entity
    return index


@st.composite
def organisations(draw: st.DrawFn) -> Scenario:
    """Small organisations where every access route, wildcard and delegation shape can occur, loops included."""
    datasets = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    secrets = [f"k{i}" for i in range(draw(st.integers(0, 3)))]
    tools = [f"t{i}" for i in range(draw(st.integers(0, 3)))]
    roles = [f"r{i}" for i in range(draw(st.integers(0, 4)))]
    accounts = [f"s{i}" for i in range(draw(st.integers(0, 2)))]
    humans = [f"h{i}" for i in range(draw(st.integers(1, 2)))]
    agents = [f"a{i}" for i in range(draw(st.integers(1, 4)))]
    resources = datasets + secrets + tools

    def subset(ids: list[str], most: int = 3) -> list[str]:
        return draw(st.lists(st.sampled_from(ids), max_size=most)) if ids else []

    def optional(ids: list[str]) -> str | None:
        return draw(st.none() | st.sampled_from(ids)) if ids else None

    carrying = {**dict.fromkeys(secrets, "read"), **dict.fromkeys(tools, "execute")}

    def permission() -> dict[str, str]:
        # Favour secrets and tools, and the actions that hand their own reach over: there the rules interact.
        resource = draw(st.sampled_from([*resources, *secrets, *tools, "*"]))
        favoured = [carrying[resource]] * 4 if resource in carrying else []
        action = draw(st.sampled_from([*ACTIONS, "*", *favoured]))
        return {"action": action, "resource": resource}

    def permissions(most: int) -> list[dict[str, str]]:
        return [permission() for _ in range(draw(st.integers(0, most)))]

    def without_none(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in entry.items() if v is not None}

    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "random",
        "as_of": "2026-06-30",
        "datasets": [
            {"id": d, "sensitivity": draw(st.sampled_from(["public", "internal", "confidential", "restricted"]))}
            for d in datasets
        ],
        "secrets": [
            without_none({"id": k, "grants": permissions(3), "authenticates_as": optional(accounts)}) for k in secrets
        ],
        "tools": [
            without_none(
                {
                    "id": t,
                    "accesses": [
                        {"resource": r, "actions": draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2))}
                        for r in subset(datasets + secrets, 2)
                    ],
                    "credential": optional(secrets),
                    "runs_as": optional(accounts),
                }
            )
            for t in tools
        ],
        "roles": [{"id": r, "permissions": permissions(4)} for r in roles],
        "service_accounts": [
            {"id": s, "roles": subset(roles, 2), "credentials": [{"secret": k} for k in subset(secrets, 2)]}
            for s in accounts
        ],
        "humans": [{"id": h, "roles": subset(roles, 2)} for h in humans],
        "agents": [
            without_none(
                {
                    "id": a,
                    "roles": subset(roles),
                    "runs_as": optional(accounts),
                    "credentials": [{"secret": k} for k in subset(secrets, 2)],
                    "tools": subset(tools, 2),
                    "untrusted_input": draw(st.booleans()),
                }
            )
            for a in agents
        ],
        "delegations": [
            without_none(
                {
                    "id": f"g{i}",
                    "delegator": draw(st.sampled_from(humans + agents)),
                    "delegate": draw(st.sampled_from(agents)),
                    "scope": permissions(3),
                    "attenuated": draw(st.booleans()),
                    "expires": draw(st.sampled_from([None, "2026-06-29", "2026-06-30"])),
                }
            )
            for i in range(draw(st.integers(0, 8)))  # few agents, many delegations: loops are common
        ],
    }
    built = Scenario.model_validate(data)
    assert check_references(built) == []
    return built


@st.composite
def delegation_webs(draw: st.DrawFn) -> Scenario:
    """A few agents, a little access, and many delegations among them: rings of attenuated delegations."""
    agents = [f"a{i}" for i in range(draw(st.integers(2, 4)))]
    resources = ["d0", "d1", "k0"]
    pair = st.tuples(st.sampled_from(["read", "write", "*"]), st.sampled_from([*resources, "*"]))
    scopes = st.lists(pair.map(lambda p: {"action": p[0], "resource": p[1]}), max_size=2)
    data = {
        "schema_version": 1,
        "name": "web",
        "as_of": "2026-06-30",
        "datasets": [{"id": "d0"}, {"id": "d1"}],
        "secrets": [{"id": "k0", "grants": [{"action": "write", "resource": "d1"}]}],
        "roles": [{"id": "r0", "permissions": draw(scopes)}, {"id": "r1", "permissions": draw(scopes)}],
        "agents": [{"id": a, "roles": draw(st.lists(st.sampled_from(["r0", "r1"]), max_size=1))} for a in agents],
        "delegations": [
            {
                "id": f"g{i}",
                "delegator": draw(st.sampled_from(agents)),
                "delegate": draw(st.sampled_from(agents)),
                "scope": draw(scopes),
                "attenuated": draw(st.booleans()),
            }
            for i in range(draw(st.integers(2, 8)))
        ],
    }
    return Scenario.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(delegation_webs())
def test_fast_index_equals_naive_reachability_on_delegation_webs(s: Scenario) -> None:
    assert_equivalent(s)


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_fast_index_equals_naive_reachability_on_random_organisations(s: Scenario) -> None:
    assert_equivalent(s)


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_every_permission_is_explained_by_edges_of_the_graph(s: Scenario) -> None:
    graph = build_graph(s)
    index = compile_access(s)
    for kind in CARRIERS:
        for entity in index.entities(kind):
            held = index.compromise_permissions(entity)
            for action in ACTIONS:
                for resource in index.resources:
                    route = index.explain(entity, action, resource)
                    assert (route is not None) == ((action, resource) in held)
                    for hop in route or ():
                        assert any(d["kind"] == hop.kind for d in graph.get_edge_data(hop.source, hop.target).values())


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_scores_are_one_fixed_sum_of_permission_weights(s: Scenario) -> None:
    index = compile_access(s)
    rows = blast_radius_records(index)
    for row in rows:
        held = index.compromise_permissions(row["entity"])
        assert row["score"] == index.score(held)  # bulk and single: the same float
        assert row["score"] == pytest.approx(math.fsum(permission_weight(s, a, r) for a, r in held))
        assert row["permissions"] == len(held)


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_attack_paths_only_claim_access_the_source_has(s: Scenario) -> None:
    graph = build_graph(s)
    index = compile_access(s)
    for path in attack_paths(graph, k=2, targets=list(index.resources)):
        assert set(path.actions) <= set(index.actions_on(path.source, path.target))
        assert path.actions
        for hop in path.hops:
            assert graph.has_edge(hop.source, hop.target)


@pytest.mark.parametrize(("n_agents", "seed"), [(40, 0), (40, 1), (400, 2), (2000, 3)])
def test_fast_index_equals_naive_reachability_on_generated_organisations(n_agents: int, seed: int) -> None:
    s = Scenario.model_validate(generate_organisation(n_agents, seed=seed))
    index = assert_equivalent(s)
    # The generated organisation really exercises the hard cases.
    assert any(d.scope and d.attenuated for d in s.delegations)
    assert any(index.effective_permissions(a) for a in index.entities("agent"))
