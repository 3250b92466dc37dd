"""The findings' own reach walk agrees with the graph index, and every shipped scenario evaluates cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.findings import evaluate
from workbench.findings.access import AccessView, ScenarioAccess
from workbench.generate import generate_organisation
from workbench.graph import Hop, compile_access
from workbench.model import Scenario, load_scenario, parse_scenario


def test_the_reach_walk_agrees_with_the_graph_index(shipped_scenario_path: Path) -> None:
    scenario = load_scenario(shipped_scenario_path)
    index = compile_access(scenario)
    local = ScenarioAccess(scenario)
    for kind in ("agent", "human", "service_account"):
        for identity in index.entities(kind):
            assert local.effective(identity) == index.effective_permissions(identity), identity
            assert local.direct(identity) <= local.effective(identity)


@pytest.mark.parametrize("seed", [3, 7])
def test_the_index_without_conduits_agrees_with_the_walk_without_tools(seed: int) -> None:
    scenario = Scenario.model_validate(generate_organisation(120, seed=seed))
    view, local = AccessView.of(scenario), ScenarioAccess(scenario)
    for kind in ("agent", "human", "service_account"):
        for identity in view.index.entities(kind):
            assert view.direct(identity) == local.direct(identity), identity
            assert view.pairs(view.own_bits(identity)) == view.sorted(local.direct(identity))


@pytest.mark.parametrize("seed", [3, 7])
def test_shared_walks_give_the_same_routes_whoever_asks_first(seed: int) -> None:
    # Generated organisations have accounts logging in with each other's keys: cycles the walk must cut
    # the same way whichever identity reached them first.
    scenario = Scenario.model_validate(generate_organisation(120, seed=seed))
    identities = [a.id for a in scenario.agents] + [s.id for s in scenario.service_accounts]
    forward, backward = ScenarioAccess(scenario), ScenarioAccess(scenario)
    for identity in reversed(identities):
        backward.reach(identity)
    for identity in identities:
        alone = ScenarioAccess(scenario).reach(identity)
        assert list(forward.reach(identity).items()) == list(alone.items()), identity
        assert list(backward.reach(identity).items()) == list(alone.items()), identity


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
    inventories = {w.file for _kind, _path, item in scenario.iter_entities() for w in getattr(item, "provenance", [])}
    for finding in first:
        # In the scenario file, or for an imported entity in the inventory it was read from.
        assert finding.location.file == str(shipped_scenario_path) or finding.location.file in inventories
        assert finding.location.line >= 1
