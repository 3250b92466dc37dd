"""results.json: a report's numbers and findings in a versioned, documented, machine-readable form.

It is what `workbench diff` compares against, and what dashboards read; docs/results-json.md documents every
field. Bump `FORMAT_VERSION` on any change a reader could trip over (renamed or removed fields, changed
meaning); adding a field is not such a change.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.escaping import quote
from workbench.model.yaml_safe import FileProblem, read_limited
from workbench.report.data import SEVERITIES, FindingView, Hop, Location, ReportData
from workbench.report.numbers import json_number, json_text
from workbench.sim.metrics import metric

__all__ = ["FORMAT_VERSION", "ResultsFormatError", "read_results", "results_document", "results_json_text"]

FORMAT_VERSION = 1
MAX_RESULTS_BYTES = 512 * 1024 * 1024
"""Largest results.json `read_results` reads (the shipped reports' are under 1 MB)."""


class ResultsFormatError(WorkbenchError):
    """A file given as results.json is not one this workbench can read."""


def _generator() -> str:
    try:
        return f"workbench {version('workbench')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "workbench"


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"uri": location.uri, "line": location.line, "column": location.column, "yaml_path": location.yaml_path}


def _hop(hop: Hop) -> dict[str, Any]:
    return {"source": hop.source, "kind": hop.kind, "target": hop.target, "explanation": hop.explanation}


def _scalar(value: object) -> object:
    return json_number(value) if isinstance(value, float) else value


def _finding(finding: FindingView) -> dict[str, Any]:
    suppression = None if finding.suppression is None else asdict(finding.suppression)
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "title": finding.title,
        "severity": finding.severity,
        "security_severity": json_number(finding.security_severity),
        "entity": finding.entity,
        "message": finding.message,
        "location": _location(finding.location),
        "evidence": {key: _scalar(value) for key, value in finding.evidence},
        "path": [_hop(hop) for hop in finding.path],
        "remediation": finding.remediation,
        "refs": [f"{ref.framework}:{ref.id}" for ref in finding.refs],
        "suppressed": finding.suppressed,
        "suppression": suppression,
    }


def _verdict(data: ReportData) -> dict[str, Any] | None:
    """The verdict with what it was judged against; derived answers (tied, runner-up, most sensitive) are
    written out so an index can be rebuilt from results.json alone."""
    verdict = data.verdict
    if verdict is None:
        return None
    worst = verdict.most_sensitive
    return {
        "status": verdict.status,
        "design": verdict.design,
        "objective": verdict.objective,
        "replications": verdict.replications,
        "budget": [
            {"limit": field, "metric": name, "value": json_number(v)} for field, name, v in data.scenario.budget
        ],
        "eligible": list(verdict.eligible),
        "tied": list(verdict.tied),
        "runner_up": verdict.runner_up,
        "leader": {
            "mean": json_number(verdict.leader_mean),
            "ci_low": json_number(verdict.leader_ci_low),
            "ci_high": json_number(verdict.leader_ci_high),
        },
        "breaches": [
            {"design": b.design, "metric": b.metric, "limit": json_number(b.limit), "mean": json_number(b.mean)}
            for b in verdict.breaches
        ],
        "contrasts": [
            {
                "design": c.design,
                "mean": json_number(c.mean),
                "diff": json_number(c.diff),
                "diff_ci_low": json_number(c.diff_ci_low),
                "diff_ci_high": json_number(c.diff_ci_high),
                "separated": c.separated,
            }
            for c in verdict.contrasts
        ],
        "sensitivity": {
            "replications": verdict.sensitivity_replications,
            "rows": [
                {
                    "parameter": r.parameter,
                    "factor": json_number(r.factor),
                    "leader_mean": json_number(r.leader_mean),
                    "runner_up_mean": json_number(r.runner_up_mean),
                    "gap": json_number(r.gap),
                    "base_gap": json_number(r.base_gap),
                    "flips": r.flips,
                }
                for r in verdict.sensitivity
            ],
            "most_sensitive": None
            if worst is None
            else {"parameter": worst.parameter, "factor": json_number(worst.factor), "flips": worst.flips},
        },
    }


