"""Scenario -> access graph: effective permissions, blast radius, attack paths and exports.

>>> from workbench.model import load_scenario
>>> from workbench.graph import compile_access, blast_radius
>>> scenario = load_scenario("scenarios/customer-support.yaml")  # doctest: +SKIP
>>> blast_radius(compile_access(scenario), "support-agent").score  # doctest: +SKIP
132.0

`build_graph` gives the typed networkx graph for exports, attack paths and findings; `compile_access` gives
the fast index the simulation queries. Both follow docs/architecture.md ("Access semantics").

Names are imported on first use, so that `workbench.graph.scoring` (which the policy layer imports for every
request's risk) does not pull in networkx and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.graph.access_queries import explain, who_can_reach
    from workbench.graph.attacks import AttackPath, attack_paths, restricted_assets, untrusted_agents
    from workbench.graph.blast import BLAST_RADIUS_COLUMNS, BlastRadius, blast_radius, blast_radius_records
    from workbench.graph.build import build_graph
    from workbench.graph.export import to_dot, to_graphml, to_json, to_mermaid, to_node_link, to_opengraph
    from workbench.graph.index import AccessIndex, UnknownEntityError, compile_access
    from workbench.graph.permissions import Pair, delegation_live, expand_permissions, scenario_resources
    from workbench.graph.reachability import access_view, is_permission, reachable_entities, reachable_permissions
    from workbench.graph.scoring import RISK_THRESHOLDS, asset_weight, permission_weight, risk_level
    from workbench.graph.summary import summarise_graph, to_mermaid_summary
    from workbench.graph.vocabulary import (
        ACCESS_EDGE_KINDS,
        ASSET_KINDS,
        CARRIER_KINDS,
        EDGE_KINDS,
        IDENTITY_KINDS,
        NODE_KINDS,
        PERMISSION_EDGE_KINDS,
        EdgeKind,
        Hop,
        NodeKind,
    )

_HOME: dict[str, str] = {
    "explain": "workbench.graph.access_queries",
    "who_can_reach": "workbench.graph.access_queries",
    "AttackPath": "workbench.graph.attacks",
    "attack_paths": "workbench.graph.attacks",
    "restricted_assets": "workbench.graph.attacks",
    "untrusted_agents": "workbench.graph.attacks",
    "BLAST_RADIUS_COLUMNS": "workbench.graph.blast",
    "BlastRadius": "workbench.graph.blast",
    "blast_radius": "workbench.graph.blast",
    "blast_radius_records": "workbench.graph.blast",
    "build_graph": "workbench.graph.build",
    "to_dot": "workbench.graph.export",
    "to_graphml": "workbench.graph.export",
    "to_json": "workbench.graph.export",
    "to_mermaid": "workbench.graph.export",
    "summarise_graph": "workbench.graph.summary",
    "to_mermaid_summary": "workbench.graph.summary",
    "to_node_link": "workbench.graph.export",
    "to_opengraph": "workbench.graph.export",
    "AccessIndex": "workbench.graph.index",
    "UnknownEntityError": "workbench.graph.index",
    "compile_access": "workbench.graph.index",
    "Pair": "workbench.graph.permissions",
    "delegation_live": "workbench.graph.permissions",
    "expand_permissions": "workbench.graph.permissions",
    "scenario_resources": "workbench.graph.permissions",
    "access_view": "workbench.graph.reachability",
    "is_permission": "workbench.graph.reachability",
    "reachable_entities": "workbench.graph.reachability",
    "reachable_permissions": "workbench.graph.reachability",
    "RISK_THRESHOLDS": "workbench.graph.scoring",
    "asset_weight": "workbench.graph.scoring",
    "permission_weight": "workbench.graph.scoring",
    "risk_level": "workbench.graph.scoring",
    "ACCESS_EDGE_KINDS": "workbench.graph.vocabulary",
    "ASSET_KINDS": "workbench.graph.vocabulary",
    "CARRIER_KINDS": "workbench.graph.vocabulary",
    "EDGE_KINDS": "workbench.graph.vocabulary",
    "IDENTITY_KINDS": "workbench.graph.vocabulary",
    "NODE_KINDS": "workbench.graph.vocabulary",
    "PERMISSION_EDGE_KINDS": "workbench.graph.vocabulary",
    "EdgeKind": "workbench.graph.vocabulary",
    "Hop": "workbench.graph.vocabulary",
    "NodeKind": "workbench.graph.vocabulary",
}
"""Module each public name lives in (no module is named like a public name, so imports never shadow one)."""

__all__ = [
    "ACCESS_EDGE_KINDS",
    "ASSET_KINDS",
    "BLAST_RADIUS_COLUMNS",
    "CARRIER_KINDS",
    "EDGE_KINDS",
    "IDENTITY_KINDS",
    "NODE_KINDS",
    "PERMISSION_EDGE_KINDS",
    "RISK_THRESHOLDS",
    "AccessIndex",
    "AttackPath",
    "BlastRadius",
    "EdgeKind",
    "Hop",
    "NodeKind",
    "Pair",
    "UnknownEntityError",
    "access_view",
    "asset_weight",
    "attack_paths",
    "blast_radius",
    "blast_radius_records",
    "build_graph",
    "compile_access",
    "delegation_live",
    "expand_permissions",
    "explain",
    "is_permission",
    "permission_weight",
    "reachable_entities",
    "reachable_permissions",
    "restricted_assets",
    "risk_level",
    "scenario_resources",
    "summarise_graph",
    "to_dot",
    "to_graphml",
    "to_json",
    "to_mermaid",
    "to_mermaid_summary",
    "to_node_link",
    "to_opengraph",
    "untrusted_agents",
    "who_can_reach",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workbench.graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
