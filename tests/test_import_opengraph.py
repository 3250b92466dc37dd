"""`workbench graph FILE --format opengraph`: the access graph as BloodHound OpenGraph JSON, whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.graph import build_graph, to_opengraph
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
