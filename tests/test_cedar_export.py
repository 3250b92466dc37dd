"""Cedar out: a design exported as Cedar decides as the design does, on every request of every replication.

The differential test runs the scenario twice on the same seeds: once with the exported-from design, once with
the exported policies as a `cedar` design (its built-in block check removed, so the exported forbids carry
the blocks). Every decision is logged; the two logs must be identical. Any difference is a bug in one of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cedarpy
import pytest

from workbench.analysis import simulate
from workbench.cli import run
from workbench.model import Cedar, Scenario, load_scenario
from workbench.policy import AccessRequest, AccessState, ControlDesign, Decision, build_cedar, build_design
from workbench.policy.blocked import BlockList
from workbench.policy.cedar_export import cedar_export
from workbench.sim.engine import standing_source
from workbench.sim.reach import ReachIndex

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@dataclass
class Logged:
    """A design that records every decision it is asked for, in order."""

    inner: ControlDesign
    log: list[tuple[Any, ...]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        decision = self.inner.decide(request, state, now)
        self.log.append((request, state, now, decision.outcome, decision.approver_pool))
        return decision


def _exported(scenario: Scenario, label: str) -> tuple[ControlDesign, ControlDesign, str]:
    reach = ReachIndex(scenario)
    standing = standing_source(reach)
    control = next(c for c in scenario.controls if c.label == label)
    original = build_design(scenario, control, standing=standing)
    export = cedar_export(scenario, control, standing=standing)
    as_cedar = Cedar(
        name="exported",
        policy="exported.cedar",
        token_ttl=control.token_lifetime or 0.0,
        approver_pool=control.requested_pool,
    )
    design = build_cedar(scenario, as_cedar, standing=standing, text=export.policies)
    return original, dataclasses.replace(design, blocks=BlockList((), {})), export.policies


def _intent_aware(path: Path) -> list[tuple[Path, str]]:
    return [(path, c.label) for c in load_scenario(path).controls if c.kind == "intent_aware_jit"]


CASES = [case for path in SCENARIOS for case in _intent_aware(path)]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "label"), CASES, ids=[f"{p.stem}:{label}" for p, label in CASES])
def test_exported_policies_decide_as_the_design_they_came_from(path: Path, label: str) -> None:
    scenario = load_scenario(path)
    original, exported, _text = _exported(scenario, label)
    first, second = Logged(original), Logged(exported)
    n = scenario.simulation.replications
    a = simulate(scenario, designs={"a": first}, replications=n, keep_records=False)  # type: ignore[dict-item]
    b = simulate(scenario, designs={"b": second}, replications=n, keep_records=False)  # type: ignore[dict-item]
    assert len(first.log) > 0
    differences = [(x, y) for x, y in zip(first.log, second.log, strict=False) if x != y]
    assert differences[:3] == []
    assert len(first.log) == len(second.log)
    left, right = a.summary(), b.summary()
    differing = [c for c in left.columns if c not in ("control", "kind") and not left[c].equals(right[c])]
    assert differing == []  # so the runs themselves are the same


def test_every_shipped_scenario_has_an_intent_aware_design_to_check() -> None:
    assert {p for p, _ in CASES} == set(SCENARIOS)


def test_export_is_valid_cedar_with_ids_and_cited_lines() -> None:
    scenario = load_scenario(SCENARIOS[0])
    _original, _design, text = _exported(scenario, next(label for p, label in CASES if p == SCENARIOS[0]))
    tree = cedarpy.PolicySet.from_str(text).to_pst()
    ids = [p.annotations.get("id") for p in tree.static_policies.values()]
    assert all(ids) and len(set(ids)) == len(ids)
    assert f"{SCENARIOS[0].name}:" in text and "Token lifetime (TTL)" in text


def test_hostile_names_stay_inside_strings_and_comments(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS[0])
    # Ids are constrained by the scenario language; prose is not: a reason may carry line breaks and quotes.
    hostile = 'x";\npermit (principal, action, resource);\n// '
    data = scenario.model_dump(mode="json", exclude_none=True)
    assert data.get("blocked_actions")
    for block in data["blocked_actions"]:
        block["reason"] = hostile
    evil = Scenario.model_validate(data)
    control = next(c for c in evil.controls if c.kind == "intent_aware_jit")
    export = cedar_export(evil, control, standing=standing_source(ReachIndex(evil)))
    tree = cedarpy.PolicySet.from_str(export.policies).to_pst()
    permits_everything = [
        p for p in tree.static_policies.values() if p.effect == "permit" and not p.annotations.get("id")
    ]
    assert permits_everything == []  # the injected permit stayed in a comment
    assert 'Reason: x";\\npermit (principal, action, resource);\\n// ' in export.policies


def test_export_cedar_writes_three_files(tmp_path: Path) -> None:
    label = next(label for p, label in CASES if p == SCENARIOS[0])
    assert run(["export", "cedar", str(SCENARIOS[0]), "--design", label, "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "entities.json",
        "policies.cedar",
        "schema.cedarschema",
    ]
    schema = cedarpy.Schema.from_str((tmp_path / "out" / "schema.cedarschema").read_text())
    assert cedarpy.validate_policies((tmp_path / "out" / "policies.cedar").read_text(), schema).validation_passed
    assert run(["export", "cedar", str(SCENARIOS[0]), "--design", "nope", "-o", str(tmp_path / "x")]) == 3
