"""Renderers on hand-built ReportData: formatting, escaping, caps for large estates, index and gate."""

from __future__ import annotations

import json
import math

import pytest

from workbench.analysis.verdict import Verdict
from workbench.report.data import (
    Estimate,
    FindingView,
    Location,
    ReportData,
    ScenarioInfo,
    Suppression,
)
from workbench.report.documents import render_markdown, render_reports
from workbench.report.gate import blocking_findings
from workbench.report.numbers import PRETTY_LIMIT, fmt, fmt_ratio, fmt_signed, json_number
from workbench.report.results_json import results_json_text
from workbench.report.view import MAX_DETAILED_FINDINGS
from workbench.sim.metrics import EXPOSURE


def _info(name: str = "demo", **overrides: object) -> ScenarioInfo:
    values: dict[str, object] = {
        "name": name,
        "title": "Demo | with a pipe",
        "description": "",
        "as_of": "2026-01-01",
        "source": "scenarios/demo.yaml",
        "seed": 1,
        "replications": 3,
        "horizon_s": 86400.0,
        "designs": ("static_rbac", "jit"),
        "baseline": "static_rbac",
        "counts": (("agents", 2),),
    }
    values.update(overrides)
    return ScenarioInfo(**values)  # type: ignore[arg-type]


def _finding(i: int, severity: str = "high", suppressed: bool = False) -> FindingView:
    return FindingView(
        rule="WB104",
        title="Secret stored in agent config or code",
        severity=severity,  # type: ignore[arg-type]
        security_severity=8.0,
        entity=f"key-{i:05d}",
        message=f"Secret key-{i:05d} | is in <config>",
        location=Location("scenarios/demo.yaml", 10 + i, 3, f"secrets[{i}]"),
        fingerprint=f"fp{i:05d}",
        suppression=Suppression("ok", "sam", "2027-01-01") if suppressed else None,
    )


def _estimates() -> tuple[Estimate, ...]:
    return (
        Estimate("static_rbac", "exposure_score_h", 100.0, 80.0, 120.0, 0.0, 0.0, 0.0, 1.0),
        Estimate("jit", "exposure_score_h", 10.0, 8.0, 12.0, -90.0, -100.0, -80.0, 0.1),
        Estimate("static_rbac", "latency_p95_s", 20.0, 19.0, 21.0, 0.0, 0.0, 0.0, 1.0),
        Estimate("jit", "latency_p95_s", 25.0, 24.0, 26.0, 5.0, 4.0, 6.0, 1.25),
    )


def test_numbers_are_formatted_one_way() -> None:
    assert [fmt(v) for v in (0.0, 0.004, 0.5, 12.345, 123.4, 12345.6, 7, math.nan, None)] == [
        "0", "0.0040", "0.50", "12.3", "123", "12,346", "7", "–", "–",
    ]  # fmt: skip
    assert (fmt(0.000031), fmt(-0.00000123), fmt_ratio(0.00005)) == ("0.000031", "-0.0000012", "×0.000050"), (
        "never 3.1e-05"
    )
    assert fmt_ratio(0.1234) == "×0.12" and fmt_ratio(math.nan) == "–"
    assert fmt_signed(2.5) == "+2.50" and fmt_signed(-2.5) == "-2.50"
    assert json_number(1 / 3) == 0.333333 and json_number(math.inf) is None and json_number(-0.0) == 0.0


def test_markdown_table_cells_cannot_break_the_table() -> None:
    data = ReportData(scenario=_info(), comparison=_estimates(), findings=(_finding(1),))
    text = render_markdown(data, figures=[])
    assert text.startswith("# Demo \\| with a pipe\n")
    assert "Secret key-00001 \\| is in &lt;config&gt;" in text
    assert "| jit | 10.0 ×0.10 | 25.0 ×1.25 |" in text


def test_large_finding_sets_are_summarised() -> None:
    findings = tuple(_finding(i) for i in range(MAX_DETAILED_FINDINGS + 50))
    data = ReportData(scenario=_info(), findings=(*findings, _finding(99999, suppressed=True)))
    text = render_markdown(data, figures=[])
    assert text.count("\n### WB104") == MAX_DETAILED_FINDINGS
    assert f"The {MAX_DETAILED_FINDINGS} most severe of {len(findings)} open findings follow" in text
    assert "| WB104 | Secret stored in agent config or code | high | 150 | 1 |" in text


def test_results_json_turns_compact_only_for_very_many_findings() -> None:
    few = results_json_text(ReportData(scenario=_info(), findings=(_finding(1),)))
    many = results_json_text(ReportData(scenario=_info(), findings=tuple(_finding(i) for i in range(PRETTY_LIMIT + 1))))
    assert few.startswith('{\n  "format_version": 1') and many.startswith('{"format_version":1')
    assert json.loads(many)["summary"]["total"] == PRETTY_LIMIT + 1


def test_index_links_every_scenario_in_name_order() -> None:
    reports = [
        ReportData(scenario=_info("zeta"), comparison=_estimates(), verdict=Verdict("winner", EXPOSURE, 2, "jit")),
        ReportData(scenario=_info("alpha", designs=(), baseline="")),
    ]
    index = render_reports(reports)["index.md"].decode()
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert [row.split("](")[1].split(")")[0] for row in rows] == ["alpha/report.md", "zeta/report.md"]
    assert "| jit | 10.0 ×0.10 | 25.0 ×1.25 | – |" in index, "the verdict's design, its exposure and latency"
    assert "| – | – | – | – |" in index, "no verdict, exposure, latency or sensitivity without a simulation"


def test_scenarios_with_the_same_name_are_refused() -> None:
    with pytest.raises(ValueError, match="share the name demo"):
        render_reports([ReportData(scenario=_info()), ReportData(scenario=_info())])


def test_gate_ignores_accepted_findings_and_lower_severities() -> None:
    findings = [_finding(1, "critical", suppressed=True), _finding(2, "high"), _finding(3, "medium")]
    assert [f.entity for f in blocking_findings(findings, "high")] == ["key-00002"]
    assert blocking_findings(findings, "critical") == []
    assert blocking_findings(findings, "none") == []
    assert len(blocking_findings(findings, "low")) == 2
