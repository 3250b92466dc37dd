"""SARIF 2.1.0 for code scanning: one run per scenario, every finding a result on its YAML node.

Choices a CI reader relies on:
- URIs are relative to the repository root and carry `uriBaseId: SRCROOT`, so GitHub resolves them to files.
- `partialFingerprints` carry the finding's own fingerprint (rule, entity and path, never line numbers), so
  alerts survive unrelated edits above them instead of closing and reopening.
- Accepted risks are `suppressions` (kind `inSource`: the acceptance lives in the scenario file) with the
  justification, owner and expiry; an expired acceptance is no suppression (the finding fires again).
- Rules carry help text, tags and `properties.security-severity` (a string, as GitHub expects).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from workbench.report.data import FindingView, Hop, Location, ReportData, RuleView, Severity
from workbench.report.numbers import json_number, json_text

__all__ = ["FINGERPRINT_KEY", "SARIF_SCHEMA", "SARIF_VERSION", "URI_BASE_ID", "sarif_document", "sarif_text"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
URI_BASE_ID = "SRCROOT"
FINGERPRINT_KEY = "workbenchFinding/v1"

_LEVEL: dict[Severity, str] = {
    "critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note",
}  # fmt: skip


def _artifact(location: Location) -> dict[str, Any]:
    if location.uri.startswith("<"):  # a scenario built in memory has no file to point at
        return {"uri": quote(location.uri, safe="")}
    if location.uri.startswith("/"):  # outside the root: an absolute file URI, no base
        return {"uri": "file://" + quote(location.uri, safe="/")}
    return {"uri": quote(location.uri, safe="/"), "uriBaseId": URI_BASE_ID}


def _physical(location: Location) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(location),
            "region": {"startLine": max(location.line, 1), "startColumn": max(location.column, 1)},
        },
        "logicalLocations": [{"fullyQualifiedName": location.yaml_path or "$", "kind": "member"}],
    }


def _hop_text(hop: Hop) -> str:
    text = f"{hop.source} --{hop.kind}--> {hop.target}"
    return f"{text}: {hop.explanation}" if hop.explanation else text


def _rule(rule: RuleView) -> dict[str, Any]:
    tags = ["security", *(f"{ref.framework}:{ref.id}" for ref in rule.refs)]
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.help.split("\n\n", 1)[0] if rule.help else rule.title},
        "help": {"text": rule.help or rule.title, "markdown": rule.help or rule.title},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": _LEVEL[rule.severity],
            "security-severity": f"{rule.security_severity:.1f}",
        },
    }


def _result(finding: FindingView, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_physical(finding.location)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if finding.path:
        steps = []
        for hop in finding.path:
            step: dict[str, Any] = {"message": {"text": _hop_text(hop)}}
            if hop.location is not None:
                step = {**_physical(hop.location), **step}
            steps.append({"location": step})
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if finding.suppression is not None:
        suppression: dict[str, Any] = {
            "kind": "inSource",
            "status": "accepted",
            "justification": finding.suppression.justification,
            "properties": {"owner": finding.suppression.owner, "expires": finding.suppression.expires},
        }
        if finding.suppression.location is not None:
            suppression["location"] = _physical(finding.suppression.location)
        result["suppressions"] = [suppression]
    result["properties"] = {
        "entity": finding.entity,
        "severity": finding.severity,
        "security-severity": f"{finding.security_severity:.1f}",
        "evidence": {key: json_number(v) if isinstance(v, float) else v for key, v in finding.evidence},
        "remediation": finding.remediation,
        "refs": [f"{ref.framework}:{ref.id}" for ref in finding.refs],
    }
    return result


def sarif_document(data: ReportData) -> dict[str, Any]:
    """The SARIF log of a report: one run, every rule of the registry, every finding (suppressed too)."""
    rules = sorted(data.rules, key=lambda r: r.id)
    rule_index = {rule.id: i for i, rule in enumerate(rules)}
    info = data.scenario
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": "workbench", "rules": [_rule(rule) for rule in rules]}},
                "automationDetails": {"id": f"workbench/{info.name}/"},
                "originalUriBaseIds": {
                    URI_BASE_ID: {"description": {"text": "Root the scenario paths are relative to."}}
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index) for f in data.findings],
                "properties": {
                    "scenario": info.name,
                    "as_of": info.as_of,
                    "seed": info.seed,
                    "replications": info.replications,
                    "horizon_s": json_number(info.horizon_s),
                },
            }
        ],
    }


def sarif_text(data: ReportData) -> str:
    """findings.sarif as text: UTF-8, indented unless there are very many findings (see numbers.py)."""
    return json_text(sarif_document(data), items=len(data.findings))
