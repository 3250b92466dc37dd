"""`workbench diff`: new and resolved findings by fingerprint, per-design changes, and the regression gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_report_support import cli, small_support, write_scenario

from workbench.report.diff import MetricChange, ResultsDiff, diff_results, results_of


def _head() -> dict[str, Any]:
    """The base scenario, hand-edited: audit logging switched off (a new finding), the mailer key rotated
    monthly (a resolved one) and the agent's role allowed to delete tickets (a bigger blast radius)."""
    document = small_support()
    document["agents"][0]["audit_logging"] = False
    key = next(s for s in document["secrets"] if s["id"] == "mailer-api-key")
    key["lifetime"], key["rotation"] = "30d", "30d"
    role = next(r for r in document["roles"] if r["id"] == "support-agent-role")
    role["permissions"].append({"action": "delete", "resource": "tickets"})
    return document


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pair")
    return write_scenario(folder, small_support(), name="base.yaml"), write_scenario(folder, _head(), name="head.yaml")


@pytest.fixture(scope="module")
def results(pair: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Each side simulated once, as results.json files: the CLI tests below compare those instead of
    simulating both scenarios again per test (scenario files as input are tested above)."""
    folder = tmp_path_factory.mktemp("results")
    written = []
    for scenario in pair:
        target = folder / f"{scenario.stem}.json"
        target.write_text(json.dumps(results_of(scenario, root=scenario.parent)))
        written.append(target)
    return written[0], written[1]


def _diff_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = cli(["diff", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_shows_new_and_resolved_findings(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, diff = _diff_json(capsys, str(pair[0]), str(pair[1]))
    assert code == 0
    assert [(f["rule"], f["entity"]) for f in diff["new_findings"]] == [("WB115", "support-agent")]
    assert ("WB103", "mailer-api-key") in [(f["rule"], f["entity"]) for f in diff["resolved_findings"]]
    (agent,) = [b for b in diff["blast_radius"] if b["identity"] == "support-agent"]
    assert agent["head"] > agent["base"]
    designs = {m["design"] for m in diff["metrics"]}
    assert designs == {"static_rbac", "rbac_step_up", "jit", "intent_aware_jit", "cedar"}
    assert {m["metric"] for m in diff["metrics"]} == {"blast_radius_total", "exposure_score_h", "latency_p95_s"}


@pytest.mark.slow
def test_against_a_previous_results_json(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["report", str(pair[0]), "--out", str(tmp_path), "--root", str(pair[0].parent)]) == 0
    capsys.readouterr()
    code, diff = _diff_json(capsys, str(tmp_path / "customer-support" / "results.json"), str(pair[1]))
    assert code == 0
    assert [f["rule"] for f in diff["new_findings"]] == ["WB115"]


def test_markdown_output(results: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["diff", str(results[0]), str(results[1])]) == 0
    text = capsys.readouterr().out
    assert "## New findings (1)" in text and "| WB115 |" in text
    assert "## Per design" in text and "| static_rbac | Exposure (score-h) |" in text


@pytest.mark.parametrize(("args", "code"), [(["--fail-on-regression", "1"], 1), (["--fail-on-regression", "50"], 0)])
def test_fail_on_regression(results: tuple[Path, Path], args: list[str], code: int) -> None:
    # delete on tickets grows support-agent's blast radius, and static RBAC's exposure, by about 2%
    assert cli(["diff", str(results[0]), str(results[1]), *args]) == code


@pytest.mark.parametrize(("level", "code"), [("medium", 1), ("high", 0)])
def test_fail_on_new(results: tuple[Path, Path], level: str, code: int) -> None:
    assert cli(["diff", str(results[0]), str(results[1]), "--fail-on-new", level]) == code  # WB115 is medium


def test_same_scenario_shows_no_change(results: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, diff = _diff_json(capsys, str(results[0]), str(results[0]), "--fail-on-regression", "0")
    assert code == 0
    assert diff["new_findings"] == diff["resolved_findings"] == diff["blast_radius"] == []
    assert all(m["change_pct"] == 0 for m in diff["metrics"])


def test_acceptance_changes_are_noted() -> None:
    finding = {"fingerprint": "f1", "rule": "WB104", "severity": "high", "entity": "key", "message": "m"}
    scenario = {"name": "s", "designs": []}
    base = {"scenario": scenario, "findings": [{**finding, "suppressed": False}]}
    head = {"scenario": scenario, "findings": [{**finding, "suppressed": True}]}
    forward = diff_results(base, head)
    assert forward.new_findings == [] and [f.note for f in forward.resolved_findings] == ["now accepted"]
    backward = diff_results(head, base)
    assert [f.note for f in backward.new_findings] == ["no longer accepted"]


def test_regressions_judge_growth_only() -> None:
    diff = ResultsDiff(
        "a",
        "b",
        metrics=[
            MetricChange("jit", "exposure_score_h", 100.0, 111.0),
            MetricChange("jit", "latency_p95_s", 10.0, 5.0),
            MetricChange("cedar", "exposure_score_h", 0.0, 1.0),
            MetricChange("new", "exposure_score_h", None, 50.0),
        ],
    )
    assert [(m.design, m.metric) for m in diff.regressions(10.0)] == [
        ("jit", "exposure_score_h"),
        ("cedar", "exposure_score_h"),
    ]