def results_document(data: ReportData) -> dict[str, Any]:
    """The results.json object of a report, keys in a fixed order, floats rounded (see numbers.py)."""
    info = data.scenario
    by_severity = {
        severity: sum(1 for f in data.findings if f.severity == severity and not f.suppressed)
        for severity in reversed(SEVERITIES)
    }
    dist = data.distributions
    return {
        "format_version": FORMAT_VERSION,
        "generator": _generator(),
        "scenario": {
            "name": info.name,
            "title": info.title,
            "description": info.description,
            "as_of": info.as_of,
            "source": info.source,
            "seed": info.seed,
            "replications": info.replications,
            "horizon_s": json_number(info.horizon_s),
            "designs": list(info.designs),
            "baseline": info.baseline,
        },
        "verdict": _verdict(data),
        "summary": {
            "findings": by_severity,
            "suppressed": sum(1 for f in data.findings if f.suppressed),
            "total": len(data.findings),
        },
        "comparison": [
            {
                "design": row.design,
                "metric": row.metric,
                "unit": metric(row.metric).unit,
                "mean": json_number(row.mean),
                "ci_low": json_number(row.ci_low),
                "ci_high": json_number(row.ci_high),
                "diff": json_number(row.diff),
                "diff_ci_low": json_number(row.diff_ci_low),
                "diff_ci_high": json_number(row.diff_ci_high),
                "ratio": json_number(row.ratio),
            }
            for row in data.comparison
        ],
        "blast_radius": [
            {
                "identity": row.identity,
                "kind": row.kind,
                "permissions": row.permissions,
                "assets": row.assets,
                "score": json_number(row.score),
            }
            for row in data.blast_radius
        ],
        "blast_radius_by_design": [
            {"agent": row.agent, "design": row.design, "score": json_number(row.score)} for row in data.blast_by_design
        ],
        "distributions": {
            "percentiles": [json_number(p) for p in dist.percentiles],
            "latency_s": {d: [json_number(v) for v in values] for d, values in dist.latency_s.items()},
            "times_h": [json_number(t) for t in dist.times_h],
            "exposure_score_h": {d: [json_number(v) for v in values] for d, values in dist.exposure_score_h.items()},
        },
        "findings": [_finding(f) for f in data.findings],
        "coverage": [
            {
                "framework": fw.key,
                "name": fw.name,
                "version": fw.version,
                "entries_total": fw.total_entries,
                "entries": [{"id": e.id, "label": e.label, "rules": list(e.rules)} for e in fw.entries],
            }
            for fw in data.coverage
        ],
        "governance": [
            {
                "agent": g.agent,
                "name": g.name,
                "capabilities": {
                    "columns": list(g.capabilities.columns),
                    "rows": [list(r) for r in g.capabilities.rows],
                },
                "iga": [{"question": q, "answer": a} for q, a in g.iga],
            }
            for g in data.governance
        ],
        "attack_paths": [
            {
                "source": p.source,
                "target": p.target,
                "score": json_number(p.score),
                "hops": [_hop(hop) for hop in p.hops],
            }
            for p in data.attack_paths
        ],
    }


def results_json_text(data: ReportData) -> str:
    """results.json as text: UTF-8, no NaN, indented unless there are very many findings (see numbers.py)."""
    return json_text(results_document(data), items=len(data.findings))


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results.json written by `workbench report`; refuse other formats and versions clearly."""
    path = Path(path)
    try:  # a regular file of bounded size only: not a FIFO (which would hang) nor /dev/zero
        document = json.loads(read_limited(path, MAX_RESULTS_BYTES).decode("utf-8"))
    except FileProblem as problem:
        raise ResultsFormatError(f"{quote(str(path))}: cannot read results.json: {problem.message}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsFormatError(f"{quote(str(path))}: cannot read results.json: {error}") from None
    except RecursionError:
        raise ResultsFormatError(f"{quote(str(path))}: cannot read results.json: nested too deeply") from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise ResultsFormatError(f"{quote(str(path))}: not a workbench results.json (no 'format_version')")
    if document["format_version"] != FORMAT_VERSION:
        raise ResultsFormatError(
            f"{quote(str(path))}: results.json format_version {document['format_version']!r} is not supported "
            f"(this workbench reads version {FORMAT_VERSION}); regenerate it with `workbench report`"
        )
    return document
