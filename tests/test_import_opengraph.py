"""BloodHound OpenGraph out (`workbench graph --format opengraph`) and in (`workbench import opengraph`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import SCENARIOS

from workbench.cli import run
from workbench.errors import ScenarioError
from workbench.graph import build_graph, to_opengraph
from workbench.importers import import_opengraph, parse_json
from workbench.model import load_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "customer-support.yaml"


def test_every_node_and_edge_is_exported_with_primitive_properties() -> None:
    graph = build_graph(load_scenario(SCENARIO))
    document = json.loads(to_opengraph(graph))
    assert document["metadata"] == {"source_kind": "Workbench"}
    nodes, edges = document["graph"]["nodes"], document["graph"]["edges"]
    assert [n["id"] for n in nodes] == list(graph.nodes)
    assert {n["id"]: n["kinds"][0] for n in nodes}["support-agent"] == "WorkbenchAgent"
    exported = [(e["start"]["value"], e["end"]["value"], e["properties"]["key"]) for e in edges]
    assert exported == [(u, v, str(k)) for u, v, k in graph.edges(keys=True)]
    assert all(e["start"]["match_by"] == e["end"]["match_by"] == "id" for e in edges)
    for item in [*nodes, *edges]:
        for value in item["properties"].values():
            assert isinstance(value, str | int | float | bool) or (
                isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value)
            )


def test_the_cli_writes_the_same_bytes_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", str(SCENARIO), "--format", "opengraph"]) == 0
    first = capsys.readouterr().out
    assert run(["graph", str(SCENARIO), "--format", "opengraph"]) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["graph"]["edges"][0]["kind"].startswith("Workbench")


def _edges(text: str) -> set[tuple[str, str, str, str]]:
    graph = json.loads(text)["graph"]
    return {(e["kind"], e["start"]["value"], e["end"]["value"], e["properties"]["key"]) for e in graph["edges"]}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_a_round_trip_keeps_every_node_and_edge(path: Path) -> None:
    scenario = load_scenario(path)
    exported = to_opengraph(build_graph(scenario))
    again = import_opengraph(parse_json(exported, file="graph.json"), as_of=scenario.as_of)
    back = to_opengraph(build_graph(again))
    assert [n["id"] for n in json.loads(back)["graph"]["nodes"]] == [
        n["id"] for n in json.loads(exported)["graph"]["nodes"]
    ]
    assert _edges(back) == _edges(exported)


def test_another_collectors_kinds_are_read_by_what_they_name(tmp_path: Path) -> None:
    graph = {
        "metadata": {"source_kind": "AgentHound"},
        "graph": {
            "nodes": [
                {"id": "laptop-alice/claude", "kinds": ["AHAgent"], "properties": {"name": "Claude Desktop"}},
                {"id": "github", "kinds": ["AHMCPServer"], "properties": {}},
                {"id": "gh-token", "kinds": ["AHCredential"], "properties": {}},
            ],
            "edges": [
                {"kind": "UsesTool", "start": {"value": "laptop-alice/claude"}, "end": {"value": "github"}},
                {"kind": "HoldsSecret", "start": {"value": "laptop-alice/claude"}, "end": {"value": "gh-token"}},
                {"kind": "AHSomethingElse", "start": {"value": "github"}, "end": {"value": "gh-token"}},
            ],
        },
    }
    file = tmp_path / "agenthound.json"
    file.write_text(json.dumps(graph))
    out = tmp_path / "scenario.yaml"
    assert run(["import", "opengraph", str(file), "--as-of", "2026-12-01", "-o", str(out)]) == 0
    scenario = load_scenario(out)
    (agent,) = scenario.agents
    assert agent.id == "laptop-alice-claude" and agent.tools == ["github"]
    assert [c.secret for c in agent.credentials] == ["gh-token"]
    assert scenario.description == "1 edge(s) of kinds workbench does not model were left out."


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"nodes": []}, ": expected an OpenGraph document"),
        ({"graph": {"nodes": [{"id": "a"}]}}, "/graph/nodes/0: a node needs a string 'id'"),
        (
            {"graph": {"nodes": [], "edges": [{"kind": "HasRole", "start": {"value": "x"}}]}},
            "/graph/edges/0/start: 'start' must name a node",
        ),
    ],
)
def test_malformed_graphs_are_located_problems(document: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        import_opengraph(parse_json(json.dumps(document), file="g.json"), as_of=dt.date(2026, 12, 1))
    assert expected in str(caught.value)
