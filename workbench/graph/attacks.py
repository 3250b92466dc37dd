"""Attack paths: how an agent that reads attacker-controlled input reaches a restricted asset.

A prompt-injected agent acts with everything it holds, so every access route from an `untrusted_input` agent
to a `restricted` dataset or secret is a path an attacker can steer it along. Paths are walked on
`access_view` and reported as the scenario edges that make them, so a report can say why each step is
possible.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from workbench.graph.reachability import access_view, is_permission
from workbench.graph.vocabulary import Hop
from workbench.model.common import ACTIONS

__all__ = ["AttackPath", "attack_paths", "restricted_assets", "untrusted_agents"]


@dataclass(frozen=True, slots=True)
class AttackPath:
    """One route from `source` to `target`, and the actions it gives on the target."""

    source: str
    target: str
    actions: tuple[str, ...]
    """Actions this route gives on the target, in `ACTIONS` order."""
    hops: tuple[Hop, ...]
    """Scenario edges, first to last; a `delegates_to` hop lends the delegator's access to the delegate."""


@dataclass(frozen=True, slots=True)
class _Sink:
    """End node standing for "some permission on this asset" (never confused with an entity id or pair)."""

    asset: str


def untrusted_agents(graph: nx.MultiDiGraph) -> list[str]:
    """Agents that read content an attacker can write, in scenario order."""
    return [n for n, d in graph.nodes(data=True) if d["kind"] == "agent" and d.get("untrusted_input")]


def restricted_assets(graph: nx.MultiDiGraph) -> list[str]:
    """Datasets and secrets classified restricted, in scenario order."""
    return [
        n for n, d in graph.nodes(data=True) if d["kind"] in ("dataset", "secret") and d["sensitivity"] == "restricted"
    ]


def attack_paths(
    graph: nx.MultiDiGraph,
    *,
    k: int = 1,
    sources: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
) -> list[AttackPath]:
    """Up to `k` shortest distinct routes from each source to each target it reaches.

    Sources default to `untrusted_agents(graph)`, targets to `restricted_assets(graph)`. Routes are distinct
    by their hops (two actions granted by the same edges are one route with both actions) and ordered by
    source, target (as given), then length.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    sources = untrusted_agents(graph) if sources is None else list(sources)
    targets = restricted_assets(graph) if targets is None else list(targets)
    for node in (*sources, *targets):
        if node not in graph:
            raise KeyError(f"'{node}' is not an entity of the graph")
    view = access_view(graph)
    by_asset: dict[str, list[tuple[str, str]]] = {}
    for node in list(view.nodes):
        if is_permission(node):
            by_asset.setdefault(node[1], []).append(node)
    for target in targets:
        for pair in by_asset.get(target, ()):
            view.add_edge(pair, _Sink(target), hop=None)
    found: list[AttackPath] = []
    for source in sources:
        if source not in view:
            continue
        reached = nx.descendants(view, source)
        for target in targets:
            if _Sink(target) in reached:
                found.extend(_routes(view, source, target, k=k))
    return found


def _routes(view: nx.DiGraph, source: str, target: str, *, k: int) -> list[AttackPath]:
    routes: dict[tuple[Hop, ...], set[str]] = {}
    longest: int | None = None
    for path in nx.shortest_simple_paths(view, source, _Sink(target)):
        if longest is not None and len(path) > longest:
            break
        hops = tuple(h for h in (view.edges[u, v]["hop"] for u, v in itertools.pairwise(path)) if h is not None)
        if hops in routes:
            routes[hops].add(path[-2][0])
        elif len(routes) < k:
            routes[hops] = {path[-2][0]}
            if len(routes) == k:
                longest = len(path)  # keep collecting actions of routes as long as these, then stop
    ordered = sorted(routes.items(), key=lambda item: (len(item[0]), item[0]))
    return [AttackPath(source, target, tuple(a for a in ACTIONS if a in actions), hops) for hops, actions in ordered]
