"""A large organisation's Mermaid export is summarised so it renders, keeps its attack paths and says so;
wording of exports and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from test_report_support import cli

from workbench.generate import generate_organisation
from workbench.graph import attack_paths, build_graph, to_mermaid, untrusted_agents
from workbench.graph.summary import (
    MAX_MERMAID_EDGES,
    MAX_MERMAID_NODES,
    MAX_SUMMARY_PATHS,
    summarise_graph,
    to_mermaid_summary,
)
from workbench.model import Scenario

MERMAID_MAX_TEXT = 50_000
"""Mermaid's default `maxTextSize`: above it the diagram renders as "Maximum text size in diagram exceeded"."""


@pytest.fixture(scope="module")
def org() -> Scenario:
    return Scenario.model_validate(generate_organisation(1000, seed=7))


def _edges(text: str) -> int:
    return sum(1 for line in text.splitlines() if re.search(r" (-->|-\.->)\|", line))


def test_a_1000_agent_mermaid_export_stays_within_mermaid_limits_and_says_it_is_a_summary(org: Scenario) -> None:
    graph = build_graph(org)
    assert len(to_mermaid(graph)) > MERMAID_MAX_TEXT, "the full export would not render"
    text = to_mermaid_summary(graph)
    assert len(text) < MERMAID_MAX_TEXT and _edges(text) <= MAX_MERMAID_EDGES
    assert text.startswith('---\ntitle: "Summary of 1,139 nodes')
    assert "attack paths are kept node for node" in text.splitlines()[1]
    assert re.search(r"\(\[\"[\d,]+ agents more\"\]\)", text), "the other agents are one node"


def test_the_summary_keeps_every_hop_of_the_kept_attack_paths(org: Scenario) -> None:
    graph = build_graph(org)
    paths = attack_paths(graph, sources=untrusted_agents(graph)[:3])
    summary = summarise_graph(graph, paths=paths)
    assert summary.number_of_nodes() <= MAX_MERMAID_NODES
    for path in paths[:MAX_SUMMARY_PATHS]:
        for hop in path.hops:
            kinds = [d["kind"] for d in summary.get_edge_data(hop.source, hop.target, default={}).values()]
            assert hop.kind in kinds, hop


def test_a_small_graph_is_exported_unchanged() -> None:
    small = Scenario.model_validate(generate_organisation(10, seed=7))
    graph = build_graph(small)
    assert summarise_graph(graph) is graph
    assert to_mermaid_summary(graph) == to_mermaid(graph)


def test_the_graph_command_prints_the_summary_for_a_large_organisation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(generate_organisation(300, seed=7), sort_keys=False), encoding="utf-8")
    assert cli(["graph", str(path), "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('---\ntitle: "Summary of ') and len(out) < MERMAID_MAX_TEXT


def test_wording_a_bare_ampersand_stays_readable_and_counts_agree_in_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.escaping import markdown

    assert markdown("T6 Intent Breaking & Goal Manipulation") == "T6 Intent Breaking & Goal Manipulation"
    assert markdown("&lt;b&gt; &#60;") == "&amp;lt;b&amp;gt; &amp;#60;", "a character reference stays literal"
    document = generate_organisation(1, seed=7)
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert cli(["validate", str(path)]) == 0
    line = capsys.readouterr().out
    assert "1 agent," in line and "1 agents" not in line
