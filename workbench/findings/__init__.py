"""Findings: rules over the access graph and simulation results, accepted risks, and governance views.

>>> from workbench.model import load_scenario
>>> from workbench.findings import evaluate
>>> findings = evaluate(load_scenario("scenarios/customer-support.yaml"))  # doctest: +SKIP
>>> [f.rule_id for f in findings.by_rule("WB112")]  # doctest: +SKIP
['WB112']
"""

from workbench.findings.evaluate import CHECKS, Check, evaluate
from workbench.findings.finding import (
    SECURITY_SEVERITY,
    SEVERITIES,
    EvidenceValue,
    Finding,
    FindingSet,
    Location,
    Severity,
    Suppression,
    fingerprint,
)
from workbench.findings.rules import RULES, Rule, rule

__all__ = [
    "CHECKS",
    "RULES",
    "SECURITY_SEVERITY",
    "SEVERITIES",
    "Check",
    "EvidenceValue",
    "Finding",
    "FindingSet",
    "Location",
    "Rule",
    "Severity",
    "Suppression",
    "evaluate",
    "fingerprint",
    "rule",
]
