"""The findings' own reach walk agrees with the graph index, and every shipped scenario evaluates cleanly."""

from __future__ import annotations

from pathlib import Path

from workbench.findings import evaluate
from workbench.findings.access import ScenarioAccess
from workbench.graph import Hop, compile_access
from workbench.model import load_scenario, parse_scenario


def test_the_reach_walk_agrees_with_the_graph_index(shipped_scenario_path: Path) -> None:
    scenario = load_scenario(shipped_scenario_path)
    index = compile_access(scenario)
    local = ScenarioAccess(scenario)
    for kind in ("agent", "human", "service_account"):
        for identity in index.entities(kind):
            assert local.effective(identity) == index.effective_permissions(identity), identity
            assert local.direct(identity) <= local.effective(identity)


def test_direct_reach_leaves_out_only_what_tools_do_with_their_own_credential() -> None:
    scenario = parse_scenario(
        """\
schema_version: 1
name: deputy
as_of: 2026-01-10
agents:
  - {id: bot, roles: [caller]}
tools:
  - {id: desk, accesses: [{resource: tickets, actions: [write]}]}
datasets:
  - {id: tickets}
roles:
  - {id: caller, permissions: [{action: execute, resource: desk}, {action: read, resource: tickets}]}
""",
        filename="deputy.yaml",
    )
    local = ScenarioAccess(scenario)
    assert local.effective("bot") == {("execute", "desk"), ("read", "tickets"), ("write", "tickets")}
    assert local.direct("bot") == {("execute", "desk"), ("read", "tickets")}
    assert local.routes("bot", ("write", "tickets")) == (
        (Hop("bot", "has_role", "caller"), Hop("caller", "grants", "desk"), Hop("desk", "tool_accesses", "tickets")),
    )


def test_shipped_scenarios_evaluate_deterministically(shipped_scenario_path: Path) -> None:
    scenario = load_scenario(shipped_scenario_path)
    first = evaluate(scenario)
    assert first.to_records() == evaluate(load_scenario(shipped_scenario_path)).to_records()
    for finding in first:
        assert finding.location.file == str(shipped_scenario_path)
        assert finding.location.line >= 1
