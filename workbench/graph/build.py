"""Scenario -> typed networkx graph: one node per identity, role and asset, one edge per grant of access.

The graph is the shared picture every other graph function, export and finding works from. Insertion order is
scenario order (entities as `Scenario.iter_entities` yields them, each entity's edges in field order), so two
builds of the same scenario are identical, down to the bytes of every export.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from workbench.graph.permissions import delegation_live, expand_permissions, scenario_resources
from workbench.graph.scoring import asset_weight
from workbench.graph.vocabulary import NODE_KINDS, EdgeKind
from workbench.model.access import Role
from workbench.model.assets import Dataset, Secret, Tool
from workbench.model.identities import Agent, Human, ServiceAccount
from workbench.model.scenario import Scenario

__all__ = ["build_graph"]


def build_graph(scenario: Scenario) -> nx.MultiDiGraph:
    """The access graph of a scenario.

    Nodes carry `kind` (agent, human, service_account, tool, dataset, secret, role) and `label`, plus the
    attributes findings need (environment, sensitivity, value, weight, untrusted_input, external, ...).
    Edges carry `kind` and are keyed `kind` or `kind:action`; permission edges (grants, secret_grants,
    tool_accesses, uses_tool) carry the `action`, with wildcards expanded in scenario order. A
    `delegates_to` edge runs from delegator to delegate, keyed by the delegation id, and carries its
    expanded `scope`, `attenuated` and `expired` (judged against `scenario.as_of`).

    Every value is a plain scalar except a delegation's `scope` (a tuple of pairs); exports serialise it.
    """
    graph = nx.MultiDiGraph(name=scenario.name, as_of=scenario.as_of.isoformat())
    for kind, _path, item in scenario.iter_entities():
        if kind in NODE_KINDS:
            graph.add_node(item.id, **_node_attributes(kind, item, scenario))  # type: ignore[attr-defined]
    resources = scenario_resources(scenario)
    for _kind, _path, item in scenario.iter_entities():
        if isinstance(item, Human):
            _roles(graph, item.id, item.roles)
        elif isinstance(item, ServiceAccount):
            _owner(graph, item.owner, item.id)
            _roles(graph, item.id, item.roles)
            _credentials(graph, item.id, item.credentials)
        elif isinstance(item, Agent):
            _owner(graph, item.owner, item.id)
            _roles(graph, item.id, item.roles)
            if item.runs_as is not None:
                _edge(graph, item.id, item.runs_as, "runs_as")
            _credentials(graph, item.id, item.credentials)
            for tool in item.tools:
                _edge(graph, item.id, tool, "uses_tool", action="execute")
        elif isinstance(item, Tool):
            for access in item.accesses:
                for action in access.actions:
                    _edge(graph, item.id, access.resource, "tool_accesses", action=action)
            if item.credential is not None:
                _edge(graph, item.id, item.credential, "tool_uses_credential")
            if item.runs_as is not None:
                _edge(graph, item.id, item.runs_as, "runs_as")
        elif isinstance(item, Secret):
            for granted, resource in expand_permissions(item.grants, resources=resources):
                _edge(graph, item.id, resource, "secret_grants", action=granted)
            if item.authenticates_as is not None:
                _edge(graph, item.id, item.authenticates_as, "authenticates_as")
        elif isinstance(item, Role):
            for granted, resource in expand_permissions(item.permissions, resources=resources):
                _edge(graph, item.id, resource, "grants", action=granted)
    for delegation in scenario.delegations:
        attributes: dict[str, Any] = {
            "delegation": delegation.id,
            "attenuated": delegation.attenuated,
            "scope": tuple(expand_permissions(delegation.scope, resources=resources)),
            "expired": not delegation_live(delegation, as_of=scenario.as_of),
        }
        if delegation.expires is not None:
            attributes["expires"] = delegation.expires.isoformat()
        _edge(graph, delegation.delegator, delegation.delegate, "delegates_to", key=delegation.id, **attributes)
    for approval in scenario.approvals:
        attributes = {
            "approval": approval.id,
            "granted": approval.granted.isoformat(),
            "expired": approval.expires is not None and approval.expires < scenario.as_of,
        }
        if approval.expires is not None:
            attributes["expires"] = approval.expires.isoformat()
        _edge(graph, approval.agent, approval.approver, "approved_by", key=approval.id, **attributes)
    return graph


def _edge(
    graph: nx.MultiDiGraph, source: str, target: str, kind: EdgeKind, *, key: str | None = None, **attributes: Any
) -> None:
    """Add an edge once: a repeated grant (or a wildcard overlapping an explicit one) adds nothing."""
    action = attributes.get("action")
    key = key or (f"{kind}:{action}" if action else kind)
    for node in (source, target):
        if node not in graph:
            raise KeyError(f"'{node}' is referenced by a {kind} edge but is not an entity of the scenario")
    if not graph.has_edge(source, target, key):
        graph.add_edge(source, target, key=key, kind=kind, **attributes)


def _owner(graph: nx.MultiDiGraph, owner: str | None, owned: str) -> None:
    if owner is not None:
        _edge(graph, owner, owned, "owns")


def _roles(graph: nx.MultiDiGraph, identity: str, roles: list[str]) -> None:
    for role in roles:
        _edge(graph, identity, role, "has_role")


def _credentials(graph: nx.MultiDiGraph, identity: str, credentials: list[Any]) -> None:
    for credential in credentials:
        _edge(graph, identity, credential.secret, "holds_secret", stored_in=credential.stored_in)


def _node_attributes(kind: str, item: Any, scenario: Scenario) -> dict[str, Any]:
    """Plain scalar attributes only, so that GraphML and JSON exports carry them unchanged."""
    attributes: dict[str, Any] = {"kind": kind, "label": getattr(item, "name", None) or item.id}
    if isinstance(item, Agent):
        attributes.update(
            environment=item.environment,
            untrusted_input=item.untrusted_input,
            autonomy=item.autonomy,
            audit_logging=item.audit_logging,
        )
    elif isinstance(item, Human):
        attributes.update(offboarded=item.offboarded)
    elif isinstance(item, ServiceAccount):
        attributes.update(environment=item.environment, legacy=item.legacy)
    elif isinstance(item, Tool):
        attributes.update(tool_kind=item.kind, environment=item.environment, external=item.external)
    elif isinstance(item, Dataset):
        attributes.update(
            dataset_kind=item.kind,
            sensitivity=item.sensitivity,
            value=float(item.value),
            weight=asset_weight(scenario, item.id),
            pii=item.pii,
            environment=item.environment,
        )
    elif isinstance(item, Secret):
        attributes.update(
            secret_kind=item.kind,
            sensitivity=item.sensitivity,
            value=1.0,
            weight=asset_weight(scenario, item.id),
            stored_in=item.stored_in,
            environment=item.environment,
        )
    return attributes
