"""Evaluating an organisation stays linear in its size: counted calls, not timings.

A rule that explains a route per permission, re-walks the scenario per agent or re-scores every pair per
agent is quadratic, and shows up here as call counts growing with agents × resources instead of with the
findings reported. Counting calls keeps the test exact and independent of the machine.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import pytest

from workbench.findings import RULES, FindingSet, evaluate
from workbench.findings import access as findings_access
from workbench.generate import generate_organisation
from workbench.graph import compile_access
from workbench.graph.index import AccessIndex
from workbench.model import Scenario


def counted_evaluation(monkeypatch: pytest.MonkeyPatch, agents: int) -> tuple[Scenario, FindingSet, Counter[str]]:
    """Evaluate a generated organisation (seed 7), counting the calls that would betray a quadratic rule."""
    scenario = Scenario.model_validate(generate_organisation(agents, seed=7))
    index = compile_access(scenario)
    calls: Counter[str] = Counter()

    def count(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def counting(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    count(AccessIndex, "explain")  # a shortest-route search
    count(AccessIndex, "bits")  # an identity's reach
    count(findings_access.ScenarioAccess, "_walk")  # a route enumeration
    count(findings_access, "permission_weight")  # scoring one pair
    count(Scenario, "iter_entities")  # a scan of the whole scenario
    findings = evaluate(scenario, graph_index=index)
    monkeypatch.undo()
    return scenario, findings, calls


def test_routes_are_explained_only_for_reported_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    _scenario, findings, calls = counted_evaluation(monkeypatch, 300)
    assert len(findings) > 1000  # a real workload: every rule that can fire on it does
    # One route per finding (the heaviest pair's), two for a trifecta (the data and the way out).
    assert calls["explain"] <= len(findings) + len(findings.by_rule("WB112"))
    # Route enumeration is for the capability map only; the rules use bitsets.
    assert calls["_walk"] == 0


def test_per_agent_work_is_a_few_bitsets_and_each_pair_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, _findings, calls = counted_evaluation(monkeypatch, 300)
    identities = len(scenario.agents) + len(scenario.service_accounts)
    assert calls["bits"] <= len(RULES) * identities
    pairs = 6 * (len(scenario.datasets) + len(scenario.secrets) + len(scenario.tools))
    assert calls["permission_weight"] <= pairs


def test_whole_scenario_scans_do_not_grow_with_the_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    *_, small = counted_evaluation(monkeypatch, 30)
    *_, large = counted_evaluation(monkeypatch, 300)
    assert large["iter_entities"] == small["iter_entities"]
