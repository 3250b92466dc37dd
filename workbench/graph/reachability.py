"""The access-carrying view of a scenario graph, on which effective permissions are plain reachability.

This is the reference definition of "what can an identity exercise": the fast bitset index in `index.py` must
agree with it exactly, and attack paths are walked on it.

In the view, each permission is a terminal node `(action, resource)`. An entity reaches a terminal when it
holds that permission; `(read, secret)` leads on to the secret (whoever can read a secret can use it) and
`(execute, tool)` to the tool (which acts with its own credential). Each live delegation is a node between
delegate and delegator: unscoped it leads to the delegator, scoped to its scope's terminals, attenuated to
the part of the scope the delegator itself reaches. The last rule is not reachability, so it is materialised
as a least fixpoint: starting with no attenuated grants, add the grants the delegators reach until nothing
changes (so circular delegations grant nothing neither side held).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import networkx as nx

from workbench.graph.permissions import Pair
from workbench.graph.vocabulary import ACCESS_EDGE_KINDS, PERMISSION_EDGE_KINDS, Hop

__all__ = ["access_view", "is_permission", "reachable_entities", "reachable_permissions"]

_STRUCTURAL = frozenset(ACCESS_EDGE_KINDS) - frozenset(PERMISSION_EDGE_KINDS) - {"delegates_to"}
_PERMISSION = frozenset(PERMISSION_EDGE_KINDS)
_CARRIED_BY = {"secret": "read", "tool": "execute"}
"""The permission on a secret or tool that hands its holder what the secret or tool itself reaches."""


def is_permission(node: object) -> bool:
    """True for a permission terminal `(action, resource)` of the access view."""
    return isinstance(node, tuple)


def access_view(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """Access-carrying reachability graph of a `build_graph` graph; edges carry the `hop` they stand for.

    Edges that stand for no scenario edge (a terminal leading on to its secret or tool, a delegation node to
    its delegator or scope) carry `hop=None`.
    """
    view = nx.DiGraph(name=graph.graph.get("name"))
    kinds = graph.nodes(data="kind")
    for node, kind in kinds:
        if kind != "dataset":
            view.add_node(node)
    attenuated: list[tuple[str, str, tuple[Pair, ...]]] = []
    for source, target, key, data in graph.edges(keys=True, data=True):
        kind = data["kind"]
        if kind in _STRUCTURAL and not (kinds[source] == "tool" and kind == "runs_as"):
            view.add_edge(source, target, hop=Hop(source, kind, target))
        elif kind in _PERMISSION:
            _add_terminal(view, source, (data["action"], target), Hop(source, kind, target), kinds[target])
        elif kind == "delegates_to" and not data["expired"]:
            view.add_edge(target, key, hop=Hop(source, kind, target))
            if not data["scope"]:
                view.add_edge(key, source, hop=None)
            elif data["attenuated"]:
                attenuated.append((key, source, data["scope"]))
            else:
                for pair in data["scope"]:
                    _add_terminal(view, key, pair, None, kinds[pair[1]])
    _materialise_attenuated(view, attenuated, kinds)
    return view


def _add_terminal(view: nx.DiGraph, source: str, pair: Pair, hop: Hop | None, resource_kind: str) -> None:
    view.add_edge(source, pair, hop=hop)
    if _CARRIED_BY.get(resource_kind) == pair[0]:
        view.add_edge(pair, pair[1], hop=None)


def _materialise_attenuated(
    view: nx.DiGraph, attenuated: list[tuple[str, str, tuple[Pair, ...]]], kinds: Mapping[str, str]
) -> None:
    """Least fixpoint: grant what each delegator reaches, again and again, until no grant is added."""
    changed = bool(attenuated)
    while changed:
        changed = False
        for delegation, delegator, scope in attenuated:
            reached = nx.descendants(view, delegator)
            for pair in scope:
                if pair in reached and not view.has_edge(delegation, pair):
                    _add_terminal(view, delegation, pair, None, kinds[pair[1]])
                    changed = True


def reachable_permissions(view: nx.DiGraph, *sources: str) -> frozenset[Pair]:
    """Permissions reachable from any of `sources` in an `access_view`: the naive, obviously-right answer."""
    return frozenset(_terminals(view, sources))


def _terminals(view: nx.DiGraph, sources: tuple[str, ...]) -> Iterator[Pair]:
    for source in sources:
        for node in nx.descendants(view, source):
            if is_permission(node):
                yield node


def reachable_entities(graph: nx.MultiDiGraph, source: str) -> frozenset[str]:
    """Every entity `source` reaches in the access view of `graph` (resources of the permissions it reaches,
    and the roles, accounts, secrets and tools on the way): what a figure highlights as its blast radius."""
    if source not in graph:
        return frozenset()
    reached: set[str] = set()
    for node in nx.descendants(access_view(graph), source):
        if is_permission(node):
            reached.add(node[1])
        elif node in graph:
            reached.add(node)
    return frozenset(reached)
