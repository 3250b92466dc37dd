"""A large access graph summarised so a Mermaid diagram of it still renders, attack paths kept whole.

Mermaid refuses a diagram above 50,000 characters ("Maximum text size in diagram exceeded") and above 500
edges, which a few hundred agents exceed. Above `MAX_MERMAID_NODES` nodes (or `MAX_MERMAID_EDGES` edges) the
graph is summarised: the nodes on the kept attack paths stay as they are, every other node is folded into
one node per kind ("412 agents more"), and parallel edges between the same two nodes become one edge of the
kind. The summary says what it did in the graph's `summary` attribute, which `to_mermaid_summary` writes
as the diagram's title and a comment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import networkx as nx

from workbench.graph.attacks import AttackPath, attack_paths, untrusted_agents
from workbench.graph.export import to_mermaid

__all__ = [
    "MAX_MERMAID_EDGES",
    "MAX_MERMAID_NODES",
    "MAX_SUMMARY_PATHS",
    "summarise_graph",
    "to_mermaid_summary",
]

MAX_MERMAID_NODES = 150
"""Above this many nodes a Mermaid diagram is summarised (it would be unreadable long before Mermaid fails)."""

MAX_MERMAID_EDGES = 400
"""... or above this many edges (Mermaid's default `maxEdges` is 500)."""

MAX_SUMMARY_PATHS = 25
"""Attack paths kept node for node in a summary, as in a report."""

MAX_PATH_SOURCES = 10
"""Untrusted-input agents (in scenario order) whose attack paths a summary traces when none are given."""

_PLURAL = {
    "agent": "agents",
    "human": "humans",
    "service_account": "service accounts",
    "tool": "tools",
    "dataset": "datasets",
    "secret": "secrets",
    "role": "roles",
}


def _too_large(graph: nx.MultiDiGraph) -> bool:
    return graph.number_of_nodes() > MAX_MERMAID_NODES or graph.number_of_edges() > MAX_MERMAID_EDGES


def _count(n: int, kind: str) -> str:
    return f"{n:,} {kind.replace('_', ' ') if n == 1 else _PLURAL.get(kind, kind + 's')}"


def summarise_graph(graph: nx.MultiDiGraph, *, paths: Sequence[AttackPath] | None = None) -> nx.MultiDiGraph:
    """`graph` itself when it is small enough to draw; otherwise a summary (see the module docstring).

    `paths` are the attack paths to keep (default: those of up to `MAX_PATH_SOURCES` untrusted-input agents;
    at most `MAX_SUMMARY_PATHS` of them are kept).
    """
    if not _too_large(graph):
        return graph
    if paths is None:
        paths = attack_paths(graph, sources=untrusted_agents(graph)[:MAX_PATH_SOURCES])
    kept_paths = list(paths)[:MAX_SUMMARY_PATHS]
    kept = {end for path in kept_paths for hop in path.hops for end in (hop.source, hop.target)}
    kept |= {path.source for path in kept_paths}
    on_path = {(hop.source, hop.target, hop.kind) for path in kept_paths for hop in path.hops}

    folded = Counter(data["kind"] for node, data in graph.nodes(data=True) if node not in kept)
    group = {kind: f"{_count(n, kind)} more" for kind, n in folded.items()}  # ids have no spaces: no clash
    summary = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):  # graph order: kept nodes, and each group where its kind first is
        if node in kept:
            summary.add_node(node, **data)
        elif group[data["kind"]] not in summary:
            summary.add_node(group[data["kind"]], kind=data["kind"], folded=folded[data["kind"]])
    seen: dict[tuple[str, str, str], int] = {}
    for u, v, data in graph.edges(data=True):
        kind = data["kind"]
        if (u, v, kind) in on_path:
            summary.add_edge(u, v, **data)
            continue
        a = u if u in kept else group[graph.nodes[u]["kind"]]
        b = v if v in kept else group[graph.nodes[v]["kind"]]
        if a == b or (u in kept and v in kept):
            continue  # inside a group, or between path nodes off the path: the summary leaves it out
        if (a, b, kind) not in seen:
            seen[(a, b, kind)] = 0
            summary.add_edge(a, b, kind=kind)
        seen[(a, b, kind)] += 1
    summary.graph.update(graph.graph)
    summary.graph["summary"] = (
        f"Summary of {graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges, too many to draw: "
        f"{len(kept_paths)} attack paths are kept node for node ({len(kept):,} nodes), every other node is folded "
        f"into one node per kind (" + ", ".join(_count(n, kind) for kind, n in folded.items()) + ")."
    )
    return summary


def to_mermaid_summary(graph: nx.MultiDiGraph, *, paths: Sequence[AttackPath] | None = None) -> str:
    """`to_mermaid` of `summarise_graph(graph)`; a summary is titled and commented as one."""
    summary = summarise_graph(graph, paths=paths)
    text = to_mermaid(summary)
    note = summary.graph.get("summary")
    if summary is graph or not note:
        return text
    title = note.replace('"', "'").replace("\n", " ")
    return f'---\ntitle: "{title}"\n---\n%% {title}\n{text}'
