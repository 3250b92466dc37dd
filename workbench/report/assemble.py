"""Gather one scenario's report from the layers below: graph, simulation and comparison, findings, catalog.

This is the only module of `report/` that calls the graph, analysis and findings layers; it turns their
results into the plain records of `data.py`, in a canonical order, with every float still exact (rounding
happens once, when an output is written). Large organisations are summarised, not dumped: the governance
views and attack paths cover the agents with the largest static blast radius, and say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from workbench.analysis import SimulationResult, simulate, worst_cascade
from workbench.analysis.curves import PERCENTILES
from workbench.analysis.sensitivity import sensitivity
from workbench.analysis.verdict import BUDGET_METRICS, Verdict, decide
from workbench.findings import RULES, SECURITY_SEVERITY, Finding, FindingSet, evaluate
from workbench.findings.governance import CapabilityMap, IgaAnswers, capability_map, iga_answers
from workbench.frameworks import Catalog, FrameworkRef, load_catalog
from workbench.graph import (
    AccessIndex,
    attack_paths,
    blast_radius_records,
    build_graph,
    compile_access,
    reachable_entities,
    to_mermaid,
    untrusted_agents,
)
from workbench.model import Scenario
from workbench.model.origins import origin
from workbench.report.data import (
    AgentGovernance,
    AttackPath,
    BlastRadius,
    CascadeMember,
    Cascades,
    CascadeSummary,
    CoverageEntry,
    DesignBlastRadius,
    Distributions,
    Estimate,
    FindingView,
    FrameworkCoverage,
    FrameworkRefView,
    GraphFocus,
    Hop,
    Location,
    ReportData,
    RuleView,
    ScenarioInfo,
    Suppression,
    Table,
)
from workbench.report.hops import explain_hop
from workbench.sim.metrics import REPORTED_METRICS

__all__ = [
    "BLAST_RADIUS_KINDS",
    "MAX_ATTACK_PATHS",
    "MAX_ATTACK_SOURCES",
    "MAX_GOVERNED_AGENTS",
    "collect",
    "source_uri",
]

_REPORTED_COUNTS = frozenset({"agents", "humans", "service accounts", "tools", "datasets", "secrets", "threats"})
"""The entity counts a report's header shows (of `Scenario.entity_counts`)."""

BLAST_RADIUS_KINDS = ("agent", "service_account", "human", "tool", "secret")
"""Whose static blast radius a report lists: identities, and the tools and secrets that carry access (a tool
with its own credential reaches what that credential grants; a secret, whatever a stolen copy unlocks)."""

MAX_GOVERNED_AGENTS = 20
"""Agents given a capability map and IGA answers in the report: those with the largest blast radius."""

MAX_ATTACK_SOURCES = 10
"""Untrusted agents whose attack paths are traced: those with the largest blast radius."""

MAX_ATTACK_PATHS = 25
"""Attack paths kept (highest score first), so the Mermaid diagram stays readable."""


def source_uri(file: str, root: Path) -> str:
    """The scenario file's path relative to `root`, POSIX style; absolute when it lies outside `root`."""
    if file.startswith("<"):
        return file
    path = Path(file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


class _Locator:
    """Turns a YAML path into a `Location` with the repository-relative URI."""

    def __init__(self, scenario: Scenario, root: Path) -> None:
        self.scenario = scenario
        self.root = root
        file = scenario.source.file if scenario.source is not None else "<memory>"
        self.uri = source_uri(file, root)

    def at(self, path: Sequence[str | int]) -> Location:
        _file, line, column = self.scenario.locate(path)
        return Location(self.uri, line, column, _pointer(path))

    def finding(self, finding: Finding) -> Location:
        """Where a finding points: its YAML node, or the inventory file an imported entity came from."""
        where = finding.location
        if self.scenario.source is not None and where.file not in (self.scenario.source.file, "<memory>"):
            return Location(source_uri(where.file, self.root), where.line, where.column, _pointer(where.yaml_path))
        return self.at(where.yaml_path)

    def entity(self, entity_id: str) -> Location | None:
        """Where an entity is defined: the inventory node it was imported from, else its YAML node."""
        path = self.scenario.path_of(entity_id)
        imported = origin(self.scenario, path)
        if imported is not None and self.scenario.source is not None:
            return Location(source_uri(imported.file, self.root), imported.line, imported.column, _pointer(path))
        return self.at(path) if path else None


def _pointer(path: Sequence[str | int]) -> str:
    parts: list[str] = []
    for part in path:
        parts.append(f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else str(part)))
    return "".join(parts)


