"""Simulation rules (WB201-WB203) on hand-made result tables, and the columns they read against analysis."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from workbench.errors import RuleError
from workbench.findings import evaluate
from workbench.findings.operations import SERVICE_COLUMNS_READ, SUMMARY_COLUMNS_READ
from workbench.model import Scenario, load_scenario, parse_scenario

SCENARIO: dict[str, Any] = {
    "schema_version": 1,
    "name": "queues",
    "as_of": "2026-01-10",
    "services": {"approver_pools": [{"id": "leads", "size": 1, "review_time": "1m", "sla_p95": "15m"}]},
    "controls": [
        {"kind": "static_rbac"},
        {"kind": "jit", "token_ttl": "10m", "approval_at": "high", "approver_pool": "leads"},
    ],
    "thresholds": {"exposure": 300, "token_lifetime_ratio": 4},
}


def scenario(**thresholds: Any) -> Scenario:
    data = {**SCENARIO, "thresholds": {**SCENARIO["thresholds"], **thresholds}}
    return parse_scenario(yaml.safe_dump(data, sort_keys=False), filename="queues.yaml")


@dataclass
class Result:
    """Stands in for a SimulationResult: the two tables the rules read."""

    services: pd.DataFrame
    runs: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        return self.runs


def services(jit_p95: list[float], requests: int = 10) -> pd.DataFrame:
    rows = [("static_rbac", r, "approver_pool:leads", 0, 0.0, 0.0) for r in range(2)]
    rows += [("jit", r, "approver_pool:leads", requests, 0.5, p95) for r, p95 in enumerate(jit_p95)]
    rows += [("jit", 0, "token_service", 100, 0.1, 99999.0)]  # not a pool: never judged against the SLA
    return pd.DataFrame(rows, columns=["control", "replication", "service", "requests", "utilisation", "wait_p95_s"])


def summary(latency: list[float], exposure: list[float], compromises: list[int]) -> pd.DataFrame:
    rows = [("static_rbac", r, 30.0, 1, 10.0) for r in range(2)]
    rows += [("jit", r, *values) for r, values in enumerate(zip(latency, compromises, exposure, strict=True))]
    return pd.DataFrame(rows, columns=["control", "replication", "latency_mean_s", "compromises", "exposure_score_h"])


def result(jit_p95: list[float] | None = None, **runs: Any) -> Result:
    table = summary(runs.get("latency", [150.0, 150.0]), runs.get("exposure", [0.0, 0.0]), runs.get("n", [0, 0]))
    return Result(services(jit_p95 or [0.0, 0.0]), table)


def test_simulation_rules_run_only_with_a_simulation() -> None:
    assert not any(rule.startswith("WB2") for rule in evaluate(scenario()).rules_run)
    assert {"WB201", "WB202", "WB203"} <= set(evaluate(scenario(), simulation=result()).rules_run)


def test_wb201_the_mean_of_the_runs_p95_above_the_sla() -> None:
    finding = evaluate(scenario(), simulation=result([1000.0, 1200.0])).by_rule("WB201")[0]
    assert (finding.entity_id, finding.evidence["control"]) == ("leads", "jit")
    assert (finding.evidence["wait_p95_s"], finding.evidence["sla_p95_s"]) == (1100.0, 900.0)
    assert finding.location.yaml_path == ("services", "approver_pools", 0, "sla_p95")


def test_wb201_within_the_sla_or_unused_is_fine() -> None:
    assert evaluate(scenario(), simulation=result([800.0, 1000.0])).by_rule("WB201") == ()  # mean 900 = SLA
    unused = Result(services([5000.0, 5000.0], requests=0), summary([150.0, 150.0], [0.0, 0.0], [0, 0]))
    assert evaluate(scenario(), simulation=unused).by_rule("WB201") == ()


def test_wb202_token_ttl_over_mean_task_duration() -> None:
    # TTL 600 s over a mean of 150 s is exactly 4: at the limit, not above it.
    assert evaluate(scenario(), simulation=result(latency=[100.0, 200.0])).by_rule("WB202") == ()
    finding = evaluate(scenario(), simulation=result(latency=[100.0, 100.0])).by_rule("WB202")[0]
    assert (finding.entity_id, finding.entity_kind) == ("jit", "control")
    assert (finding.evidence["ratio"], finding.evidence["token_ttl_s"]) == (6.0, 600.0)
    assert finding.location.yaml_path == ("controls", 1, "token_ttl")


def test_wb202_standing_designs_have_no_tokens_to_judge() -> None:
    found = evaluate(scenario(), simulation=result(latency=[1.0, 1.0])).by_rule("WB202")
    assert [f.entity_id for f in found] == ["jit"]


def test_wb203_exposure_per_compromise_pooled_over_runs() -> None:
    # (300 + 900) score-hours over 1 + 2 compromises = 400 per compromise.
    hot = result(exposure=[300.0, 900.0], n=[1, 2])
    finding = evaluate(scenario(), simulation=hot).by_rule("WB203")[0]
    assert (finding.entity_id, finding.evidence["exposure_mean_score_h"]) == ("jit", 400.0)
    assert evaluate(scenario(exposure=400), simulation=hot).by_rule("WB203") == ()


def test_a_missing_column_names_the_rule() -> None:
    broken = result()
    broken.services = broken.services.drop(columns=["wait_p95_s"])
    with pytest.raises(RuleError, match=r"WB201.*wait_p95_s"):
        evaluate(scenario(), simulation=broken)


def test_a_design_the_scenario_lacks_is_an_error() -> None:
    stray = result()
    stray.runs = pd.concat([stray.runs, stray.runs.assign(control="cedar")])
    with pytest.raises(RuleError, match=r"WB202.*cedar"):
        evaluate(scenario(), simulation=stray)


def test_the_columns_read_are_the_columns_analysis_writes() -> None:
    analysis = pytest.importorskip("workbench.analysis")
    assert set(SERVICE_COLUMNS_READ) <= set(analysis.SERVICE_COLUMNS)
    assert set(SUMMARY_COLUMNS_READ) <= set(analysis.RUN_COLUMNS)


def test_a_real_simulation_result_is_read_without_error(repo: Path) -> None:
    analysis = pytest.importorskip("workbench.analysis")
    shipped = load_scenario(repo / "scenarios" / "customer-support.yaml")
    run = analysis.simulate(shipped, replications=1)
    findings = evaluate(shipped, simulation=run)
    assert {"WB201", "WB202", "WB203"} <= set(findings.rules_run)
    for finding in findings:
        if finding.rule_id in ("WB202", "WB203"):
            assert finding.entity_id in shipped.control_labels
