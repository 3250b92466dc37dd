"""What changed between two reports: new and resolved findings, and the change in blast radius, exposure
and p95 latency per design. This is the logic behind `workbench diff`; it compares results.json documents
(a scenario is first turned into one), so a pull request can be compared against a committed report.

Findings are matched by fingerprint, which ignores line numbers, so moving YAML around changes nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.escaping import json_safe, printable, quote
from workbench.findings.finding import SEVERITIES
from workbench.report.numbers import fmt, fmt_pct, json_number
from workbench.report.templating import md_cell
from workbench.sim.metrics import EXPOSURE, LATENCY_P95, metric

__all__ = [
    "DIFF_METRICS",
    "BlastChange",
    "FindingChange",
    "MetricChange",
    "ResultsDiff",
    "diff_results",
    "results_of",
]

TOTAL_BLAST_RADIUS = "blast_radius_total"
"""Sum over agents of the time-averaged blast radius under a design (results.json `blast_radius_by_design`)."""

DIFF_METRICS: tuple[str, ...] = (TOTAL_BLAST_RADIUS, EXPOSURE, LATENCY_P95)
"""Per-design metrics a diff reports and `--fail-on-regression` judges; for all of them lower is better."""


@dataclass(frozen=True)
class FindingChange:
    """A finding that appeared or went away, and why if it only changed acceptance."""

    fingerprint: str
    rule: str
    severity: str
    entity: str
    message: str
    note: str = ""


@dataclass(frozen=True)
class MetricChange:
    """One design's metric before and after; `change_pct` is None when either side is missing."""

    design: str
    metric: str
    base: float | None
    head: float | None

    @property
    def change_pct(self) -> float | None:
        if self.base is None or self.head is None:
            return None
        if self.base == 0:
            return 0.0 if self.head == 0 else math.copysign(math.inf, self.head)
        return 100.0 * (self.head - self.base) / abs(self.base)


@dataclass(frozen=True)
class BlastChange:
    """Static blast radius of one identity before and after (None where the identity does not exist)."""

    identity: str
    base: float | None
    head: float | None

    @property
    def change_pct(self) -> float | None:
        return MetricChange("", "", self.base, self.head).change_pct