def _entry_label(catalog: Catalog, framework: str, entry_id: str) -> str:
    """`id name`; just the name where the framework publishes no ids (the id is a workbench-local key)."""
    entry = catalog.entry(framework, entry_id)
    if not catalog.framework(framework).official_ids and entry.name:
        return entry.name
    return entry.label


def _ref_views(catalog: Catalog, refs: Iterable[FrameworkRef]) -> tuple[FrameworkRefView, ...]:
    return tuple(
        FrameworkRefView(
            framework=ref.framework,
            framework_name=catalog.framework(ref.framework).name,
            id=ref.id,
            label=_entry_label(catalog, ref.framework, ref.id),
        )
        for ref in refs
    )


def _hops(graph: nx.MultiDiGraph, hops: Iterable[Any], locator: _Locator) -> tuple[Hop, ...]:
    out = []
    for hop in hops:
        edges = graph.get_edge_data(hop.source, hop.target) or {}
        actions = [d["action"] for d in edges.values() if d.get("kind") == hop.kind and "action" in d]
        explanation = explain_hop(hop.source, hop.kind, hop.target, {"action": ", ".join(actions)})
        out.append(Hop(hop.source, hop.kind, hop.target, explanation, locator.entity(hop.source)))
    return tuple(out)


def _finding(
    finding: Finding,
    graph: nx.MultiDiGraph,
    catalog: Catalog,
    locator: _Locator,
    refs_cache: dict[tuple[FrameworkRef, ...], tuple[FrameworkRefView, ...]],
) -> FindingView:
    if finding.refs not in refs_cache:  # most findings of a rule share its refs: look them up once
        refs_cache[finding.refs] = _ref_views(catalog, finding.refs)
    suppression = None
    if finding.suppression is not None:
        accepted = finding.suppression
        suppression = Suppression(
            justification=accepted.justification,
            owner=accepted.owner,
            expires=accepted.expires,
            location=locator.at(accepted.yaml_path) if accepted.yaml_path else None,
        )
    return FindingView(
        rule=finding.rule_id,
        title=finding.title,
        severity=finding.severity,
        security_severity=finding.security_severity,
        entity=finding.entity_id,
        message=finding.message,
        location=locator.finding(finding),
        fingerprint=finding.fingerprint,
        evidence=tuple(finding.evidence.items()),
        path=_hops(graph, finding.path, locator),
        remediation=finding.remediation,
        refs=refs_cache[finding.refs],
        suppression=suppression,
    )


def _rules(catalog: Catalog) -> tuple[RuleView, ...]:
    views = []
    for rule in RULES:
        refs = _ref_views(catalog, catalog.refs_for(rule.id)) if rule.id in catalog.rule_ids else ()
        help_text = f"{rule.description}\n\nRemediation: {rule.remediation}"
        if refs:
            help_text += "\n\nFrameworks: " + "; ".join(f"{r.framework_name} {r.label}" for r in refs)
        views.append(
            RuleView(
                id=rule.id,
                title=rule.title,
                severity=rule.severity,
                security_severity=SECURITY_SEVERITY[rule.severity],
                help=help_text,
                refs=refs,
                description=rule.description,
                remediation=rule.remediation,
            )
        )
    return tuple(views)


def _coverage(catalog: Catalog, findings: FindingSet) -> tuple[FrameworkCoverage, ...]:
    touched = catalog.coverage([r for r in findings.rule_ids if r in catalog.rule_ids])
    return tuple(
        FrameworkCoverage(
            key=fw.key,
            name=fw.name,
            version=fw.version,
            url=fw.url,
            total_entries=len(fw.entries),
            entries=tuple(
                CoverageEntry(e.id, _entry_label(catalog, fw.key, e.id), tuple(rules)) for e, rules in touched[fw.key]
            ),
        )
        for fw in catalog.frameworks
    )


