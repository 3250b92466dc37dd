"""The report's content as display-ready rows and strings, shared by the Markdown and HTML templates.

Everything a template shows is decided and formatted here, once, so the two formats cannot drift apart and
templates stay free of logic. Strings coming from the scenario are left raw: each template escapes them for
its own format (HTML autoescaping, Markdown escaping in `templating.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from workbench.report.data import SEVERITIES, FindingView, ReportData
from workbench.report.evidence import evidence_in_words
from workbench.report.numbers import fmt as _fmt
from workbench.report.numbers import fmt_ci as _fmt_ci
from workbench.report.numbers import fmt_count, fmt_signed
from workbench.report.numbers import fmt_ratio as _fmt_ratio
from workbench.sim.metrics import EXPOSURE, LATENCY_P95, metric

__all__ = ["FIGURES", "MAX_DETAILED_FINDINGS", "MAX_TABLE_ROWS", "FigureSpec", "ReportView", "build_view"]

MAX_DETAILED_FINDINGS = 100
"""Open findings shown in full (most severe first); the rest are counted per rule. results.json and SARIF
always carry every finding, but a page of 20,000 findings helps no reader."""

MAX_TABLE_ROWS = 100
"""Rows of the static blast radius and accepted-risk tables shown (largest or most severe first)."""


def fmt(value: float | int | None) -> str:
    """A formatted number, marked safe: digits and signs need no escaping, and Markdown must not get
    backslashes in front of the brackets of a confidence interval."""
    return Markup(_fmt(value))


def fmt_ci(low: float | None, high: float | None) -> str:
    return Markup(_fmt_ci(low, high))


def fmt_ratio(value: float | None) -> str:
    return Markup(_fmt_ratio(value))


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the report: its file (under figures/), its title and what to read from it."""

    id: str
    title: str
    caption: str

    @property
    def file(self) -> str:
        return f"figures/{self.id}.svg"


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "tradeoff",
        "Trade-off: exposure against p95 latency",
        "Each design's mean exposure per run against its mean p95 task latency, with 95% confidence intervals. "
        "Lower left is better on both counts.",
    ),
    FigureSpec(
        "exposure-over-time",
        "Exposure over time",
        "Cumulative exposure (the weighted permissions an attacker could exercise without a human approving "
        "anything, integrated over time), mean over replications, each compromise's exposure spread evenly "
        "over its dwell: steep segments are compromises left open.",
    ),
    FigureSpec(
        "latency",
        "Task latency distributions",
        "Distribution of root-task latency per design, pooled over replications; dots mark the p95.",
    ),
    FigureSpec(
        "blast-radius-by-design",
        "Blast radius per agent and design",
        "Time-averaged weighted score of the credentials each agent holds under each design: what an attacker "
        "who steals them gets. A hijacked agent can obtain more on request; exposure counts that.",
    ),
    FigureSpec(
        "cascade",
        "Worst cascade",
        "Each compromise of the cascade with the most exposure, from compromise to containment, coloured by how it "
        "arrived (the threat's own, a delegated sub-task, a poisoned dataset, a readable secret); dotted lines "
        "join each to the compromise it spread from.",
    ),
    FigureSpec(
        "access-graph",
        "Access graph",
        "Who reaches what, left to right: people, agents (a delegate right of its delegator), roles and "
        "accounts, tools, secrets, data. Arrows are coloured by edge kind (legend below the graph). The agent "
        "with the largest static blast radius and everything it reaches are ringed in red, their edges bold.",
    ),
)