@dataclass
class ResultsDiff:
    """Differences between a base and a head report of (usually) the same scenario."""

    base_name: str
    head_name: str
    new_findings: list[FindingChange] = field(default_factory=list)
    resolved_findings: list[FindingChange] = field(default_factory=list)
    metrics: list[MetricChange] = field(default_factory=list)
    blast_radius: list[BlastChange] = field(default_factory=list)

    def regressions(self, threshold_pct: float) -> list[MetricChange | BlastChange]:
        """Per-design metrics and identities' blast radii that grew by more than `threshold_pct` percent.

        An identity that is new in head counts as growing from zero; a design missing on one side does not.
        """
        worse: list[MetricChange | BlastChange] = []
        changes: list[MetricChange | BlastChange] = [*self.metrics, *self.blast_radius]
        for change in changes:
            base = 0.0 if isinstance(change, BlastChange) and change.base is None else change.base
            probe = MetricChange("", "", base, change.head).change_pct
            if probe is not None and probe > threshold_pct:
                worse.append(change)
        return worse

    def to_json(self) -> str:
        """The diff as JSON (numbers rounded like results.json)."""

        def rows(items: list[Any]) -> list[dict[str, Any]]:
            out = []
            for item in items:
                row = asdict(item)
                if hasattr(item, "change_pct"):
                    row["change_pct"] = json_number(item.change_pct)
                out.append({k: json_number(v) if isinstance(v, float) else v for k, v in row.items()})
            return out

        document = {
            "base": self.base_name,
            "head": self.head_name,
            "new_findings": rows(self.new_findings),
            "resolved_findings": rows(self.resolved_findings),
            "metrics": rows(self.metrics),
            "blast_radius": rows(self.blast_radius),
        }
        return json_safe(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"

    def to_markdown(self) -> str:
        """The diff as Markdown, for a terminal or a pull-request comment; scenario text is escaped."""
        lines = [f"# workbench diff: {md_cell(self.base_name)} → {md_cell(self.head_name)}", ""]
        for title, items in (("New findings", self.new_findings), ("Resolved findings", self.resolved_findings)):
            lines.append(f"## {title} ({len(items)})")
            lines.append("")
            if items:
                lines += ["| Rule | Severity | Entity | Message | Note |", "|---|---|---|---|---|"]
                lines += [
                    f"| {md_cell(f.rule)} | {md_cell(f.severity)} | {md_cell(f.entity)} | {md_cell(f.message)} "
                    f"| {md_cell(f.note)} |"
                    for f in items
                ]
            else:
                lines.append("None.")
            lines.append("")
        lines += ["## Per design", ""]
        if self.metrics:
            lines += ["| Design | Metric (unit) | Base | Head | Change (%) |", "|---|---|---:|---:|---:|"]
            for m in self.metrics:
                label = (
                    "Blast radius, sum over agents (score)"
                    if m.metric == TOTAL_BLAST_RADIUS
                    else metric(m.metric).heading
                )
                lines.append(
                    f"| {md_cell(m.design)} | {label} | {fmt(m.base)} | {fmt(m.head)} | {fmt_pct(m.change_pct)} |"
                )
        else:
            lines.append("No design was simulated on both sides.")
        lines += ["", "## Static blast radius (identities that changed)", ""]
        if self.blast_radius:
            lines += ["| Identity | Base (score) | Head (score) | Change (%) |", "|---|---:|---:|---:|"]
            lines += [
                f"| {md_cell(b.identity)} | {fmt(b.base)} | {fmt(b.head)} | {fmt_pct(b.change_pct)} |"
                for b in self.blast_radius
            ]
        else:
            lines.append("No change.")
        return "\n".join(lines) + "\n"


def _open_findings(document: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    open_: dict[str, dict[str, Any]] = {}
    accepted: dict[str, dict[str, Any]] = {}
    for finding in document.get("findings", []):
        (accepted if finding.get("suppressed") else open_)[finding["fingerprint"]] = finding
    return open_, accepted


def _change(finding: dict[str, Any], note: str = "") -> FindingChange:
    return FindingChange(
        fingerprint=finding["fingerprint"],
        rule=finding["rule"],
        severity=finding["severity"],
        entity=finding.get("entity", ""),
        message=finding.get("message", ""),
        note=note,
    )


def _design_metrics(document: dict[str, Any]) -> dict[tuple[str, str], float]:
    values: dict[tuple[str, str], float] = {}
    for row in document.get("comparison", []):
        if row["metric"] in DIFF_METRICS and row.get("mean") is not None:
            values[row["design"], row["metric"]] = float(row["mean"])
    for row in document.get("blast_radius_by_design", []):
        key = (row["design"], TOTAL_BLAST_RADIUS)
        values[key] = values.get(key, 0.0) + float(row["score"] or 0.0)
    return values


_SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}
"""Most severe first."""


def _sort_key(change: FindingChange) -> tuple[int, str, str, str]:
    rank = _SEVERITY_RANK.get(change.severity, len(_SEVERITY_RANK))
    return (rank, change.rule, change.entity, change.fingerprint)


def diff_results(base: dict[str, Any], head: dict[str, Any]) -> ResultsDiff:
    """Compare two results.json documents (see `results_json.results_document`)."""
    base_open, base_accepted = _open_findings(base)
    head_open, head_accepted = _open_findings(head)
    diff = ResultsDiff(base_name=base["scenario"]["name"], head_name=head["scenario"]["name"])
    diff.new_findings = sorted(
        (
            _change(f, "no longer accepted" if fp in base_accepted else "")
            for fp, f in head_open.items()
            if fp not in base_open
        ),
        key=_sort_key,
    )
    diff.resolved_findings = sorted(
        (
            _change(f, "now accepted" if fp in head_accepted else "")
            for fp, f in base_open.items()
            if fp not in head_open
        ),
        key=_sort_key,
    )
    base_metrics, head_metrics = _design_metrics(base), _design_metrics(head)
    designs = list(dict.fromkeys([*base["scenario"].get("designs", []), *head["scenario"].get("designs", [])]))
    for design in designs:
        for name in DIFF_METRICS:
            b, h = base_metrics.get((design, name)), head_metrics.get((design, name))
            if b is not None or h is not None:
                diff.metrics.append(MetricChange(design, name, b, h))
    base_blast = {row["identity"]: float(row["score"] or 0.0) for row in base.get("blast_radius", [])}
    head_blast = {row["identity"]: float(row["score"] or 0.0) for row in head.get("blast_radius", [])}
    for identity in sorted(base_blast.keys() | head_blast.keys()):
        b, h = base_blast.get(identity), head_blast.get(identity)
        if b != h:
            diff.blast_radius.append(BlastChange(identity, b, h))
    return diff


def results_of(
    path: str | Path,
    *,
    replications: int | None = None,
    root: str | Path = ".",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """A results.json document from either a results.json file or a scenario file (simulated here, each run
    reported to `progress(done, total)`)."""
    from workbench.model import load_scenario
    from workbench.report.assemble import collect
    from workbench.report.results_json import ResultsFormatError, read_results, results_document

    path = Path(path)
    if path.suffix == ".json":
        document = read_results(path)
        try:  # every field a diff reads, read once against itself: a malformed file is named here
            probe = diff_results(document, document)
            probe.to_markdown()
            probe.to_json()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
            raise ResultsFormatError(
                f"{quote(str(path))}: malformed results.json ({type(error).__name__}: {printable(error)})"
            ) from None
        return document
    return results_document(collect(load_scenario(path), replications=replications, root=root, progress=progress))
