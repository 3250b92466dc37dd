"""SARIF 2.1.0 for code scanning: one run per scenario, every finding a result on its YAML node.

Choices a CI reader relies on:
- URIs are relative to the repository root and carry `uriBaseId: SRCROOT`, so GitHub resolves them to files.
- `partialFingerprints` carry the finding's own fingerprint (rule, entity and path, never line numbers), so
  alerts survive unrelated edits above them instead of closing and reopening.
- Accepted risks are `suppressions` (kind `inSource`: the acceptance lives in the scenario file) with the
  justification, owner and expiry; an expired acceptance is no suppression (the finding fires again).
- Rules stay inside GitHub code scanning's documented limits: at most `MAX_RULE_TAGS` tags (GitHub rejects
  more than 20 and shows 10), every framework entry in `properties.frameworks` and in the help text instead,
  a PascalCase `name` distinct from the id, `help` and `helpUri`.
- A rule's `security-severity` (the only one GitHub reads) is the severity of its results: a rule whose
  findings come in a lower severity than its default (WB110) gets a descriptor per severity, `WB110/medium`.
- At most `MAX_RESULTS` results per run (GitHub rejects more than 25,000 and shows only the top 5,000): above
  that the most severe open findings are listed one by one and the rest of each rule become one summary
  result, and a run notification says how many were folded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from workbench import __version__
from workbench.escaping import markdown
from workbench.report.data import SEVERITIES, FindingView, Hop, Location, ReportData, RuleView, Severity
from workbench.report.numbers import json_number, json_text

__all__ = [
    "FINGERPRINT_KEY",
    "HOME_URL",
    "MAX_RESULTS",
    "MAX_RULE_TAGS",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "URI_BASE_ID",
    "rule_name",
    "sarif_document",
    "sarif_text",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
URI_BASE_ID = "SRCROOT"
FINGERPRINT_KEY = "workbenchFinding/v1"

HOME_URL = "https://github.com/workbench/workbench"
"""Where workbench is published: the SARIF tool's `informationUri`; rules' `helpUri` point into its docs."""

RULES_HELP_URL = HOME_URL + "/blob/main/docs/framework-mapping.md"
"""The generated rule table (docs/framework-mapping.md), one anchor per rule id."""

MAX_RULE_TAGS = 10
"""Tags per rule: GitHub rejects a rule with more than 20 and keeps only the first 10."""

MAX_RESULTS = 5000
"""Results per run: GitHub rejects a run with more than 25,000 and stores only the 5,000 most severe."""

_FRAMEWORK_TAGS: dict[str, str] = {
    "owasp_agentic_top10_2026": "owasp-agentic-top10",
    "owasp_nhi_top10_2025": "owasp-nhi-top10",
    "owasp_llm_top10_2025": "owasp-llm-top10",
    "mitre_atlas": "mitre-atlas",
    "csa_maestro": "csa-maestro",
    "owasp_agentic_threats_mitigations": "owasp-agentic-threats",
    "nist_ai_rmf_1_0": "nist-ai-rmf",
    "nist_sp_800_53_r5": "nist-800-53",
}
"""Tag per framework a rule maps to, in the order tags are kept (the short top-10 lists first)."""

_ID_TAGGED = ("owasp_agentic_top10_2026", "owasp_nhi_top10_2025", "owasp_llm_top10_2025")
"""Frameworks whose entry ids are themselves tags (`ASI03`): short lists a reader filters alerts by."""

_LEVEL: dict[Severity, str] = {
    "critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note",
}  # fmt: skip


def rule_name(title: str) -> str:
    """A rule's title as the PascalCase identifier SARIF's `name` wants.

    >>> rule_name("Over-privileged agent"), rule_name("Confused deputy through a tool's own credential")
    ('OverPrivilegedAgent', 'ConfusedDeputyThroughAToolsOwnCredential')
    """
    words = re.split(r"[^0-9A-Za-z]+", re.sub(r"['’]", "", title))
    return "".join(word[:1].upper() + word[1:] for word in words if word)


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


def _tags(rule: RuleView) -> list[str]:
    tags = ["security"]
    frameworks = {ref.framework for ref in rule.refs}
    for key in _ID_TAGGED:
        tags += [ref.id for ref in rule.refs if ref.framework == key and ref.id not in tags]
    tags += [tag for key, tag in _FRAMEWORK_TAGS.items() if key in frameworks]
    return tags[:MAX_RULE_TAGS]


def _help_markdown(rule: RuleView) -> str:
    lines = [markdown(rule.description or rule.title)]
    if rule.remediation:
        lines += ["", f"**Remediation.** {markdown(rule.remediation)}"]
    if rule.refs:
        lines += ["", "**Framework entries** (a workbench judgement, not part of any standard):", ""]
        lines += [f"- {markdown(ref.framework_name)}: {markdown(ref.label)}" for ref in rule.refs]
    return "\n".join(lines)


def _rule(rule: RuleView, severity: Severity, security_severity: float) -> dict[str, Any]:
    """The descriptor of `rule` for its results of `severity` (a variant id when it is not the default)."""
    variant = severity != rule.severity
    frameworks: dict[str, list[str]] = {}
    for ref in rule.refs:
        frameworks.setdefault(ref.framework, []).append(ref.id)
    return {
        "id": f"{rule.id}/{severity}" if variant else rule.id,
        "name": rule_name(rule.title) + (severity.capitalize() if variant else ""),
        "shortDescription": {"text": rule.title + (f" ({severity})" if variant else "")},
        "fullDescription": {"text": rule.help.split("\n\n", 1)[0] if rule.help else rule.title},
        "help": {"text": rule.help or rule.title, "markdown": _help_markdown(rule)},
        "helpUri": f"{RULES_HELP_URL}#{rule.id.lower()}",
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {
            "tags": _tags(rule),
            "precision": "high",
            "problem.severity": _LEVEL[severity],
            "security-severity": f"{security_severity:.1f}",
            "frameworks": frameworks,
        },
    }


def _result(finding: FindingView, descriptors: _Descriptors) -> dict[str, Any]:
    result: dict[str, Any] = {
        **descriptors.reference(finding),
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_physical(finding.location)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
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


class _Descriptors:
    """Every rule of the registry at its default severity, plus a variant per other severity its results use."""

    def __init__(self, data: ReportData) -> None:
        by_id = {rule.id: rule for rule in data.rules}
        wanted = {(rule.id, rule.severity): rule.security_severity for rule in data.rules}
        for f in data.findings:
            if f.rule in by_id:
                wanted.setdefault((f.rule, f.severity), f.security_severity)
        order = sorted(wanted, key=lambda pair: (pair[0], pair[1] != by_id[pair[0]].severity, pair[1]))
        self.rules = [_rule(by_id[r], severity, wanted[r, severity]) for r, severity in order]
        self._index = {pair: i for i, pair in enumerate(order)}

    def reference(self, finding: FindingView) -> dict[str, Any]:
        """`ruleId` and `ruleIndex` of the descriptor for the finding's rule at the finding's severity."""
        index = self._index.get((finding.rule, finding.severity))
        if index is None:  # a rule the registry does not know (a hand-built report): no descriptor to name
            return {"ruleId": finding.rule}
        return {"ruleId": self.rules[index]["id"], "ruleIndex": index}


def _capped(findings: Sequence[FindingView]) -> tuple[list[FindingView], list[tuple[FindingView, int]]]:
    """The findings listed one by one, and per (rule, severity) left over its most severe finding and count.

    Open findings come before accepted ones, each most severe first; the left-overs of each rule become one
    summary result, and the listed findings shrink until listed + summaries fit in `MAX_RESULTS`.
    """
    if len(findings) <= MAX_RESULTS:
        return list(findings), []
    ranked = sorted(
        findings, key=lambda f: (f.suppressed, -SEVERITIES.index(f.severity), f.rule, f.entity, f.fingerprint)
    )
    keep = MAX_RESULTS
    while True:
        rest = ranked[keep:]
        groups = Counter((f.rule, f.severity) for f in rest)
        if keep + len(groups) <= MAX_RESULTS:
            break
        keep = MAX_RESULTS - len(groups)
    first: dict[tuple[str, Severity], FindingView] = {}
    for finding in rest:
        first.setdefault((finding.rule, finding.severity), finding)
    return ranked[:keep], [(first[key], groups[key]) for key in sorted(groups, key=lambda k: ranked.index(first[k]))]


def _summary(finding: FindingView, count: int, descriptors: _Descriptors, scenario: str) -> dict[str, Any]:
    """One result standing for `count` findings of a rule not listed one by one, at the scenario file."""
    result: dict[str, Any] = {
        **descriptors.reference(finding),
        "level": _LEVEL[finding.severity],
        "message": {
            "text": f"{count:,} more {finding.severity} findings of {finding.rule} ({finding.title}) are not "
            f"listed one by one, to stay within GitHub code scanning's limit of results per run; results.json "
            f"lists every one."
        },
        "locations": [_physical(Location(finding.location.uri, 1, 1, ""))],
        "partialFingerprints": {FINGERPRINT_KEY: f"{finding.rule}/{finding.severity}/more/{scenario}"},
        "properties": {"summarises": count, "severity": finding.severity},
    }
    return result


def sarif_document(data: ReportData) -> dict[str, Any]:
    """The SARIF log of a report: one run, every rule of the registry, the findings (suppressed too).

    Above `MAX_RESULTS` findings the least severe are folded into one summary result per rule and severity,
    and the run's notifications say so.
    """
    descriptors = _Descriptors(data)
    info = data.scenario
    listed, folded = _capped(data.findings)
    results = [_result(f, descriptors) for f in listed]
    results += [_summary(f, count, descriptors, info.name) for f, count in folded]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "workbench",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOME_URL,
                "rules": descriptors.rules,
            }
        },
        "automationDetails": {"id": f"workbench/{info.name}/"},
        "originalUriBaseIds": {URI_BASE_ID: {"description": {"text": "Root the scenario paths are relative to."}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "scenario": info.name,
            "as_of": info.as_of,
            "seed": info.seed,
            "replications": info.replications,
            "horizon_s": json_number(info.horizon_s),
            "findings": len(data.findings),
            "results_listed": len(listed),
        },
    }
    if folded:
        omitted = sum(count for _f, count in folded)
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "descriptor": {"id": "WB-SARIF-CAP"},
                        "message": {
                            "text": f"{len(data.findings):,} findings: the {len(listed):,} most severe are listed "
                            f"one by one and the other {omitted:,} are folded into {len(folded)} summary "
                            f"results (one per rule and severity), because GitHub code scanning rejects more "
                            f"than 25,000 results per run and shows only 5,000. results.json lists all."
                        },
                    }
                ],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def sarif_text(data: ReportData) -> str:
    """findings.sarif as text: UTF-8, indented unless there are very many findings (see numbers.py)."""
    return json_text(sarif_document(data), items=len(data.findings))