@dataclass
class ReportView:
    """Formatted content of one report."""

    title: str
    name: str
    description: str
    facts: list[tuple[str, str]]
    designs: list[str]
    baseline: str
    replications: int
    verdict: dict[str, object] = field(default_factory=dict)
    headline_columns: list[str] = field(default_factory=list)
    headline_rows: list[list[str]] = field(default_factory=list)
    takeaways: list[str] = field(default_factory=list)
    metric_tables: list[dict[str, object]] = field(default_factory=list)
    figures: list[FigureSpec] = field(default_factory=list)
    severity_counts: list[tuple[str, int, int]] = field(default_factory=list)
    open_summary: str = ""
    rule_rows: list[list[str]] = field(default_factory=list)
    findings_open: list[dict[str, object]] = field(default_factory=list)
    findings_suppressed: list[dict[str, object]] = field(default_factory=list)
    open_total: int = 0
    accepted_total: int = 0
    blast_total: int = 0
    coverage: list[dict[str, object]] = field(default_factory=list)
    governance: list[dict[str, object]] = field(default_factory=list)
    blast_rows: list[list[str]] = field(default_factory=list)
    attack_paths: list[dict[str, object]] = field(default_factory=list)
    mermaid: str = ""
    cascade_rows: list[list[str]] = field(default_factory=list)
    cascade_design: str = ""
    cascade_replication: int = 0
    cascade_total: str = ""
    cascade_members: list[list[str]] = field(default_factory=list)


def hop_text(source: str, kind: str, target: str) -> str:
    """A hop as `source –kind→ target`: readable in raw Markdown, no characters that need escaping."""
    return f"{source} –{kind}→ {target}"


def short_framework_name(name: str) -> str:
    """A framework's name without its parenthesised expansion or subtitle, e.g. 'CSA MAESTRO'."""
    return name.split(" (", 1)[0].split(", ", 1)[0]


