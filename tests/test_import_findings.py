"""Findings only an import can raise, located in the original inventory file (the line SARIF opens)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.findings import evaluate
from workbench.importers import import_aws_iam, import_mcp, read_configs, read_json
from workbench.model import load_scenario

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _by_rule(findings: list, rule_id: str) -> list:
    return [f for f in findings if f.rule_id == rule_id]


def _mcp_findings() -> list:
    return list(evaluate(import_mcp(read_configs([Path("tests/fixtures/mcp")]), as_of=AS_OF)))


def test_an_inline_key_is_found_at_the_line_of_the_config_that_holds_it() -> None:
    inline = _by_rule(_mcp_findings(), "WB120")
    assert sorted((f.entity_id, str(f.location)) for f in inline) == [
        ("secret:brave_api_key", "tests/fixtures/mcp/laptops/alice/claude_desktop_config.json:18:9"),
        ("secret:brave_api_key", "tests/fixtures/mcp/laptops/bob/.cursor/mcp.json:14:9"),
        ("secret:brave_api_key", "tests/fixtures/mcp/laptops/carol/.codeium/windsurf/mcp_config.json:7:9"),
        ("secret:database_url", "tests/fixtures/mcp/repos/payments/.mcp.json:8:9"),
        ("secret:database_url", "tests/fixtures/mcp/repos/reporting/.mcp.json:8:9"),
        ("secret:github_personal_access_token", "tests/fixtures/mcp/laptops/alice/claude_desktop_config.json:7:9"),
        ("secret:linear-authorization", "tests/fixtures/mcp/laptops/bob/.cursor/mcp.json:20:9"),
        ("secret:metrics-api_key", "tests/fixtures/mcp/repos/reporting/.mcp.json:23:7"),
        ("secret:notion-authorization", "tests/fixtures/mcp/repos/reporting/.mcp.json:18:9"),
    ]
    for finding in inline:  # the line holds the key; referenced secrets (${...}) are not inline
        line = Path(finding.location.file).read_text().splitlines()[finding.location.line - 1]
        assert line.strip().startswith('"') and "${" not in line and "EXAMPLE" in line


def test_one_key_in_three_configs_is_one_finding_naming_them() -> None:
    brave, database = _by_rule(_mcp_findings(), "WB121")
    assert brave.entity_id == "secret:brave_api_key" and brave.evidence["configs"] == 3
    # The DSN in payments' env block and on reporting's command line is one string: one shared secret.
    assert database.entity_id == "secret:database_url" and database.evidence["configs"] == 2


def test_remote_servers_with_static_headers_are_found_and_local_ones_are_not() -> None:
    static = _by_rule(_mcp_findings(), "WB122")
    assert sorted(f.entity_id for f in static) == ["mcp:docs-search", "mcp:linear", "mcp:sentry"]


def test_an_agent_service_role_allowed_everything_is_critical_at_its_policy() -> None:
    scenario = import_aws_iam(read_json("tests/fixtures/aws/account-authorization-details.json"), as_of=AS_OF)
    (found,) = _by_rule(list(evaluate(scenario)), "WB123")
    assert found.entity_id == "bedrock-agentcore:ops-agentcore-runtime" and found.severity == "critical"
    assert found.location.file == "tests/fixtures/aws/account-authorization-details.json"
    line = Path(found.location.file).read_text().splitlines()[found.location.line - 1]
    assert '"PolicyDocument"' in line


def test_sarif_points_code_scanning_at_the_config_file(tmp_path: Path) -> None:
    scenario = tmp_path / "estate.yaml"
    assert run(["import", "mcp", "tests/fixtures/mcp", "--as-of", "2026-12-01", "-o", str(scenario)]) == 0
    assert run(["report", str(scenario), "--out", str(tmp_path / "reports")]) == 0
    sarif = json.loads((tmp_path / "reports/imported-mcp/findings.sarif").read_text())
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "WB120"]
    where = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in results
    }  # fmt: skip
    assert ("tests/fixtures/mcp/repos/payments/.mcp.json", 8) in where
    # Every rule, not only the import rules: an MCP import holds nothing hand-written, so every result opens
    # a config file; the key held inline (WB104) opens the line of claude_desktop_config.json holding it.
    alice = "tests/fixtures/mcp/laptops/alice/claude_desktop_config.json"
    located = {}
    for result in sarif["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"].startswith("tests/fixtures/mcp/"), result["ruleId"]
        located.setdefault(result["ruleId"], set()).add(
            (physical["artifactLocation"]["uri"], physical["region"]["startLine"])
        )
        for step in result.get("codeFlows", [{"threadFlows": [{"locations": []}]}])[0]["threadFlows"][0]["locations"]:
            if "physicalLocation" in step["location"]:
                assert step["location"]["physicalLocation"]["artifactLocation"]["uri"].startswith("tests/fixtures/")
    assert len(located) > 5  # WB1xx hygiene and governance rules too
    assert (alice, 7) in located["WB104"]
    assert '"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_' in (REPO / alice).read_text().splitlines()[6]


def test_every_rule_locates_a_finding_on_an_imported_node_in_the_inventory_it_came_from(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "schema_version: 1\nname: mixed\nas_of: 2026-12-01\n"
        "agents:\n  - id: hand-written\n    credentials: [{secret: secret:brave_api_key, stored_in: code}]\n"
    )
    estate = tmp_path / "estate.yaml"
    assert run(["import", "mcp", "tests/fixtures/mcp", "--merge", str(overlay), "-o", str(estate)]) == 0
    scenario = load_scenario(estate)
    findings = list(evaluate(scenario))
    imported = [f for f in findings if f.entity_id != "hand-written"]
    assert imported and all(f.location.file.startswith("tests/fixtures/mcp/") for f in imported)
    # A finding inside an imported agent is at the key's own line, and keeps the scenario's YAML path.
    held = [f for f in findings if f.rule_id == "WB104" and f.location.pointer == "agents[0].credentials[0].stored_in"]
    assert [str(f.location) for f in held] == ["tests/fixtures/mcp/laptops/alice/claude_desktop_config.json:7:9"]
    # A hand-written agent is located in the scenario, whatever it refers to.
    own = [f for f in findings if f.entity_id == "hand-written"]
    assert own and all(f.location.file == str(estate) for f in own)
