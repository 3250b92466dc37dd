"""The access graph as a layered drawing, with one identity's blast radius highlighted.

Layers run left to right the way access flows (people, agents, roles and accounts, tools and secrets, data),
so the picture is deterministic without a force layout. Large graphs are not drawn node by node: beyond
`max_nodes`, nodes outside the highlight are grouped into one node per kind, and the title says so.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from workbench.viz.palette import HIGHLIGHT, KIND_STYLE, MUTED

__all__ = ["LAYERS", "aggregate_graph", "plot_access_graph"]

LAYERS: dict[str, int] = {
    "human": 0,
    "agent": 1,
    "role": 2,
    "service_account": 2,
    "tool": 3,
    "secret": 3,
    "dataset": 4,
}
"""Column of each node kind: access flows from left to right."""

_SKIPPED_EDGES = frozenset({"owns", "approved_by"})
"""Governance edges: who owns or approved an agent carries no access, and would clutter the picture."""


def aggregate_graph(
    graph: nx.MultiDiGraph, *, highlight: Collection[Hashable], focus: Hashable | None, max_nodes: int
) -> tuple[nx.DiGraph, int]:
    """A drawable digraph of at most about `max_nodes` nodes, and how many scenario nodes it stands for.

    Kept nodes come first the focus, then highlighted nodes, then the rest, each in graph order; every other
    node joins a group node `("group", kind, highlighted)` labelled with its count. Edges keep their kind and
    count how many scenario edges they stand for.
    """
    highlighted = set(highlight)
    hot_sources = highlighted | ({focus} if focus is not None else set())
    order = [n for n in graph.nodes if graph.nodes[n].get("kind") in LAYERS and not _idle_human(graph, n)]
    ranked = ([focus] if focus in graph else []) + [n for n in order if n in highlighted and n != focus]
    ranked += [n for n in order if n not in highlighted and n != focus]
    kept = set(ranked[:max_nodes])
    shown = nx.DiGraph()
    display: dict[Hashable, Hashable] = {}
    for node in order:  # graph order, so layers stay in scenario order
        kind = graph.nodes[node]["kind"]
        is_hot = node in highlighted or node == focus
        if node in kept:
            display[node] = node
            shown.add_node(node, kind=kind, label=str(node), hot=is_hot, count=1)
        else:
            group = ("group", kind, is_hot)
            display[node] = group
            if group not in shown:
                shown.add_node(group, kind=kind, hot=is_hot, count=0)
            shown.nodes[group]["count"] += 1
    for node, data in shown.nodes(data=True):
        if isinstance(node, tuple):
            plural = "s" if data["count"] != 1 else ""
            data["label"] = f"{data['count']} {data['kind']}{plural}{' in radius' if data['hot'] else ''}"
    for source, target, data in graph.edges(data=True):
        kind = data.get("kind")
        if kind in _SKIPPED_EDGES or source not in display or target not in display:
            continue
        a, b = display[source], display[target]
        if a == b:
            continue
        hot = source in hot_sources and target in highlighted
        if shown.has_edge(a, b):
            shown.edges[a, b]["count"] += 1
            shown.edges[a, b]["hot"] |= hot
        else:
            shown.add_edge(a, b, kind=kind, count=1, hot=hot)
    return shown, len(order)


def _idle_human(graph: nx.MultiDiGraph, node: Hashable) -> bool:
    """A person whose only edges are owning or approving agents: no access flows through them."""
    if graph.nodes[node].get("kind") != "human":
        return False
    edges = [*graph.out_edges(node, data="kind"), *graph.in_edges(node, data="kind")]
    return all(kind in _SKIPPED_EDGES for _s, _t, kind in edges)


def _layout(shown: nx.DiGraph) -> dict[Hashable, tuple[float, float]]:
    columns: dict[int, list[Hashable]] = {}
    for node, kind in shown.nodes(data="kind"):
        columns.setdefault(LAYERS[kind], []).append(node)
    positions: dict[Hashable, tuple[float, float]] = {}
    for column, nodes in columns.items():
        height = len(nodes)
        for row, node in enumerate(nodes):
            positions[node] = (float(column), 1.0 - (row + 0.5) / height)
    return positions


def plot_access_graph(
    graph: nx.MultiDiGraph,
    *,
    highlight: Collection[Hashable] = (),
    focus: Hashable | None = None,
    max_nodes: int = 60,
    labels: bool | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw `graph` (from `workbench.graph.build_graph`) in layers, `highlight` and `focus` in red.

    `labels` defaults to on: at most `max_nodes` nodes are drawn individually, plus a group node per kind.
    """
    if ax is None:
        ax = Figure(figsize=(9.0, 6.0)).add_subplot()
    shown, total = aggregate_graph(graph, highlight=highlight, focus=focus, max_nodes=max_nodes)
    positions = _layout(shown)
    cold: list[Any] = []
    hot: list[Any] = []
    widths_cold: list[float] = []
    widths_hot: list[float] = []
    for source, target, data in shown.edges(data=True):
        segment = (positions[source], positions[target])
        width = min(0.6 + 0.4 * (data["count"] - 1) ** 0.5, 4.0)
        (hot if data["hot"] else cold).append(segment)
        (widths_hot if data["hot"] else widths_cold).append(width * (1.6 if data["hot"] else 1.0))
    ax.add_collection(LineCollection(cold, colors=MUTED, linewidths=widths_cold, alpha=0.6, zorder=1))
    ax.add_collection(LineCollection(hot, colors=HIGHLIGHT, linewidths=widths_hot, alpha=0.9, zorder=2))
    for kind, (colour, marker) in KIND_STYLE.items():
        nodes = [n for n, k in shown.nodes(data="kind") if k == kind]
        if not nodes:
            continue
        xs = [positions[n][0] for n in nodes]
        ys = [positions[n][1] for n in nodes]
        sizes = [60.0 if shown.nodes[n]["count"] == 1 else 160.0 for n in nodes]
        edges = [HIGHLIGHT if shown.nodes[n]["hot"] else "white" for n in nodes]
        ax.scatter(xs, ys, s=sizes, c=colour, marker=marker, edgecolors=edges, linewidths=1.5, zorder=3, label=kind)
    grouped = any(isinstance(n, tuple) for n in shown.nodes)
    if labels is None:
        labels = shown.number_of_nodes() <= max_nodes + len(KIND_STYLE)
    for node, data in shown.nodes(data=True):
        if labels or isinstance(node, tuple) or node == focus:
            x, y = positions[node]
            weight = "bold" if node == focus else "normal"
            ax.annotate(
                data["label"], (x, y), xytext=(5, 3), textcoords="offset points", fontsize=7,
                color=HIGHLIGHT if data["hot"] else "#333333", fontweight=weight, zorder=4,
            )  # fmt: skip
    ax.set_xlim(-0.3, max(LAYERS.values()) + 0.9)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks(sorted(set(LAYERS.values())), ["people", "agents", "roles / accounts", "tools / secrets", "data"])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    heading = title or "Access graph"
    if focus is not None:
        heading += f": blast radius of {focus} in red"
    if grouped:
        heading += f"\n{shown.number_of_nodes()} of {total} nodes drawn; the rest grouped by kind"
    ax.set_title(heading)
    ax.legend(loc="lower right", fontsize=7, ncols=4, frameon=False, markerscale=0.7)
    return ax
