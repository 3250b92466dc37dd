"""Serialise a `build_graph` graph: GraphML and JSON node-link for tools, Mermaid and DOT for people.

Every format is produced as text, in the graph's insertion order, so the same scenario always exports to the
same bytes. DOT is written directly (no graphviz dependency). Every name is escaped for its language by
`workbench.escaping`: Mermaid labels with `#code;` entities (quotes, pipes, brackets, `%%{init}%%`
directives), DOT strings with its escapes, GraphML text without what XML cannot carry.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from workbench.escaping import dot_string, json_safe, mermaid_label, xml_text

__all__ = ["OPENGRAPH_SOURCE_KIND", "to_dot", "to_graphml", "to_json", "to_mermaid", "to_node_link", "to_opengraph"]

_MERMAID_SHAPES = {
    "agent": ('(["', '"])'),
    "human": ('(("', '"))'),
    "service_account": ('[["', '"]]'),
    "tool": ('[/"', '"/]'),
    "dataset": ('[("', '")]'),
    "secret": ('{{"', '"}}'),
    "role": ('["', '"]'),
}
_MERMAID_STYLES = {
    "agent": "fill:#dbeafe,stroke:#1d4ed8",
    "human": "fill:#f3f4f6,stroke:#4b5563",
    "service_account": "fill:#fef3c7,stroke:#b45309",
    "tool": "fill:#ede9fe,stroke:#6d28d9",
    "dataset": "fill:#dcfce7,stroke:#15803d",
    "secret": "fill:#fee2e2,stroke:#b91c1c",
    "role": "fill:#ffffff,stroke:#6b7280",
}
_DOT_SHAPES = {
    "agent": "ellipse",
    "human": "circle",
    "service_account": "box3d",
    "tool": "parallelogram",
    "dataset": "cylinder",
    "secret": "hexagon",
    "role": "box",
}
_PASSIVE = frozenset({"owns", "approved_by", "tool_uses_credential"})
"""Edges drawn dotted: they record responsibility or a tool's own key, not access a caller gets."""


def _plain(value: Any) -> Any:
    """A GraphML-safe value: tuples and lists (a delegation's scope) become JSON text, and text keeps only
    characters XML 1.0 can carry (`workbench.escaping.xml_text`)."""
    if isinstance(value, list | tuple):
        return xml_text(json.dumps(value))
    return xml_text(value) if isinstance(value, str) else value


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML text (readable with `networkx.read_graphml`); a delegation's scope is stored as JSON text."""
    plain = nx.MultiDiGraph(**{k: _plain(v) for k, v in graph.graph.items()})
    plain.add_nodes_from((_plain(n), {k: _plain(v) for k, v in d.items()}) for n, d in graph.nodes(data=True))
    plain.add_edges_from(
        (_plain(u), _plain(v), key, {k: _plain(x) for k, x in d.items()})
        for u, v, key, d in graph.edges(keys=True, data=True)
    )
    return "\n".join(nx.generate_graphml(plain, prettyprint=True)) + "\n"


