"""The access graph as a layered drawing, with one identity's blast radius highlighted.

Columns run left to right the way access flows (people, agents, roles and accounts, tools and secrets, data;
a delegate sits right of its delegator), laid out by `workbench.viz.layered` so that every edge is an arrow
routed around the nodes it does not touch, coloured by what kind of edge it is. Large graphs are not drawn
node by node: beyond `max_nodes`, nodes outside the highlight are grouped into one node per kind, and the
title says so.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from itertools import pairwise
from typing import NamedTuple

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from workbench.viz.layered import LayeredLayout, Point, layered_layout
from workbench.viz.palette import HIGHLIGHT, KIND_STYLE

__all__ = ["EDGE_STYLES", "LAYERS", "EdgeStyle", "access_graph_layout", "aggregate_graph", "plot_access_graph"]

LAYERS: dict[str, int] = {
    "human": 0,
    "agent": 1,
    "role": 2,
    "service_account": 2,
    "tool": 3,
    "secret": 3,
    "dataset": 4,
}
"""Leftmost column of each node kind: access flows from left to right."""

_KIND_NAMES = {
    "human": "people",
    "agent": "agents",
    "role": "roles",
    "service_account": "accounts",
    "tool": "tools",
    "secret": "secrets",
    "dataset": "data",
}


class EdgeStyle(NamedTuple):
    """How one family of edge kinds is drawn, and its legend entry."""

    label: str
    colour: str
    kinds: tuple[str, ...]
    dashed: bool = False


EDGE_STYLES: tuple[EdgeStyle, ...] = (
    EdgeStyle("has role / runs as / authenticates as", "#4c72b0", ("has_role", "runs_as", "authenticates_as")),
    EdgeStyle("grants / secret grants / tool accesses", "#55a868", ("grants", "secret_grants", "tool_accesses")),
    EdgeStyle("uses tool", "#dd8452", ("uses_tool",)),
    EdgeStyle("holds secret / uses credential", "#937860", ("holds_secret", "tool_uses_credential")),
    EdgeStyle("delegates to", "#8172b3", ("delegates_to",)),
    EdgeStyle("owns / approved by", "#8c8c8c", ("owns", "approved_by"), dashed=True),
)
"""Edge kinds by what they mean for access: becoming an identity, a permission, using a tool, holding a
secret, delegating; ownership and approval carry no access and are dashed."""

_STYLE_OF = {kind: style for style in EDGE_STYLES for kind in style.kinds}


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
    order = [n for n in graph.nodes if graph.nodes[n].get("kind") in LAYERS]
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
            noun = data["kind"].replace("_", " ")
            data["label"] = f"{data['count']} {noun}{plural}{' in radius' if data['hot'] else ''}"
    for source, target, data in graph.edges(data=True):
        kind = data.get("kind")
        if kind not in _STYLE_OF or source not in display or target not in display:
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
    """Draw `graph` (from `workbench.graph.build_graph`) in columns; `highlight` and `focus` ringed in red.

    Edges are arrows coloured by kind (`EDGE_STYLES`), bold inside the blast radius. `labels` defaults to on:
    at most `max_nodes` nodes are drawn individually, plus a group node per kind.
    """
    shown, total = aggregate_graph(graph, highlight=highlight, focus=focus, max_nodes=max_nodes)
    layout = access_graph_layout(shown)
    if ax is None:
        width = min(max(7.0, 1.55 * layout.columns + 1.0), 13.0)
        height = min(max(4.0, 0.42 * layout.height + 2.8), 16.0)
        ax = Figure(figsize=(width, height)).add_subplot()
    for (source, target), route in layout.routes.items():
        _draw_edge(ax, route, shown.edges[source, target])
    for kind, (colour, marker) in KIND_STYLE.items():
        nodes = [n for n, k in shown.nodes(data="kind") if k == kind]
        if not nodes:
            continue
        xs = [layout.positions[n][0] for n in nodes]
        ys = [layout.positions[n][1] for n in nodes]
        sizes = [_MARKER_AREA if shown.nodes[n]["count"] == 1 else 2.5 * _MARKER_AREA for n in nodes]
        rings = [HIGHLIGHT if shown.nodes[n]["hot"] else "white" for n in nodes]
        ax.scatter(xs, ys, s=sizes, c=colour, marker=marker, edgecolors=rings, linewidths=1.6, zorder=3)
    if labels is None:
        labels = shown.number_of_nodes() <= max_nodes + len(KIND_STYLE)
    for node, data in shown.nodes(data=True):
        if labels or isinstance(node, tuple) or node == focus:
            ax.annotate(
                data["label"], layout.positions[node], xytext=(0, 6), textcoords="offset points",
                ha="center", va="bottom", fontsize=7, color=HIGHLIGHT if data["hot"] else "#222222",
                fontweight="bold" if node == focus else "normal", zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )  # fmt: skip
    ax.set_xlim(-0.45, max(layout.columns - 1, 0) + 0.45)
    ax.set_ylim(layout.height + 0.6, -0.8)  # row 0 at the top, room for the labels above it
    ax.set_xticks(range(layout.columns), _column_names(shown, layout))
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    heading = title or "Access graph"
    if focus is not None:
        heading += f": blast radius of {focus} ringed in red, its edges bold"
    if any(isinstance(n, tuple) for n in shown.nodes):
        heading += f"\n{shown.number_of_nodes()} of {total} nodes drawn; the rest grouped by kind"
    ax.set_title(heading)
    ax.legend(
        handles=_legend(shown), loc="upper center", bbox_to_anchor=(0.5, -0.06), ncols=3, fontsize=7,
        frameon=False, handlelength=2.2,
    )  # fmt: skip
    return ax


_MARKER_AREA = 64.0
_RING_PTS = 6.0
"""Half the marker's width plus its ring, in points: where an arrow's head stops short of the node."""


def _draw_edge(ax: Axes, route: Sequence[Point], data: dict[str, object]) -> None:
    """The route as a smooth curve (horizontal at every point, as in `dot`), with an arrowhead at the target."""
    style = _STYLE_OF[str(data["kind"])]
    hot = bool(data["hot"])
    count = int(data["count"])  # type: ignore[call-overload]  # edge attributes are untyped
    width = min(0.7 + 0.4 * (count - 1) ** 0.5, 3.0) * (2.0 if hot else 1.0)
    alpha = 0.95 if hot else 0.45
    linestyle = (0, (4, 2)) if style.dashed else "solid"
    vertices: list[Point] = [route[0]]
    codes = [Path.MOVETO]
    for (x0, y0), (x1, y1) in pairwise(route):
        if x0 == x1:  # within one column: bow out to the right so the curve clears the nodes between
            bow = 0.3
            vertices += [(x0 + bow, y0), (x1 + bow, y1), (x1, y1)]
        else:
            middle = (x0 + x1) / 2
            vertices += [(middle, y0), (middle, y1), (x1, y1)]
        codes += [Path.CURVE4] * 3
    ax.add_patch(
        PathPatch(Path(vertices, codes), facecolor="none", edgecolor=style.colour, linewidth=width, alpha=alpha,
                  linestyle=linestyle, zorder=2 if hot else 1)
    )  # fmt: skip
    (x0, y0), (x1, y1) = route[-2], route[-1]
    back = 0.3 if x0 == x1 else 0.18 * (1 if x1 > x0 else -1)
    tail = (x1 + back, y1) if x0 == x1 else (x1 - back, y1)
    ax.annotate(
        "", xy=(x1, y1), xytext=tail,
        arrowprops={"arrowstyle": "-|>,head_length=0.5,head_width=0.25", "color": style.colour, "alpha": alpha,
                    "linewidth": width * 0.6, "shrinkA": 0.0, "shrinkB": _RING_PTS, "mutation_scale": 9},
        zorder=2 if hot else 1,
    )  # fmt: skip


def access_graph_layout(shown: nx.DiGraph) -> LayeredLayout:
    """Where `plot_access_graph` puts the nodes and edges of `shown` (from `aggregate_graph`)."""
    base = {node: LAYERS[kind] for node, kind in shown.nodes(data="kind")}
    return layered_layout(shown, base_layer=base, align=_columns_by_kind(shown))


def _columns_by_kind(shown: nx.DiGraph) -> list[list[Hashable]]:
    """Nodes of each kind share a column, but for a kind whose nodes point at each other (delegating agents)."""
    kinds: dict[str, list[Hashable]] = {}
    for node, kind in shown.nodes(data="kind"):
        kinds.setdefault(kind, []).append(node)
    linked = {kind for a, b in shown.edges if (kind := shown.nodes[a]["kind"]) == shown.nodes[b]["kind"]}
    return [nodes for kind, nodes in kinds.items() if kind not in linked]


def _column_names(shown: nx.DiGraph, layout: LayeredLayout) -> list[str]:
    """Each column named by the kinds of node in it, in `LAYERS` order ("tools / secrets")."""
    kinds: list[set[str]] = [set() for _ in range(layout.columns)]
    for node, kind in shown.nodes(data="kind"):
        kinds[int(layout.positions[node][0])].add(kind)
    names = []
    for present in kinds:
        ordered = sorted(present, key=lambda k: (LAYERS[k], list(_KIND_NAMES).index(k)))
        names.append(" / ".join(dict.fromkeys(_KIND_NAMES[k] for k in ordered)))
    return names


def _legend(shown: nx.DiGraph) -> list[Line2D]:
    """Node kinds, then edge families, that the drawing uses."""
    present_nodes = {kind for _n, kind in shown.nodes(data="kind")}
    present_edges = {kind for _a, _b, kind in shown.edges(data="kind")}
    handles = [
        Line2D([], [], linestyle="none", marker=marker, markerfacecolor=colour, markeredgecolor="white",
               markersize=7, label=_KIND_NAMES[kind])
        for kind, (colour, marker) in KIND_STYLE.items()
        if kind in present_nodes
    ]  # fmt: skip
    handles += [
        Line2D([], [], color=style.colour, linestyle=(0, (4, 2)) if style.dashed else "solid", linewidth=1.4,
               label=style.label)
        for style in EDGE_STYLES
        if present_edges & set(style.kinds)
    ]  # fmt: skip
    return handles
