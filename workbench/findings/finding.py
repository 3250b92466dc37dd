"""What a finding is: rule, severity, the entity and YAML node it is about, evidence, path, refs, suppression.

Findings are plain frozen records so that reports (Markdown, HTML, JSON, SARIF) render them without knowing
how they were found. A finding's `fingerprint` hashes only what identifies it (rule, entity and the stable
discriminating ids the rule names), never line numbers or scores, so it survives unrelated edits and lets a
baseline recognise the same finding in the next run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.frameworks import FrameworkRef
from workbench.graph.vocabulary import Hop

__all__ = [
    "SECURITY_SEVERITY",
    "SEVERITIES",
    "EvidenceValue",
    "Finding",
    "FindingSet",
    "Location",
    "Severity",
    "Suppression",
    "fingerprint",
]

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")
"""Severities from least to most severe."""

SECURITY_SEVERITY: Mapping[Severity, float] = {
    "info": 0.0,
    "low": 2.0,
    "medium": 5.5,
    "high": 8.0,
    "critical": 9.5,
}
"""SARIF `security-severity` of each level: inside GitHub's bands (low 0.1-3.9, medium 4-6.9, high 7-8.9,
critical 9-10), so code-scanning shows the same level the report does."""

EvidenceValue = str | int | float | bool
"""Evidence is flat scalars; lists are written `action:resource` joined by spaces, as the records do."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: file, line and column of the scenario's YAML node, or of the inventory node an
    imported entity was read from (then `file` is the inventory); `yaml_path` is the scenario node's either way."""

    file: str
    line: int
    column: int
    yaml_path: tuple[str | int, ...] = ()

    @property
    def pointer(self) -> str:
        """The YAML path written `agents[0].credentials[1]`, as scenario errors write it."""
        parts: list[str] = []
        for part in self.yaml_path:
            parts.append(f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else part))
        return "".join(parts)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Suppression:
    """The accepted risk that suppresses a finding: why, who accepted it and until when."""

    justification: str
    owner: str
    expires: str  # ISO date
    yaml_path: tuple[str | int, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing on one entity of a scenario."""

    rule_id: str
    title: str
    severity: Severity
    entity_id: str
    entity_kind: str
    message: str
    location: Location
    remediation: str
    fingerprint: str
    evidence: Mapping[str, EvidenceValue] = field(default_factory=dict, hash=False)
    path: tuple[Hop, ...] = ()
    refs: tuple[FrameworkRef, ...] = ()
    suppression: Suppression | None = None

    @property
    def security_severity(self) -> float:
        """Numeric severity 0-10 for SARIF's `security-severity` property."""
        return SECURITY_SEVERITY[self.severity]

    @property
    def suppressed(self) -> bool:
        """True if a live accepted risk covers the finding."""
        return self.suppression is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, keys in a fixed order, for the JSON report and templates."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "security_severity": self.security_severity,
            "entity_id": self.entity_id,
            "entity_kind": self.entity_kind,
            "message": self.message,
            "evidence": dict(self.evidence),
            "path": [list(hop) for hop in self.path],
            "location": {
                "file": self.location.file,
                "line": self.location.line,
                "column": self.location.column,
                "yaml_path": self.location.pointer,
            },
            "remediation": self.remediation,
            "refs": [str(ref) for ref in self.refs],
            "fingerprint": self.fingerprint,
            "suppression": None
            if self.suppression is None
            else {
                "justification": self.suppression.justification,
                "owner": self.suppression.owner,
                "expires": self.suppression.expires,
            },
        }


def fingerprint(rule_id: str, entity_id: str, key: Mapping[str, str] | None = None) -> str:
    """Stable id of a finding: a hash of the rule, the entity and the rule's discriminating ids.

    >>> fingerprint("WB102", "bot", {"secret": "key"}) == fingerprint("WB102", "bot", {"secret": "key"})
    True
    """
    payload = json.dumps([rule_id, entity_id, sorted((key or {}).items())], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return (-SEVERITIES.index(finding.severity), finding.rule_id, finding.entity_id, finding.fingerprint)


@dataclass(frozen=True)
class FindingSet(Sequence[Finding]):
    """The findings of one evaluation, most severe first, then by rule, entity and fingerprint."""

    scenario: str
    findings: tuple[Finding, ...] = ()
    rules_run: tuple[str, ...] = ()

    @classmethod
    def of(cls, scenario: str, findings: Iterable[Finding], rules_run: Iterable[str] = ()) -> FindingSet:
        """A set in canonical order, whatever order the findings were raised in."""
        return cls(scenario, tuple(sorted(findings, key=_order)), tuple(sorted(rules_run)))

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: int) -> Finding:  # type: ignore[override]
        return self.findings[index]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings not covered by a live accepted risk: what gates a build."""
        return tuple(f for f in self.findings if f.suppression is None)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        """Findings a live accepted risk covers; kept so reports can show what was accepted."""
        return tuple(f for f in self.findings if f.suppression is not None)

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        """Findings of one rule."""
        return tuple(f for f in self.findings if f.rule_id == rule_id)

    @property
    def rule_ids(self) -> list[str]:
        """Ids of the rules that fired, sorted."""
        return sorted({f.rule_id for f in self.findings})

    def counts(self, *, include_suppressed: bool = False) -> dict[Severity, int]:
        """Number of findings per severity, most severe first, every level present."""
        counted = Counter(f.severity for f in (self.findings if include_suppressed else self.active))
        return {level: counted.get(level, 0) for level in reversed(SEVERITIES)}

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per finding (evidence and path as text), so `pd.DataFrame(records)` just works."""
        return [
            {
                "scenario": self.scenario,
                "rule_id": f.rule_id,
                "severity": f.severity,
                "security_severity": f.security_severity,
                "entity_id": f.entity_id,
                "entity_kind": f.entity_kind,
                "message": f.message,
                "file": f.location.file,
                "line": f.location.line,
                "column": f.location.column,
                "yaml_path": f.location.pointer,
                "path": " ".join(f"{h.source}-{h.kind}->{h.target}" for h in f.path),
                "refs": " ".join(str(r) for r in f.refs),
                "fingerprint": f.fingerprint,
                "suppressed": f.suppressed,
            }
            for f in self.findings
        ]