def to_node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx node-link data (`nodes`, `edges` with `source`, `target`, `key` and attributes)."""
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def to_json(graph: nx.MultiDiGraph) -> str:
    """Node-link JSON text; read back with `networkx.node_link_graph(json.loads(text), edges="edges")`."""
    return json_safe(json.dumps(to_node_link(graph), indent=2, ensure_ascii=False)) + "\n"


def _edge_groups(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Parallel edges of one kind between the same two nodes (e.g. grants of several actions), in order."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for u, v, data in graph.edges(data=True):
        groups.setdefault((u, v, data["kind"]), []).append(data)
    return groups


def _edge_label(kind: str, edges: list[dict[str, Any]]) -> str:
    actions = [d["action"] for d in edges if "action" in d]
    if actions:
        return f"{kind}: {', '.join(actions)}"
    notes = []
    for data in edges:
        if data.get("expired"):
            notes.append("expired")
        if kind == "delegates_to":
            notes.append("scoped" if data.get("scope") else "everything")
            if data.get("scope") and data.get("attenuated"):
                notes.append("attenuated")
    return f"{kind} ({', '.join(notes)})" if notes else kind


def to_mermaid(graph: nx.MultiDiGraph, *, direction: str = "LR") -> str:
    """A Mermaid flowchart, for Markdown reports; node shape and colour show the kind."""
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [f"flowchart {direction}"]
    for node, data in graph.nodes(data=True):
        kind = data["kind"]
        label = mermaid_label(str(data.get("label", node)))
        if str(data.get("label", node)) != str(node):
            label = f"{label}<br/>{mermaid_label(str(node))}"
        opening, closing = _MERMAID_SHAPES.get(kind, ('["', '"]'))
        lines.append(f"    {ids[node]}{opening}{label}{closing}:::{kind}")
    for (u, v, kind), edges in _edge_groups(graph).items():
        arrow = "-.->" if kind in _PASSIVE or any(d.get("expired") for d in edges) else "-->"
        lines.append(f'    {ids[u]} {arrow}|"{mermaid_label(_edge_label(kind, edges))}"| {ids[v]}')
    lines.extend(f"    classDef {kind} {style}" for kind, style in _MERMAID_STYLES.items())
    return "\n".join(lines) + "\n"


def to_dot(graph: nx.MultiDiGraph, *, rankdir: str = "LR") -> str:
    """Graphviz DOT text (render with `dot -Tsvg`); one line per node and per edge, all values quoted."""
    name = str(graph.graph.get("name") or "workbench")
    lines = [f"digraph {dot_string(name)} {{", f"    rankdir={rankdir};", '    node [fontname="Helvetica"];']
    for node, data in graph.nodes(data=True):
        kind = data["kind"]
        label = str(data.get("label", node))
        lines.append(
            f"    {dot_string(str(node))} [label={dot_string(label)}, shape={_DOT_SHAPES.get(kind, 'box')}, "
            f"kind={dot_string(kind)}];"
        )
    for (u, v, kind), edges in _edge_groups(graph).items():
        style = "dashed" if kind in _PASSIVE or any(d.get("expired") for d in edges) else "solid"
        lines.append(
            f"    {dot_string(str(u))} -> {dot_string(str(v))} [label={dot_string(_edge_label(kind, edges))}, "
            f"kind={dot_string(kind)}, style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


OPENGRAPH_SOURCE_KIND = "Workbench"
"""`metadata.source_kind` of workbench's OpenGraph files, and the prefix of its node and edge kinds."""


def _pascal(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _opengraph_value(value: Any) -> Any:
    """OpenGraph properties are primitives or flat lists of them; anything else is JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float | bool) for v in value):
        return list(value)
    return json.dumps(value, sort_keys=True)


def to_opengraph(graph: nx.MultiDiGraph) -> str:
    """BloodHound OpenGraph JSON: every node (kinds `WorkbenchAgent`, ...) and every edge (`WorkbenchHasRole`,
    ...) with its attributes as properties, so workbench's access graph can be explored in BloodHound."""
    nodes = [
        {
            "id": node,
            "kinds": [f"{OPENGRAPH_SOURCE_KIND}{_pascal(str(data.get('kind', 'entity')))}", OPENGRAPH_SOURCE_KIND],
            "properties": {
                "name": str(data.get("label") or node),
                "objectid": node,
                **{k: _opengraph_value(v) for k, v in data.items() if k not in ("label", "kind") and v is not None},
            },
        }
        for node, data in graph.nodes(data=True)
    ]
    edges = [
        {
            "kind": f"{OPENGRAPH_SOURCE_KIND}{_pascal(str(data.get('kind', 'edge')))}",
            "start": {"value": source, "match_by": "id"},
            "end": {"value": target, "match_by": "id"},
            "properties": {
                "key": str(key),
                **{k: _opengraph_value(v) for k, v in data.items() if k != "kind" and v is not None},
            },
        }
        for source, target, key, data in graph.edges(keys=True, data=True)
    ]
    document = {"metadata": {"source_kind": OPENGRAPH_SOURCE_KIND}, "graph": {"nodes": nodes, "edges": edges}}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
