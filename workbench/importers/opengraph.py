"""BloodHound OpenGraph JSON -> a scenario: workbench's own export back, or another collector's graph.

Nodes become entities by their first kind: `Workbench<Kind>` (what `workbench graph --format opengraph`
writes) exactly, any other kind by what its name says (`...Agent`, `...MCPServer`/`...Tool`, `...Secret`/
`...Credential`/`...Token`/`...Key`, `...Role`, `...User`/`...Person`/`...Human`, `...ServiceAccount`/
`...ServicePrincipal`; anything else a system). Edges become the scenario fact that `build_graph` draws as that
edge (`has_role`, `holds_secret`, `uses_tool`, `grants`, ...), so a workbench graph survives the round trip:
exporting the imported scenario gives every node and edge again. An edge of a kind workbench does not model
is left out, and the scenario's description counts them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import Problem, ScenarioError
from workbench.importers.documents import JsonDocument
from workbench.importers.merge import build_scenario
from workbench.importers.naming import IdAllocator, one_line, slug
from workbench.model.common import ACTIONS
from workbench.model.scenario import Scenario

__all__ = ["import_opengraph"]

_SECTIONS = {
    "agent": "agents",
    "human": "humans",
    "service_account": "service_accounts",
    "tool": "tools",
    "dataset": "datasets",
    "secret": "secrets",
    "role": "roles",
}
_GUESSES = (
    (re.compile(r"serviceaccount|serviceprincipal|workloadidentity", re.I), "service_account"),
    (re.compile(r"agent", re.I), "agent"),
    (re.compile(r"mcpserver|tool|server|api", re.I), "tool"),
    (re.compile(r"secret|credential|token|key|password", re.I), "secret"),
    (re.compile(r"role|policy|permission", re.I), "role"),
    (re.compile(r"user|person|human", re.I), "human"),
)
_ATTRIBUTES = {
    "agent": {"environment", "untrusted_input", "autonomy", "audit_logging"},
    "service_account": {"environment", "legacy"},
    "tool": {"environment", "external", "tool_kind"},
    "dataset": {"environment", "sensitivity", "pii", "value", "dataset_kind"},
    "secret": {"environment", "kind", "stored_in", "sensitivity"},
    "human": {"offboarded"},
    "role": set(),
}


def _kind(kinds: list[str]) -> str:
    primary = kinds[0]
    if primary.startswith("Workbench"):
        name = re.sub(r"(?<!^)([A-Z])", r"_\1", primary.removeprefix("Workbench")).lower()
        if name in _SECTIONS:
            return name
    for pattern, kind in _GUESSES:
        if pattern.search(primary):
            return kind
    return "dataset"


@dataclass
class _Build:
    document: JsonDocument
    ids: IdAllocator = field(default_factory=IdAllocator)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: Sequence[str | int], message: str) -> None:
        self.problems.append(self.document.problem(path, message, "import-shape"))

    def provenance(self, path: Sequence[str | int]) -> dict[str, Any]:
        return self.document.provenance(path, "opengraph")


def import_opengraph(document: JsonDocument, *, as_of: dt.date, name: str = "imported-opengraph") -> Scenario:
    """A scenario of the nodes and edges of an OpenGraph file."""
    data = document.data
    build = _Build(document)
    graph = data.get("graph") if isinstance(data, dict) else None
    if (
        not isinstance(graph, dict)
        or not isinstance(graph.get("nodes", []), list)
        or not isinstance(graph.get("edges", []), list)
    ):
        raise ScenarioError(
            [
                document.problem(
                    ("graph",) if isinstance(data, dict) else (),
                    "expected an OpenGraph document with graph.nodes and graph.edges lists",
                    "import-shape",
                )
            ]
        )
    ids: dict[str, str] = {}
    for index, node in enumerate(graph.get("nodes", [])):
        path = ("graph", "nodes", index)
        kinds = node.get("kinds") if isinstance(node, dict) else None
        if (
            not isinstance(node, dict)
            or not isinstance(node.get("id"), str)
            or not isinstance(kinds, list)
            or not kinds
            or not all(isinstance(k, str) for k in kinds)
        ):
            build.problem(path, "a node needs a string 'id' and a non-empty list of string 'kinds'")
            continue
        properties = node.get("properties") or {}
        if not isinstance(properties, dict):
            build.problem((*path, "properties"), "'properties' must be an object")
            continue
        kind = _kind(kinds)
        node_id = build.ids(
            f"node\x00{node['id']}", slug(node["id"], fallback="node") if not _is_id(node["id"]) else node["id"]
        )
        ids[node["id"]] = node_id
        entity: dict[str, Any] = {"id": node_id}
        label = properties.get("name")
        if kind in ("agent", "human") and isinstance(label, str) and label != node["id"]:
            entity["name"] = one_line(label)
        for key in sorted(_ATTRIBUTES[kind]):
            value = properties.get(key)
            if value is None:
                continue
            target = {"tool_kind": "kind", "dataset_kind": "kind"}.get(key, key)
            entity[target] = value if not isinstance(value, str) else one_line(value)
        entity["provenance"] = [build.provenance(path)]
        build.entities[node_id] = entity
        build.kinds[node_id] = kind
    delegations: list[dict[str, Any]] = []
    approvals: list[dict[str, Any]] = []
    foreign = 0
    for index, edge in enumerate(graph.get("edges", [])):
        path = ("graph", "edges", index)
        if not isinstance(edge, dict) or not isinstance(edge.get("kind"), str):
            build.problem(path, "an edge needs a string 'kind'")
            continue
        ends = []
        for end in ("start", "end"):
            ref = edge.get(end)
            value = ref.get("value") if isinstance(ref, dict) else None
            if not isinstance(value, str) or value not in ids:
                build.problem((*path, end), f"'{end}' must name a node of the file by its id")
                break
            ends.append(ids[value])
        if len(ends) != 2:
            continue
        properties = edge.get("properties") or {}
        properties = properties if isinstance(properties, dict) else {}
        if not _edge(build, edge["kind"], ends[0], ends[1], properties, delegations, approvals, path):
            foreign += 1
    if build.problems:
        raise ScenarioError(build.problems)
    document_out: dict[str, Any] = {
        "schema_version": 1,
        "name": name,
        "title": "Imported OpenGraph",
        "as_of": as_of,
        **({"description": f"{foreign} edge(s) of kinds workbench does not model were left out."} if foreign else {}),
    }
    for kind, section in _SECTIONS.items():
        document_out[section] = [e for i, e in build.entities.items() if build.kinds[i] == kind]
    document_out["delegations"] = delegations
    document_out["approvals"] = approvals
    return build_scenario(document_out, file=document.file)


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


def _is_id(value: str) -> bool:
    return bool(_ID.match(value))


def _action(properties: dict[str, Any]) -> str:
    action = properties.get("action")
    return action if action in (*ACTIONS, "*") else "*"


def _edge(
    build: _Build,
    kind: str,
    source: str,
    target: str,
    properties: dict[str, Any],
    delegations: list[dict[str, Any]],
    approvals: list[dict[str, Any]],
    path: tuple[str | int, ...],
) -> bool:
    """Record the scenario fact an edge stands for; False for an edge kind workbench does not model."""
    name = re.sub(r"(?<!^)([A-Z])", r"_\1", kind.removeprefix("Workbench")).lower()
    entity, kinds = build.entities[source], build.kinds
    target_entity = build.entities[target]

    def append(key: str, value: Any) -> None:
        values = entity.setdefault(key, [])
        if value not in values:
            values.append(value)

    if name == "has_role" and kinds[target] == "role" and kinds[source] in ("agent", "human", "service_account"):
        append("roles", target)
    elif name == "owns" and kinds[source] == "human" and kinds[target] in ("agent", "service_account"):
        target_entity["owner"] = source
    elif name == "runs_as" and kinds[target] == "service_account" and kinds[source] in ("agent", "tool"):
        entity["runs_as"] = target
    elif name == "holds_secret" and kinds[target] == "secret" and kinds[source] in ("agent", "service_account"):
        stored = properties.get("stored_in")
        append("credentials", {"secret": target, **({"stored_in": stored} if isinstance(stored, str) else {})})
    elif name == "uses_tool" and kinds[source] == "agent" and kinds[target] == "tool":
        append("tools", target)
    elif name == "tool_accesses" and kinds[source] == "tool":
        accesses = entity.setdefault("accesses", [])
        action = _action(properties)
        found = next((a for a in accesses if a["resource"] == target), None)
        if found is None:
            accesses.append({"resource": target, "actions": list(ACTIONS) if action == "*" else [action]})
        elif action not in found["actions"] and action != "*":
            found["actions"].append(action)
    elif name == "tool_uses_credential" and kinds[source] == "tool" and kinds[target] == "secret":
        entity["credential"] = target
    elif name == "authenticates_as" and kinds[source] == "secret" and kinds[target] == "service_account":
        entity["authenticates_as"] = target
    elif name in ("grants", "secret_grants") and kinds[source] == ("role" if name == "grants" else "secret"):
        append("permissions" if name == "grants" else "grants", {"action": _action(properties), "resource": target})
    elif name == "delegates_to" and kinds[target] == "agent" and kinds[source] in ("agent", "human"):
        scope = properties.get("scope")
        try:
            pairs = json.loads(scope) if isinstance(scope, str) else []
        except ValueError:
            pairs = []
        delegation_id = properties.get("delegation")
        delegations.append(
            {
                "id": build.ids(
                    f"delegation\x00{delegation_id}\x00{path}",
                    str(delegation_id)
                    if isinstance(delegation_id, str) and _is_id(delegation_id)
                    else f"delegation:{source}.{target}",
                ),
                "delegator": source,
                "delegate": target,
                "scope": [{"action": a, "resource": r} for a, r in pairs if isinstance(a, str) and isinstance(r, str)],
                "attenuated": properties.get("attenuated") is not False,
                **({"expires": properties["expires"]} if isinstance(properties.get("expires"), str) else {}),
                "provenance": [build.provenance(path)],
            }
        )
    elif name == "approved_by" and kinds[source] == "agent" and kinds[target] == "human":
        approval_id = properties.get("approval")
        approvals.append(
            {
                "id": build.ids(
                    f"approval\x00{approval_id}\x00{path}",
                    str(approval_id) if isinstance(approval_id, str) and _is_id(approval_id) else f"approval:{source}",
                ),
                "agent": source,
                "approver": target,
                "business_purpose": "Imported from OpenGraph: the graph does not carry the purpose.",
                "granted": properties.get("granted") if isinstance(properties.get("granted"), str) else "1970-01-01",
                **({"expires": properties["expires"]} if isinstance(properties.get("expires"), str) else {}),
            }
        )
    else:
        return False
    return True
