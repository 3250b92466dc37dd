"""What a report says, as plain frozen records: the one input every renderer (Markdown, HTML, SARIF, JSON)
reads.

`assemble.collect` fills these from the graph, simulation and findings layers; the renderers never call those
layers themselves. Keeping the contract here means a renderer can be tested with a hand-built `ReportData`,
and `results.json` is simply this model written out (see docs/results-json.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.analysis.verdict import Verdict
from workbench.findings.finding import SEVERITIES, Severity  # the one declaration of the severity order

__all__ = [
    "SEVERITIES",
    "AgentGovernance",
    "AttackPath",
    "BlastRadius",
    "CoverageEntry",
    "DesignBlastRadius",
    "Distributions",
    "Estimate",
    "EvidenceValue",
    "FindingView",
    "FrameworkCoverage",
    "FrameworkRefView",
    "GraphFocus",
    "Hop",
    "Location",
    "ReportData",
    "RuleView",
    "ScenarioInfo",
    "Severity",
    "Suppression",
    "Table",
    "Verdict",
]


EvidenceValue = str | int | float | bool
"""A finding's evidence is flat scalars (lists are already joined into text upstream)."""


@dataclass(frozen=True)
class ScenarioInfo:
    """Which scenario was simulated, from which file, how long, how often and from which seed."""

    name: str
    title: str
    description: str
    as_of: str
    source: str
    """Path of the scenario file relative to the source root (POSIX), or '<memory>'."""
    seed: int
    replications: int
    horizon_s: float
    designs: tuple[str, ...]
    baseline: str
    counts: tuple[tuple[str, int], ...] = ()
    """(what, how many) for the at-a-glance line: agents, tools, datasets, secrets, ..."""
    budget: tuple[tuple[str, str, float], ...] = ()
    """The scenario's budget limits that are set: (Budget field, metric it limits, limit)."""


@dataclass(frozen=True)
class Estimate:
    """One metric of one design across replications: mean and 95% CI, and the paired comparison with the
    baseline (difference with its CI, and the ratio of means). Baseline rows have diff 0 and ratio 1."""

    design: str
    metric: str
    mean: float
    ci_low: float
    ci_high: float
    diff: float
    diff_ci_low: float
    diff_ci_high: float
    ratio: float


@dataclass(frozen=True)
class BlastRadius:
    """Static blast radius of one identity: what it can exercise under standing access, and its weight."""

    identity: str
    kind: str
    permissions: int
    assets: int
    score: float


@dataclass(frozen=True)
class DesignBlastRadius:
    """Time-averaged blast radius of one agent under one design (what an attacker holding it could use)."""

    agent: str
    design: str
    score: float