def _comparison(result: SimulationResult | None) -> tuple[Estimate, ...]:
    if result is None or not result.runs:
        return ()
    table = result.compare(metrics=list(REPORTED_METRICS))
    return tuple(
        Estimate(
            design=str(row["control"]),
            metric=str(row["metric"]),
            mean=float(row["mean"]),
            ci_low=float(row["ci_low"]),
            ci_high=float(row["ci_high"]),
            diff=float(row["diff_mean"]),
            diff_ci_low=float(row["diff_ci_low"]),
            diff_ci_high=float(row["diff_ci_high"]),
            ratio=float(row["ratio"]),
        )
        for row in table.to_dict("records")
    )


def _distributions(result: SimulationResult) -> Distributions:
    """The figures' curves (analysis.curves) as the report's records."""
    latency = result.latency_curves()
    exposure = result.exposure_curves()
    times_h = exposure.loc[exposure["control"] == result.controls[0], "time_h"] if result.controls else ()
    return Distributions(
        PERCENTILES,
        {str(d): tuple(float(v) for v in rows["latency_s"]) for d, rows in latency.groupby("control", sort=False)},
        tuple(float(t) for t in times_h),
        {
            str(d): tuple(float(v) for v in rows["exposure_score_h"])
            for d, rows in exposure.groupby("control", sort=False)
        },
    )


def _blast_by_design(result: SimulationResult, agents: Sequence[str]) -> tuple[DesignBlastRadius, ...]:
    """Per agent and design, the time-averaged score of what it holds (analysis.curves.held_blast_radius)."""
    held = result.held_blast_radius(agents)
    return tuple(
        DesignBlastRadius(str(identity), str(design), float(score))
        for identity, design, score in zip(held["identity"], held["control"], held["held_score"], strict=True)
    )


def _governance(scenario: Scenario, index: AccessIndex, agents: Sequence[str]) -> tuple[AgentGovernance, ...]:
    views = []
    for agent_id in agents:
        views.append(
            _agent_governance(
                capability_map(scenario, agent_id, graph_index=index),
                iga_answers(scenario, agent_id, graph_index=index),
            )
        )
    return tuple(views)


def _agent_governance(cmap: CapabilityMap, iga: IgaAnswers) -> AgentGovernance:
    rows = []
    for resource in cmap.resources:
        for cap in resource.capabilities:
            rows.append(
                (
                    resource.resource,
                    cap.action,
                    cap.risk_level,
                    ", ".join(c.id for c in cap.carriers) or "direct",
                    ", ".join(f"{a.approver} ({a.business_purpose})" for a in cap.approvals) or "GAP: not approved",
                    ", ".join(cap.reapproval_triggers) or "none",
                    ", ".join(cap.blocked_by) or "",
                )
            )
    capabilities = Table(
        ("Resource", "Action", "Risk", "Carried by", "Approved by (purpose)", "Re-approval on", "Blocked by"),
        tuple(rows),
    )
    return AgentGovernance(agent=iga.agent, name=iga.name or iga.agent, capabilities=capabilities, iga=_iga_rows(iga))


