"""A layered (Sugiyama) layout for directed graphs, in pure Python over networkx: what graphviz's `dot` does,
without a system library to install.

Every node starts in the column of its kind (`base_layer`) and is pushed right of everything that points at
it, so access reads left to right; an edge that spans columns is routed through one waypoint per column it
crosses, each waypoint a slot of its own in that column, so no edge is drawn through a node it does not
touch. Rows are ordered to reduce crossings (barycentre sweeps, the ordering with fewest crossings kept) and
placed near their neighbours (isotonic regression keeps the order and the spacing). Deterministic: ties break
by graph order, never by hashing.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

__all__ = ["LayeredLayout", "Point", "layered_layout"]

Point = tuple[float, float]

_NODE_SIZE = 1.0
_WAYPOINT_SIZE = 0.4
"""Vertical room of a node and of an edge's waypoint: nodes sit at least 0.7 from a passing edge."""

_SWEEPS = 12
_PLACEMENT_ROUNDS = 8


@dataclass(frozen=True)
class LayeredLayout:
    """Where each node sits, and the points each edge is drawn through (first the source, last the target).

    `x` is the column (0, 1, ...), `y` grows downwards from 0 (row 0 at the top). A route of an edge whose
    target is left of its source runs right to left; one within a column has only its two end points.
    """

    positions: dict[Hashable, Point]
    routes: dict[tuple[Hashable, Hashable], tuple[Point, ...]]
    columns: int
    height: float


def layered_layout(
    graph: nx.DiGraph, *, base_layer: Mapping[Hashable, int], align: Sequence[Collection[Hashable]] = ()
) -> LayeredLayout:
    """Lay `graph` out in columns: each node at or right of `base_layer[node]`, right of its predecessors.

    Edges from a higher base layer to a lower one (a tool running as an account) do not move nodes; they are
    routed backwards. A cycle among the rest is broken at the edge a depth-first search meets last. Each
    group of `align` shares one column (all roles, all data) where the edges allow it.
    """
    order = {node: i for i, node in enumerate(graph.nodes)}
    layer = _assign_layers(graph, base_layer, order, align)
    slots, routes_by_slot = _add_waypoints(graph, layer, order)
    ranks = _order_rows(slots, routes_by_slot)
    ys = _place_rows(ranks, routes_by_slot)
    positions = {node: (float(layer[node]), ys[node]) for node in graph.nodes}
    routes = {
        edge: tuple((float(_column(slot, layer)), ys[slot]) for slot in path) for edge, path in routes_by_slot.items()
    }
    height = max(ys.values(), default=0.0)
    return LayeredLayout(positions, routes, (max(layer.values()) + 1) if layer else 0, height)


@dataclass(frozen=True)
class _Waypoint:
    """The slot an edge `(source, target)` takes in a column `layer` it passes through (never equal to a node)."""

    source: Hashable
    target: Hashable
    layer: int


def _column(slot: Hashable, layer: Mapping[Hashable, int]) -> int:
    return slot.layer if isinstance(slot, _Waypoint) else layer[slot]


def _assign_layers(
    graph: nx.DiGraph,
    base: Mapping[Hashable, int],
    order: Mapping[Hashable, int],
    align: Sequence[Collection[Hashable]],
) -> dict[Hashable, int]:
    """Longest-path layering from the base layers, each aligned group lifted to its rightmost member's column.

    Both steps only move nodes right, so repeating them settles; a group that an edge path runs through
    cannot share a column, and after `len(graph)` rounds the last layering stands with the edges satisfied.
    """
    forward = nx.DiGraph()
    forward.add_nodes_from(graph.nodes)
    forward.add_edges_from((u, v) for u, v in graph.edges if u != v and base[u] <= base[v])
    _break_cycles(forward, order)
    topological = list(nx.lexicographical_topological_sort(forward, key=order.__getitem__))
    groups = [[node for node in group if node in graph] for group in align]
    layer = {node: base[node] for node in graph.nodes}

    def settle() -> None:
        for node in topological:
            for successor in forward.successors(node):
                layer[successor] = max(layer[successor], layer[node] + 1)

    for _round in range(len(graph) + 1):
        settle()
        moved = False
        for group in groups:
            column = max((layer[node] for node in group), default=0)
            for node in group:
                moved |= layer[node] != column
                layer[node] = column
        if not moved:
            break
    else:  # the groups cannot all be aligned: the edges have the last word
        settle()
    used = sorted(set(layer.values()))  # an empty column (no people drawn) takes no room
    compact = {value: i for i, value in enumerate(used)}
    return {node: compact[value] for node, value in layer.items()}