def _grouped_refs(finding: FindingView) -> list[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for ref in finding.refs:
        groups.setdefault(short_framework_name(ref.framework_name), []).append(ref.label)
    return [(framework, "; ".join(labels)) for framework, labels in groups.items()]


def _rule_rows(findings: tuple[FindingView, ...]) -> list[list[str]]:
    """Per rule that fired (in the findings' order, most severe first): severity, open and accepted counts,
    and the first few entities."""
    rows: dict[str, list[FindingView]] = {}
    for finding in findings:
        rows.setdefault(finding.rule, []).append(finding)
    out = []
    for rule, group in rows.items():
        entities = list(dict.fromkeys(f.entity for f in group))
        shown = ", ".join(entities[:5]) + (f" and {len(entities) - 5} more" if len(entities) > 5 else "")
        severities = ", ".join(dict.fromkeys(f.severity for f in group))
        open_count = sum(1 for f in group if not f.suppressed)
        out.append([rule, group[0].title, severities, fmt(open_count), fmt(len(group) - open_count), shown])
    return out


def _finding_row(finding: FindingView) -> dict[str, object]:
    location = finding.location
    return {
        "rule": finding.rule,
        "title": finding.title,
        "severity": finding.severity,
        "security_severity": f"{finding.security_severity:.1f}",
        "entity": finding.entity,
        "message": finding.message,
        "where": f"{location.uri}:{location.line}:{location.column}",
        "yaml_path": location.yaml_path,
        "evidence": [evidence_in_words(key, value) for key, value in finding.evidence],
        "path": "; ".join(hop_text(hop.source, hop.kind, hop.target) for hop in finding.path),
        "remediation": finding.remediation,
        "refs": _grouped_refs(finding),
        "fingerprint": finding.fingerprint,
        "anchor": f"finding-{finding.fingerprint[:12]}",  # stable across edits, as the fingerprint is
        "justification": finding.suppression.justification if finding.suppression else "",
        "owner": finding.suppression.owner if finding.suppression else "",
        "expires": finding.suppression.expires if finding.suppression else "",
    }


def _takeaways(data: ReportData) -> list[str]:
    """One sentence per design: how it changes exposure and p95 latency relative to the baseline."""
    lines: list[str] = []
    base = data.scenario.baseline
    for design in data.scenario.designs:
        if design == base:
            continue
        exposure, latency = data.estimate(design, EXPOSURE), data.estimate(design, LATENCY_P95)
        parts = []
        if exposure is not None:
            parts.append(
                f"exposure {_fmt_ratio(exposure.ratio)} of {base} (difference {fmt_signed(exposure.diff)} score-h, "
                f"95% CI {_fmt_ci(exposure.diff_ci_low, exposure.diff_ci_high)})"
            )
        if latency is not None:
            parts.append(f"p95 latency {_fmt_ratio(latency.ratio)} ({_fmt(latency.mean)} s)")
        if parts:
            lines.append(Markup(f"{design}: " + "; ".join(parts)))  # ids and numbers only: nothing to escape
    return lines


def _limit(name: str, value: float) -> str:
    """A budget limit or a measured mean for a sentence: fractions as percentages, long times also in
    minutes or hours ('14,400 s (4.00 h)', '26.2%')."""
    unit = metric(name).unit
    if unit == "fraction":
        return f"{_fmt(100 * value)}%"
    if unit == "s" and value >= 3600:
        return f"{_fmt(value)} s ({_fmt(value / 3600)} h)"
    if unit == "s" and value >= 60:
        return f"{_fmt(value)} s ({_fmt(value / 60)} min)"
    return f"{_fmt(value)} {unit}" if unit else _fmt(value)


def _phrase(name: str) -> str:
    """A metric's label inside a sentence: lower case but for abbreviations ('p95 latency')."""
    label = metric(name).label
    return label[0].lower() + label[1:] if label[:2].istitle() else label


def _cheapest(data: ReportData, designs: tuple[str, ...]) -> str:
    """' Of those, X has the lowest p95 latency (a s against b s).' when the tied designs' latencies differ."""
    latencies = {
        d: e.mean for d in designs if (e := data.estimate(d, LATENCY_P95)) is not None and math.isfinite(e.mean)
    }
    if len(latencies) < 2 or len(set(latencies.values())) == 1:
        return ""
    ranked = sorted(latencies, key=lambda d: (latencies[d], designs.index(d)))
    others = ", ".join(f"{d} {_fmt(latencies[d])} s" for d in ranked[1:])
    return f" Of those, {ranked[0]} has the lowest p95 latency ({_fmt(latencies[ranked[0]])} s; {others})."


def _verdict(data: ReportData) -> dict[str, object]:
    """The verdict as sentences and one small table: what the numbers favour, why, how sure, what would
    change it. Design ids and numbers only reach Markup; budget names come from the code."""
    verdict = data.verdict
    if verdict is None:
        return {}
    objective = metric(verdict.objective)
    unit = objective.unit
    budget = "; ".join(f"{_phrase(name)} ≤ {_limit(name, limit)}" for _field, name, limit in data.scenario.budget)
    out: dict[str, object] = {
        "budget": f"Budget: {budget}." if budget else "No budget declared: every design is eligible.",
        "ineligible": [
            Markup(
                f"{design}: "
                + "; ".join(
                    f"{_phrase(b.metric)} {_limit(b.metric, b.mean)}, above the {_limit(b.metric, b.limit)} limit"
                    for b in verdict.breaches_of(design)
                )
            )
            for design in dict.fromkeys(b.design for b in verdict.breaches)
        ],
        "reasons": [],
        "sensitivity_rows": [],
        "sensitivity_note": "",
        "status": verdict.status,
    }
    n = verdict.replications
    interval = _fmt_ci(verdict.leader_ci_low, verdict.leader_ci_high)
    leader = f"{verdict.design} ({_fmt(verdict.leader_mean)} {unit}, 95% CI {interval})"
    if verdict.status == "none_eligible":
        out["headline"] = "No design fits the budget"
        out["summary"] = "Every design breaks a limit of the budget (below); relax the budget or change the designs."
    elif verdict.status == "winner" and not verdict.contrasts:
        out["headline"] = Markup(f"The numbers favour {verdict.design}")
        out["summary"] = Markup(
            f"{verdict.design} is the only design within budget; its mean {objective.label.lower()} is {leader}."
        )
    elif verdict.status == "winner":
        out["headline"] = Markup(f"The numbers favour {verdict.design}")
        out["summary"] = Markup(
            f"Lowest mean {objective.label.lower()} of the designs within budget: {leader} over "
            f"{fmt_count(n, 'replication')}, "
            f"lower than every other eligible design's on the same seeds (the 95% interval of each paired "
            f"difference is above zero)."
        )
    else:
        tied = verdict.tied
        out["headline"] = Markup(f"No clear winner at {fmt_count(n, 'replication')}")
        out["summary"] = Markup(
            f"{' and '.join([', '.join(tied[:-1]), tied[-1]] if len(tied) > 1 else tied)} cannot be told apart on "
            f"{objective.label.lower()}: the 95% interval of their paired difference includes zero. "
            f"The lowest mean is {leader}; more replications, or a budget that rules one out, would decide."
            + _cheapest(data, tied)
        )
    out["reasons"] = [
        Markup(
            f"{c.design}: {_fmt(c.mean)} {unit}, {_fmt(c.diff)} {unit} more than {verdict.design} "
            f"(paired 95% CI {_fmt_ci(c.diff_ci_low, c.diff_ci_high)}"
            + ("" if c.separated else "; includes zero")
            + ")"
        )
        for c in verdict.contrasts
    ]
    worst = verdict.most_sensitive
    if worst is not None:
        factors = {(r.parameter, r.factor): r for r in verdict.sensitivity}
        parameters = list(dict.fromkeys(r.parameter for r in verdict.sensitivity))
        out["sensitivity_rows"] = [
            [
                parameter,
                *(
                    fmt_signed(factors[(parameter, f)].gap) + (" (flips it)" if factors[(parameter, f)].flips else "")
                    if (parameter, f) in factors
                    else "–"
                    for f in (0.5, 2.0)
                ),
            ]
            for parameter in parameters
        ]
        out["sensitivity_base"] = fmt_signed(worst.base_gap)
        out["runner_up"] = verdict.runner_up
        out["design_name"] = verdict.design
        change = f"{worst.parameter} ×{worst.factor:g}"
        if worst.flips:
            consequence = f"{verdict.runner_up} would have the lower {objective.label.lower()}"
        elif worst.gap < 0:
            consequence = (
                f"{verdict.runner_up}'s lead on these seeds grows from {_fmt(-worst.base_gap)} to "
                f"{_fmt(-worst.gap)} {unit}"
            )
        else:
            consequence = (
                f"{verdict.design} stays ahead of {verdict.runner_up}, by {_fmt(worst.gap)} {unit} instead of "
                f"{_fmt(worst.base_gap)} {unit}"
            )
        seeds = fmt_count(verdict.sensitivity_replications, "replication")
        caveat = (
            f" On these first seeds {verdict.runner_up} is ahead even unchanged: read the changes as directions, "
            f"not as a verdict."
            if worst.base_gap < 0
            else ""
        )
        out["sensitivity_note"] = Markup(
            f"the verdict is most sensitive to {change}: {consequence} ({seeds} per change, the first seeds of "
            f"the main run).{caveat}"
        )
    return out


def build_view(data: ReportData, *, figures: list[str]) -> ReportView:
    """The formatted content of `data`'s report; `figures` are the ids of the figures that were drawn."""
    info = data.scenario
    facts = [
        ("Scenario file", info.source),
        ("As of", info.as_of),
        ("Designs", ", ".join(info.designs) if info.designs else "none"),
        ("Baseline", info.baseline or "none"),
        ("Replications", fmt(info.replications)),
        ("Horizon", f"{fmt(info.horizon_s / 3600.0)} h"),
        ("Seed", str(info.seed)),
        *((what, fmt(count)) for what, count in info.counts),
    ]
    view = ReportView(
        title=info.title or info.name,
        name=info.name,
        description=info.description,
        facts=facts,
        designs=list(info.designs),
        baseline=info.baseline,
        replications=info.replications,
        mermaid=data.mermaid,
    )
    view.verdict = _verdict(data)
    present = [metric(name) for name in data.metrics]
    headline = [m for m in present if m.headline]
    view.headline_columns = ["Design", *(m.heading for m in headline)]
    for design in info.designs:
        row = [design]
        for m in headline:
            estimate = data.estimate(design, m.name)
            if estimate is None:
                row.append("–")
            elif design == info.baseline or not math.isfinite(estimate.ratio):
                row.append(fmt(estimate.mean))
            else:
                row.append(f"{fmt(estimate.mean)} {fmt_ratio(estimate.ratio)}")
        view.headline_rows.append(row)
    view.takeaways = _takeaways(data)
    for m in present:
        rows = []
        for design in info.designs:
            estimate = data.estimate(design, m.name)
            if estimate is None:
                continue
            rows.append(
                [
                    design,
                    fmt(estimate.mean),
                    fmt_ci(estimate.ci_low, estimate.ci_high),
                    "–" if design == info.baseline else Markup(fmt_signed(estimate.diff)),
                    "–" if design == info.baseline else fmt_ci(estimate.diff_ci_low, estimate.diff_ci_high),
                    fmt_ratio(estimate.ratio),
                ]
            )
        if rows:
            unit = f" ({m.unit})" if m.unit else ""
            columns = ["Design", f"Mean{unit}", f"95% CI{unit}", f"Difference{unit}", f"95% CI of difference{unit}"]
            view.metric_tables.append(
                {"label": m.label, "name": m.name, "unit": m.unit, "columns": [*columns, "Ratio"], "rows": rows}
            )
    view.figures = [spec for spec in FIGURES if spec.id in figures]
    open_ = [f for f in data.findings if not f.suppressed]
    view.severity_counts = [
        (s, sum(1 for f in open_ if f.severity == s), sum(1 for f in data.findings if f.suppressed and f.severity == s))
        for s in reversed(SEVERITIES)
    ]
    view.open_summary = ", ".join(f"{count} {severity}" for severity, count, _accepted in view.severity_counts)
    accepted = [f for f in data.findings if f.suppressed]
    view.open_total, view.accepted_total = len(open_), len(accepted)
    view.rule_rows = _rule_rows(data.findings)
    view.findings_open = [_finding_row(f) for f in open_[:MAX_DETAILED_FINDINGS]]
    view.findings_suppressed = [_finding_row(f) for f in accepted[:MAX_TABLE_ROWS]]
    view.coverage = [
        {
            "name": fw.name,
            "short": short_framework_name(fw.name),
            "version": fw.version,
            "url": fw.url,
            "touched": len(fw.entries),
            "total": fw.total_entries,
            "rows": [[entry.label, ", ".join(entry.rules)] for entry in fw.entries],
        }
        for fw in data.coverage
    ]
    view.governance = [
        {
            "agent": g.agent,
            "anchor": f"agent-{g.agent}",  # ids are letters, digits and _.:- : valid in an HTML id
            "name": g.name,
            "columns": list(g.capabilities.columns),
            "rows": [list(row) for row in g.capabilities.rows],
            "iga": list(g.iga),
        }
        for g in data.governance
    ]
    view.blast_total = len(data.blast_radius)
    view.blast_rows = [
        [row.identity, row.kind, fmt(row.permissions), fmt(row.assets), fmt(row.score)]
        for row in data.blast_radius[:MAX_TABLE_ROWS]
    ]
    view.attack_paths = [
        {
            "source": path.source,
            "target": path.target,
            "score": fmt(path.score),
            "hops": [(hop_text(hop.source, hop.kind, hop.target), hop.explanation) for hop in path.hops],
        }
        for path in data.attack_paths
    ]
    cascades = data.cascades
    view.cascade_rows = [
        [row.design, fmt(row.spreading), fmt(row.spread), fmt(row.worst_exposure_score_h) if row.spread else "–"]
        for row in cascades.summary
    ]
    view.cascade_total = fmt(sum(m.exposure_score_h for m in cascades.members))
    view.cascade_design, view.cascade_replication = cascades.design, cascades.replication
    view.cascade_members = [
        [
            str(m.compromise_id),
            "–" if m.parent < 0 else str(m.parent),
            m.target,
            m.spread or "threat",
            fmt(m.start_h),
            fmt(m.end_h),
            fmt(m.exposure_score_h),
        ]
        for m in cascades.members
    ]
    return view