@dataclass(frozen=True)
class Distributions:
    """Figures' data: latency percentiles and mean cumulative exposure over time, per design."""

    percentiles: tuple[float, ...] = ()
    latency_s: dict[str, tuple[float, ...]] = field(default_factory=dict)
    times_h: tuple[float, ...] = ()
    exposure_score_h: dict[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Location:
    """Where in the scenario file a finding points: URI relative to the source root, 1-based line/column."""

    uri: str
    line: int
    column: int
    yaml_path: str


@dataclass(frozen=True)
class Hop:
    """One edge of an attack path, `source --kind--> target`, with why access flows along it."""

    source: str
    kind: str
    target: str
    explanation: str = ""
    location: Location | None = None


@dataclass(frozen=True)
class Suppression:
    """A scenario's accepted risk covering a finding: who accepted it, why, and until when."""

    justification: str
    owner: str
    expires: str
    location: Location | None = None
    """Where the accepted risk is declared in the scenario file."""


@dataclass(frozen=True)
class FrameworkRefView:
    """A framework entry a finding maps to, with the names a reader needs."""

    framework: str
    framework_name: str
    id: str
    label: str


@dataclass(frozen=True)
class FindingView:
    """One finding, as every output shows it."""

    rule: str
    title: str
    severity: Severity
    security_severity: float
    entity: str
    message: str
    location: Location
    fingerprint: str
    evidence: tuple[tuple[str, EvidenceValue], ...] = ()
    path: tuple[Hop, ...] = ()
    remediation: str = ""
    refs: tuple[FrameworkRefView, ...] = ()
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        """True when an accepted risk (not yet expired) covers this finding."""
        return self.suppression is not None


@dataclass(frozen=True)
class RuleView:
    """A finding rule as SARIF and the findings section describe it."""

    id: str
    title: str
    severity: Severity
    security_severity: float
    help: str
    refs: tuple[FrameworkRefView, ...] = ()
    description: str = ""
    """What the rule detects (the first paragraph of `help`)."""
    remediation: str = ""
    """How to fix what it finds."""


@dataclass(frozen=True)
class CoverageEntry:
    """A framework entry that the scenario's findings touch, and by which rules."""

    id: str
    label: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkCoverage:
    """Which entries of one framework the findings touch."""

    key: str
    name: str
    version: str
    url: str
    total_entries: int
    entries: tuple[CoverageEntry, ...]


@dataclass(frozen=True)
class Table:
    """A small table of text cells, for views whose columns are decided upstream (governance)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class AgentGovernance:
    """The governance view of one agent: its capability map and its IGA answers (question, answer)."""

    agent: str
    name: str
    capabilities: Table
    iga: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AttackPath:
    """A path by which compromising `source` reaches `target`, hop by hop."""

    source: str
    target: str
    score: float
    hops: tuple[Hop, ...]


@dataclass(frozen=True)
class GraphFocus:
    """The access graph and the blast radius to highlight in its figure (not written to results.json)."""

    graph: Any
    """The `networkx.MultiDiGraph` from `workbench.graph.build_graph`."""
    focus: str | None
    highlight: frozenset[str]


@dataclass(frozen=True)
class CascadeMember:
    """One compromise of the worst cascade: whom it hit, from which parent, how, when, and its exposure."""

    compromise_id: int
    parent: int
    target: str
    spread: str
    start_h: float
    end_h: float
    exposure_score_h: float


@dataclass(frozen=True)
class CascadeSummary:
    """Per design: how many cascades spread, how many compromises spread, and the exposure of the worst cascade
    that spread (0 if none did)."""

    design: str
    spreading: int
    spread: int
    worst_exposure_score_h: float


@dataclass(frozen=True)
class Cascades:
    """Compromises that travelled between identities: a summary per design and the worst cascade's members."""

    summary: tuple[CascadeSummary, ...] = ()
    design: str = ""
    replication: int = 0
    members: tuple[CascadeMember, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything one scenario's report shows."""

    scenario: ScenarioInfo
    verdict: Verdict | None = None
    """Which design the numbers favour under the budget (None when nothing was simulated)."""
    comparison: tuple[Estimate, ...] = ()
    distributions: Distributions = field(default_factory=Distributions)
    blast_radius: tuple[BlastRadius, ...] = ()
    blast_by_design: tuple[DesignBlastRadius, ...] = ()
    findings: tuple[FindingView, ...] = ()
    rules: tuple[RuleView, ...] = ()
    coverage: tuple[FrameworkCoverage, ...] = ()
    governance: tuple[AgentGovernance, ...] = ()
    cascades: Cascades = field(default_factory=Cascades)
    attack_paths: tuple[AttackPath, ...] = ()
    mermaid: str = ""
    """The attack paths as a Mermaid flowchart (without the code fence)."""
    graph: GraphFocus | None = None

    def estimate(self, design: str, metric: str) -> Estimate | None:
        """The estimate of `metric` for `design`, if the comparison has it."""
        for row in self.comparison:
            if row.design == design and row.metric == metric:
                return row
        return None

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metrics present in the comparison, in first-seen order."""
        return tuple(dict.fromkeys(row.metric for row in self.comparison))