def _break_cycles(graph: nx.DiGraph, order: Mapping[Hashable, int]) -> None:
    """Remove, in place, each edge that closes a cycle in a depth-first search taken in graph order."""
    state: dict[Hashable, int] = {}  # 1 on the stack, 2 done
    back: list[tuple[Hashable, Hashable]] = []
    for root in sorted(graph.nodes, key=order.__getitem__):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(graph.successors(root), key=order.__getitem__)))]
        while stack:
            node, successors = stack[-1]
            for successor in successors:
                if state.get(successor) == 1:
                    back.append((node, successor))
                elif successor not in state:
                    state[successor] = 1
                    stack.append((successor, iter(sorted(graph.successors(successor), key=order.__getitem__))))
                    break
            else:
                state[node] = 2
                stack.pop()
    graph.remove_edges_from(back)


def _add_waypoints(
    graph: nx.DiGraph, layer: Mapping[Hashable, int], order: Mapping[Hashable, int]
) -> tuple[list[list[Hashable]], dict[tuple[Hashable, Hashable], list[Hashable]]]:
    """Each column's slots (nodes in graph order, then waypoints), and each edge's path of slots."""
    columns = max(layer.values(), default=-1) + 1
    slots: list[list[Hashable]] = [[] for _ in range(columns)]
    for node in sorted(graph.nodes, key=order.__getitem__):
        slots[layer[node]].append(node)
    paths: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    for source, target in graph.edges:
        a, b = layer[source], layer[target]
        step = 1 if b >= a else -1
        between = [_Waypoint(source, target, c) for c in range(a + step, b, step)]
        for waypoint in between:
            slots[waypoint.layer].append(waypoint)
        paths[(source, target)] = [source, *between, target]
    return slots, paths


def _neighbours(paths: Mapping[tuple[Hashable, Hashable], list[Hashable]]) -> dict[Hashable, list[Hashable]]:
    """Slots joined by a segment of some route, both ways."""
    linked: dict[Hashable, list[Hashable]] = {}
    for path in paths.values():
        for a, b in pairwise(path):
            linked.setdefault(a, []).append(b)
            linked.setdefault(b, []).append(a)
    return linked


def _order_rows(
    slots: list[list[Hashable]], paths: Mapping[tuple[Hashable, Hashable], list[Hashable]]
) -> list[list[Hashable]]:
    """Slots of each column top to bottom, by barycentre sweeps; the ordering with fewest crossings wins."""
    linked = _neighbours(paths)
    column_of = {slot: c for c, column in enumerate(slots) for slot in column}
    ranks = [list(column) for column in slots]
    best, best_crossings = [list(c) for c in ranks], _crossings(ranks, linked, column_of)
    for sweep in range(_SWEEPS):
        indices = range(1, len(ranks)) if sweep % 2 == 0 else range(len(ranks) - 2, -1, -1)
        fixed_offset = -1 if sweep % 2 == 0 else 1
        for c in indices:
            reference = {slot: i for i, slot in enumerate(ranks[c + fixed_offset])}
            current = {slot: i for i, slot in enumerate(ranks[c])}

            def barycentre(
                slot: Hashable, reference: dict[Hashable, int] = reference, current: dict[Hashable, int] = current
            ) -> tuple[float, int]:
                near = [reference[n] for n in linked.get(slot, ()) if n in reference]
                return (sum(near) / len(near) if near else float(current[slot]), current[slot])

            ranks[c].sort(key=barycentre)
        crossings = _crossings(ranks, linked, column_of)
        if crossings < best_crossings:
            best, best_crossings = [list(c) for c in ranks], crossings
    return best