def _iga_rows(iga: IgaAnswers) -> tuple[tuple[str, str], ...]:
    def listed(items: Iterable[str], empty: str = "none") -> str:
        text = "; ".join(items)
        return text or empty

    approvals = [
        f"{a.approver} for '{a.business_purpose}' on {a.granted}"
        + (f", expires {a.expires}" if a.expires else ", no expiry")
        + ("" if a.live else " (EXPIRED)")
        for a in iga.approvals
    ]
    tools = [
        f"{t.tool} ({t.kind}{', external' if t.external else ''}"
        + (f", own credential {t.credential}" if t.credential else "")
        + f"): {t.reaches or 'nothing'}"
        for t in iga.tools
    ]
    data = [f"{d.resource} ({d.sensitivity}{', PII' if d.pii else ''}): {', '.join(d.actions)}" for d in iga.data]
    held = [f"{c.secret} (copy in {c.stored_in}): {_by_design(c.issued)}" for c in iga.held_credentials]
    readable = [f"{d.resource}: {', '.join(d.actions)}" for d in iga.readable_secrets]
    step_up = [
        f"{s.design}: {s.rule}"
        + (f"; steps up {s.stepped_up}" if s.stepped_up else "")
        + (f"; denies {s.denied}" if s.denied else "")
        for s in iga.step_up
    ]
    credentials = [f"{c.design}: {c.issued}; scope {c.scope}; {c.ends}" for c in iga.credentials]
    revocation = [f"{r.event} within {r.latency}" for r in iga.revocation]
    blocked = [f"{b.action} on {b.resource} ({b.applies})" for b in iga.blocked]
    return (
        ("Who owns it?", f"{iga.owner or 'nobody'} ({iga.owner_status})"),
        ("What is it for?", iga.business_purpose or "not stated"),
        ("Who approved it, for what?", listed(approvals, "nobody")),
        ("Which tools and APIs may it call?", listed(tools)),
        ("Which datasets and systems may it access?", listed(data)),
        ("Which credentials does it hold?", listed(held)),
        ("Which secrets may it read?", listed(readable)),
        ("What triggers re-approval?", listed(iga.reapproval_triggers)),
        ("When must a human step up?", listed(step_up)),
        ("How are its credentials issued, scoped and ended?", listed(credentials)),
        ("Are its actions logged for audit?", "yes" if iga.audit_logging else "no"),
        ("What revokes its credentials?", listed(revocation)),
        ("What stays blocked even with valid credentials?", listed(blocked)),
    )


def _by_design(issued: Iterable[tuple[str, str]]) -> str:
    """`how in design, design; how in design`: designs that issue a credential the same way, together."""
    groups: dict[str, list[str]] = {}
    for design, how in issued:
        groups.setdefault(how, []).append(design)
    return "; ".join(f"{how} in {', '.join(designs)}" for how, designs in groups.items())


def _attack(
    graph: nx.MultiDiGraph, sources: Sequence[str], index: AccessIndex, locator: _Locator
) -> tuple[tuple[AttackPath, ...], str]:
    if not sources:
        return (), ""
    found = attack_paths(graph, sources=list(sources))
    paths = tuple(
        AttackPath(
            p.source,
            p.target,
            index.score(index.bits_of((a, p.target) for a in p.actions)),
            _hops(graph, p.hops, locator),
        )
        for p in found
    )
    mermaid = to_mermaid(_path_subgraph(graph, found)) if found else ""
    return paths, mermaid.replace("`", "'").rstrip("\n")


def _path_subgraph(graph: nx.MultiDiGraph, paths: Iterable[Any]) -> nx.MultiDiGraph:
    """The edges the paths use, as a new graph in the full graph's node and edge order.

    (networkx's `edge_subgraph` view iterates its nodes in set order, which changes with the hash seed.)
    """
    wanted = {(hop.source, hop.target, hop.kind) for path in paths for hop in path.hops}
    sub = nx.MultiDiGraph()
    nodes = {end for source, target, _kind in wanted for end in (source, target)}
    sub.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in nodes)
    sub.add_edges_from(
        (u, v, key, d) for u, v, key, d in graph.edges(keys=True, data=True) if (u, v, d.get("kind")) in wanted
    )
    return sub


