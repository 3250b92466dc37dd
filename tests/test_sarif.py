"""findings.sarif: valid SARIF 2.1.0 that code scanning can place, track across edits and suppress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import reference_dir
from test_report_support import small_support, write_scenario

from workbench.model import load_scenario
from workbench.report import collect, sarif_document


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