def _crossings(
    ranks: list[list[Hashable]], linked: Mapping[Hashable, list[Hashable]], column_of: Mapping[Hashable, int]
) -> int:
    """Crossing segments between neighbouring columns (inversions, counted by merge sort)."""
    total = 0
    for c in range(len(ranks) - 1):
        left = {slot: i for i, slot in enumerate(ranks[c])}
        right = {slot: i for i, slot in enumerate(ranks[c + 1])}
        pairs = sorted((left[a], right[b]) for a in ranks[c] for b in linked.get(a, ()) if column_of.get(b) == c + 1)
        total += _inversions([b for _a, b in pairs])
    return total


def _inversions(values: list[int]) -> int:
    if len(values) < 2:
        return 0
    middle = len(values) // 2
    left, right = values[:middle], values[middle:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    j = 0
    for value in left:
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count


def _size(slot: Hashable) -> float:
    return _WAYPOINT_SIZE if isinstance(slot, _Waypoint) else _NODE_SIZE


def _place_rows(
    ranks: list[list[Hashable]], paths: Mapping[tuple[Hashable, Hashable], list[Hashable]]
) -> dict[Hashable, float]:
    """A y per slot: each column keeps its order and spacing and moves towards its neighbours' mean height."""
    linked = _neighbours(paths)
    ys: dict[Hashable, float] = {}
    tallest = max((_column_span(column) for column in ranks), default=0.0)
    for column in ranks:
        offset = (tallest - _column_span(column)) / 2
        for slot, y in zip(column, _stacked(column), strict=True):
            ys[slot] = y + offset
    for round_ in range(_PLACEMENT_ROUNDS):
        indices = range(len(ranks)) if round_ % 2 == 0 else range(len(ranks) - 1, -1, -1)
        for c in indices:
            column = ranks[c]
            wanted = []
            for slot in column:
                near = [ys[n] for n in linked.get(slot, ())]
                wanted.append(sum(near) / len(near) if near else ys[slot])
            for slot, y in zip(column, _keep_spacing(column, wanted), strict=True):
                ys[slot] = y
    low = min(ys.values(), default=0.0)
    return {slot: round(y - low, 6) for slot, y in ys.items()}


def _stacked(column: Sequence[Hashable]) -> list[float]:
    """Tops of slots stacked with their minimum spacing, starting at 0."""
    ys, y = [], 0.0
    for i, slot in enumerate(column):
        if i:
            y += (_size(column[i - 1]) + _size(slot)) / 2
        ys.append(y)
    return ys


def _column_span(column: Sequence[Hashable]) -> float:
    stacked = _stacked(column)
    return stacked[-1] if stacked else 0.0


def _keep_spacing(column: Sequence[Hashable], wanted: Sequence[float]) -> list[float]:
    """The heights nearest `wanted` (least squares) that keep the column's order and minimum spacing.

    Subtracting each slot's stacked offset turns the spacing constraints into plain order, which isotonic
    regression (pool adjacent violators) solves exactly.
    """
    offsets = _stacked(column)
    targets = [w - o for w, o in zip(wanted, offsets, strict=True)]
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value in targets:
        blocks.append([value, 1.0, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean_b, weight_b, count_b = blocks.pop()
            mean_a, weight_a, count_a = blocks[-1]
            weight = weight_a + weight_b
            blocks[-1] = [(mean_a * weight_a + mean_b * weight_b) / weight, weight, count_a + count_b]
    fitted = [mean for mean, _weight, count in blocks for _ in range(int(count))]
    return [f + o for f, o in zip(fitted, offsets, strict=True)]