def collect(
    scenario: Scenario,
    *,
    replications: int | None = None,
    root: str | Path = ".",
    catalog: Catalog | None = None,
    max_events: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> ReportData:
    """Simulate the scenario's designs, evaluate its findings and assemble its report's content.

    `replications` overrides the scenario's `simulation.replications`; `root` is what URIs of the scenario
    file are made relative to (the repository root, for SARIF's `SRCROOT`); `max_events` is the work budget
    (`workbench.sim.budget`); `progress(done, total)` hears of each simulated run; `workers` and `scheduler`
    say where the replications run (`simulate`).
    """
    root = Path(root)
    catalog = catalog or load_catalog()
    locator = _Locator(scenario, root)
    index = compile_access(scenario)
    graph = build_graph(scenario)
    result = (
        simulate(
            scenario,
            replications=replications,
            max_events=max_events,
            progress=progress,
            workers=workers,
            scheduler=scheduler,
        )
        if scenario.controls
        else None
    )
    findings = evaluate(scenario, graph_index=index, simulation=result, catalog=catalog)

    refs_cache: dict[tuple[FrameworkRef, ...], tuple[FrameworkRefView, ...]] = {}
    blast = [
        BlastRadius(r["entity"], r["entity_kind"], int(r["permissions"]), int(r["assets"]), float(r["score"]))
        for r in blast_radius_records(index, kinds=BLAST_RADIUS_KINDS)
    ]
    blast.sort(key=lambda b: (-b.score, b.identity))
    agents_by_score = [b.identity for b in blast if b.kind == "agent"]
    focus = agents_by_score[0] if agents_by_score else None
    untrusted = set(untrusted_agents(graph))
    sources = [a for a in agents_by_score if a in untrusted][:MAX_ATTACK_SOURCES]
    paths, mermaid = _attack(graph, sources, index, locator)

    horizon_s = float(scenario.simulation.horizon)
    distributions = _distributions(result) if result is not None else Distributions()
    by_design = _blast_by_design(result, agents_by_score) if result is not None else ()

    verdict: Verdict | None = None
    if result is not None and result.runs:
        verdict = decide(result.summary(), scenario.budget, designs=result.controls)
        verdict = sensitivity(result, verdict, max_events=max_events)
    info = ScenarioInfo(
        name=scenario.name,
        title=scenario.title or scenario.name,
        description=(scenario.description or "").strip(),
        as_of=scenario.as_of.isoformat(),
        source=locator.uri,
        seed=result.seed if result is not None else scenario.simulation.seed,
        replications=result.replications if result is not None else 0,
        horizon_s=horizon_s,
        designs=tuple(result.controls) if result is not None else (),
        baseline=result.baseline if result is not None else "",
        counts=tuple((label, n) for label, n in scenario.entity_counts() if label in _REPORTED_COUNTS),
        budget=tuple(
            (field, name, float(limit))
            for field, name in BUDGET_METRICS
            if (limit := getattr(scenario.budget, field)) is not None
        ),
    )
    return ReportData(
        scenario=info,
        verdict=verdict,
        comparison=_comparison(result),
        distributions=distributions,
        blast_radius=tuple(blast),
        blast_by_design=by_design,
        findings=tuple(_finding(f, graph, catalog, locator, refs_cache) for f in findings),
        rules=_rules(catalog),
        coverage=_coverage(catalog, findings),
        governance=_governance(scenario, index, agents_by_score[:MAX_GOVERNED_AGENTS]),
        cascades=_cascades(result),
        attack_paths=paths,
        mermaid=mermaid,
        graph=GraphFocus(
            graph=graph, focus=focus, highlight=reachable_entities(graph, focus) if focus else frozenset()
        ),
    )


def _cascades(result: SimulationResult | None) -> Cascades:
    """The cascades section: nothing unless some compromise spread from another."""
    if result is None or result.compromises.empty or not (result.compromises["parent_compromise"] >= 0).any():
        return Cascades()
    table = result.cascades
    summary = []
    for design in result.controls:
        rows = table[(table["control"] == design) & (table["spread"] > 0)]
        summary.append(
            CascadeSummary(
                design=design,
                spreading=len(rows),
                spread=int(rows["spread"].sum()),
                worst_exposure_score_h=float(rows["exposure_score_h"].max()) if len(rows) else 0.0,
            )
        )
    worst = worst_cascade(result.compromises)
    members = tuple(
        CascadeMember(
            compromise_id=int(cid),
            parent=int(parent),
            target=str(target),
            spread=str(how),
            start_h=float(start) / 3600.0,
            end_h=float(end) / 3600.0,
            exposure_score_h=float(exposure),
        )
        for cid, parent, target, how, start, end, exposure in zip(
            worst["compromise_id"].tolist(),
            worst["parent_compromise"].tolist(),
            worst["target"].tolist(),
            worst["spread"].tolist(),
            worst["compromised_s"].tolist(),
            worst["contained_s"].tolist(),
            worst["exposure_score_h"].tolist(),
            strict=True,
        )
    )
    return Cascades(tuple(summary), str(worst["control"].tolist()[0]), int(worst["replication"].tolist()[0]), members)
