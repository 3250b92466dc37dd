"""findings.sarif: valid SARIF 2.1.0 that code scanning can place, track across edits and suppress."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import reference_dir
from test_report_support import small_support, write_scenario

from workbench.frameworks import load_catalog
from workbench.generate import generate_organisation
from workbench.model import Scenario, load_scenario
from workbench.report import collect, sarif_document
from workbench.report import sarif as sarif_module
from workbench.report.data import FindingView, Location, ReportData, RuleView, ScenarioInfo


def _sarif(path: Path, root: Path) -> dict[str, Any]:
    return sarif_document(collect(load_scenario(path), replications=1, root=root))


def _accepting(**risk: str) -> dict[str, Any]:
    accepted = {"finding": "WB112", "entity": "support-agent", "owner": "sam"}
    return small_support(accepted_risks=[{**accepted, **risk}])


@pytest.fixture(scope="module")
def sarif(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("sarif")
    path = write_scenario(folder / "scenarios", _accepting(justification="Split planned for Q1", expires="2027-01-31"))
    return _sarif(path, folder)


def test_validates_against_the_sarif_schema(sarif: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    folder = reference_dir()
    schema_file = folder / "sarif-schema-2.1.0.json" if folder else None
    if schema_file is None or not schema_file.is_file():
        pytest.skip("sarif-schema-2.1.0.json is not available")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_results_point_at_the_yaml_node_relative_to_the_root(sarif: dict[str, Any]) -> None:
    run = sarif["runs"][0]
    assert "SRCROOT" in run["originalUriBaseIds"]
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "scenarios/scenario.yaml", "uriBaseId": "SRCROOT"}
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    trifecta = next(r for r in run["results"] if r["ruleId"] == "WB112")
    assert trifecta["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("agents[0]")


def test_rules_carry_help_and_security_severity(sarif: dict[str, Any]) -> None:
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for rule in rules:
        assert rule["help"]["text"] and rule["shortDescription"]["text"]
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
        assert "security" in rule["properties"]["tags"]
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_accepted_risks_are_suppressions_with_justification(sarif: dict[str, Any]) -> None:
    results = sarif["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["WB112"]
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == "Split planned for Q1"
    assert suppression["properties"] == {"owner": "sam", "expires": "2027-01-31"}
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] > 1


def test_expired_acceptance_is_a_finding_again(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, _accepting(justification="Lapsed", expires="2026-11-01"))
    results = _sarif(path, tmp_path)["runs"][0]["results"]
    trifecta = next(r for r in results if r["ruleId"] == "WB112")
    assert "suppressions" not in trifecta
    assert any(r["ruleId"] == "WB119" for r in results), "the lapsed acceptance is reported"


def test_partial_fingerprints_survive_an_unrelated_inserted_line(tmp_path: Path) -> None:
    document = small_support()
    before = write_scenario(tmp_path / "before", document)
    after = write_scenario(
        tmp_path / "after", document, edit=lambda text: text.replace("humans:\n", "# a new comment\nhumans:\n", 1)
    )

    def keyed(path: Path) -> dict[str, tuple[str, int]]:
        results = _sarif(path, path.parent)["runs"][0]["results"]
        return {
            r["partialFingerprints"]["workbenchFinding/v1"]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }

    old, new = keyed(before), keyed(after)
    assert old and old.keys() == new.keys(), "the same fingerprints"
    assert all(new[fp][1] == old[fp][1] + 1 for fp in old), "while every result moved one line down"


# -- GitHub code scanning's documented limits ---------------------------------------------------------------


def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    folder = reference_dir()
    schema_file = folder / "sarif-schema-2.1.0.json" if folder else None
    if schema_file is None or not schema_file.is_file():
        pytest.skip("sarif-schema-2.1.0.json is not available")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())


def _schema_errors(document: dict[str, Any]) -> list[str]:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]


def test_every_shipped_sarif_file_validates_and_keeps_within_github_limits(repo: Path) -> None:
    files = sorted((repo / "reports").glob("*/findings.sarif"))
    assert files
    for file in files:
        document = json.loads(file.read_text(encoding="utf-8"))
        assert _schema_errors(document) == [], file
        _assert_within_github_limits(document)


def _assert_within_github_limits(document: dict[str, Any]) -> None:
    assert len(document["runs"]) <= 20
    for run in document["runs"]:
        driver = run["tool"]["driver"]
        assert driver["version"] and driver["informationUri"].startswith("https://")
        rules = driver["rules"]
        assert len(rules) <= 25_000 and len(run["results"]) <= sarif_module.MAX_RESULTS <= 25_000
        names = [rule["name"] for rule in rules]
        assert len(set(names)) == len(names), "rule names are distinct"
        for rule in rules:
            assert len(rule["properties"]["tags"]) <= 10, rule["id"]
            assert rule["name"] != rule["id"] and re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", rule["name"]), rule["name"]
            assert rule["helpUri"].startswith("https://") and rule["help"]["markdown"]
        for result in run["results"]:
            rule = rules[result["ruleIndex"]]
            assert rule["id"] == result["ruleId"]
            if "security-severity" in result["properties"]:
                assert result["properties"]["security-severity"] == rule["properties"]["security-severity"]
            assert result["level"] == rule["defaultConfiguration"]["level"]


def test_rules_have_few_meaningful_tags_and_keep_every_framework_entry(sarif: dict[str, Any]) -> None:
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    trifecta = rules["WB112"]
    assert trifecta["name"] == "LethalTrifecta"
    tags = trifecta["properties"]["tags"]
    assert tags[0] == "security" and "ASI01" in tags and "mitre-atlas" in tags and len(tags) <= 10
    catalog = load_catalog()
    refs = catalog.refs_for("WB112")
    frameworks = trifecta["properties"]["frameworks"]
    assert sorted((key, i) for key, ids in frameworks.items() for i in ids) == sorted(
        (ref.framework, ref.id) for ref in refs
    )
    for ref in refs:  # MAESTRO publishes no ids: its entries are named, never cited by workbench's local key
        shown = ref.id if catalog.framework(ref.framework).official_ids else catalog.entry(ref.framework, ref.id).name
        assert shown and shown in trifecta["help"]["text"] and shown in trifecta["help"]["markdown"], ref
    assert trifecta["helpUri"].endswith("#wb112")


def test_a_downgraded_finding_has_a_rule_of_its_own_severity(tmp_path: Path) -> None:
    """WB110 is high when the delegate gains what the delegator lacks, medium when merely unscoped: GitHub reads
    the severity from the rule only, so the medium results get a WB110/medium descriptor."""
    document = small_support(
        delegations=[{"id": "d1", "delegator": "sam", "delegate": "support-agent", "attenuated": True}]
    )
    sarif = _sarif(write_scenario(tmp_path, document), tmp_path)
    assert _schema_errors(sarif) == []
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = [r for r in run["results"] if r["ruleId"].startswith("WB110")]
    rule = rules[result["ruleIndex"]]
    assert result["ruleId"] == rule["id"] == "WB110/medium"
    assert rule["properties"]["security-severity"] == result["properties"]["security-severity"] == "5.5"
    assert rule["name"] == "DelegationThatWidensScopeOrIsNotAttenuatedMedium"
    assert next(r for r in rules if r["id"] == "WB110")["properties"]["security-severity"] == "8.0"
    _assert_within_github_limits(sarif)


def _many(count: int) -> ReportData:
    rule = RuleView("WB101", "Over-privileged agent", "medium", 5.5, "Help.", description="d", remediation="r")
    critical = RuleView("WB112", "Lethal trifecta", "critical", 9.5, "Help.", description="d", remediation="r")
    where = Location("scenarios/org.yaml", 3, 5, "agents[0]")
    findings = [
        FindingView("WB112", "Lethal trifecta", "critical", 9.5, f"agent-{i}", "m", where, f"c{i:05d}")
        for i in range(3)
    ]
    findings += [
        FindingView("WB101", "Over-privileged agent", "medium", 5.5, f"agent-{i:05d}", "m", where, f"f{i:05d}")
        for i in range(count)
    ]
    info = ScenarioInfo("org", "Org", "", "2026-01-01", "scenarios/org.yaml", 1, 1, 3600.0, (), "")
    return ReportData(scenario=info, findings=tuple(findings), rules=(rule, critical))


def test_results_above_the_cap_fold_into_one_summary_per_rule_with_a_note() -> None:
    data = _many(sarif_module.MAX_RESULTS + 1000)
    document = sarif_document(data)
    assert _schema_errors(document) == []
    _assert_within_github_limits(document)
    run = document["runs"][0]
    results = run["results"]
    assert len(results) == sarif_module.MAX_RESULTS
    assert [r["ruleId"] for r in results[:3]] == ["WB112"] * 3, "the most severe are listed first"
    summary = results[-1]
    listed = sum(1 for r in results if r["ruleId"] == "WB101") - 1
    assert summary["properties"]["summarises"] == len(data.findings) - 3 - listed
    assert "not listed one by one" in summary["message"]["text"]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert f"{len(data.findings):,} findings" in note["message"]["text"]
    assert run["properties"]["findings"] == len(data.findings)


def test_below_the_cap_every_finding_is_a_result_and_no_note() -> None:
    run = sarif_document(_many(10))["runs"][0]
    assert len(run["results"]) == 13 and "invocations" not in run


@pytest.mark.slow
def test_a_1000_agent_organisation_stays_within_github_limits() -> None:
    document = generate_organisation(1000, seed=7)
    document["controls"] = []  # the findings are the point; the simulation would only take time
    data = collect(Scenario.model_validate(document), replications=1)
    assert len(data.findings) > 25_000, "the organisation is big enough to test the cap"
    sarif = sarif_document(data)
    assert _schema_errors(sarif) == []
    _assert_within_github_limits(sarif)
