"""How a scenario looks to Cedar: the entities, with their attributes, tags and parents.

The types and attributes are those of the scenario's schema (policy.cedar_schema). Cedar has no floating-point
numbers, so every number (resource value, risk score, amount) is passed as its floor: `x >= n` and `x < n`
against whole numbers stay exact. Resources of every kind carry the same attributes so a policy can say
`resource.sensitivity == "restricted"` without a type test; a tool is classified at the high-water mark of
what it touches (its most sensitive resource, any PII), which is what an agent that calls it can reach.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from workbench.model import Dataset, Scenario, Secret, Tool
from workbench.policy.cedar_schema import PRINCIPAL_TYPES, RESOURCE_TYPES, CedarNames

__all__ = ["ENTITY_KINDS", "cedar_entities", "cedar_entities_json", "cedar_number"]

ENTITY_KINDS: dict[str, str] = {
    "Role": "role",
    **{cedar: kind for kind, cedar in PRINCIPAL_TYPES.items()},
    **{cedar: kind for kind, cedar in RESOURCE_TYPES.items()},
}
"""Cedar entity type (without namespace) -> scenario entity kind."""

_SENSITIVITY_ORDER = ("public", "internal", "confidential", "restricted")


def cedar_number(value: float) -> int:
    """A number as Cedar sees it: its floor (Cedar has only 64-bit integers)."""
    return math.floor(value)


def cedar_entities(scenario: Scenario, names: CedarNames | None = None) -> list[dict[str, Any]]:
    """Every agent, service account, role, dataset, secret and tool as Cedar JSON entities, in file order,
    with their tags and parents (roles; the dataset a dataset is `part_of`)."""
    names = names or CedarNames()
    entities: list[dict[str, Any]] = [_entity(names, "Role", role.id, {}) for role in scenario.roles]
    for agent in scenario.agents:
        attrs = _identity(
            kind="agent",
            environment=agent.environment,
            autonomy=agent.autonomy,
            untrusted_input=agent.untrusted_input,
            audit_logging=agent.audit_logging,
            legacy=False,
            owner=agent.owner,
            tools=agent.tools,
            names=names,
        )
        if agent.business_purpose is not None:
            attrs["business_purpose"] = agent.business_purpose
        entities.append(_entity(names, "Agent", agent.id, attrs, roles=agent.roles, tags=agent.tags))
    for account in scenario.service_accounts:
        attrs = _identity(
            kind="service_account",
            environment=account.environment,
            autonomy="none",
            untrusted_input=False,
            audit_logging=False,
            legacy=account.legacy,
            owner=account.owner,
            tools=(),
            names=names,
        )
        entities.append(_entity(names, "ServiceAccount", account.id, attrs, roles=account.roles, tags=account.tags))
    for d in scenario.datasets:
        parents = [] if d.part_of is None else [{"type": names.type("Dataset"), "id": d.part_of}]
        entities.append(_entity(names, "Dataset", d.id, _dataset(d), parents=parents, tags=d.tags))
    entities.extend(_entity(names, "Secret", s.id, _secret(s), tags=s.tags) for s in scenario.secrets)
    entities.extend(_entity(names, "Tool", t.id, _tool(scenario, t), tags=t.tags) for t in scenario.tools)
    return entities


def cedar_entities_json(scenario: Scenario, names: CedarNames | None = None) -> str:
    """`cedar_entities` as the JSON document cedarpy parses."""
    return json.dumps(cedar_entities(scenario, names), sort_keys=True)


def _entity(
    names: CedarNames,
    cedar_type: str,
    entity_id: str,
    attrs: dict[str, Any],
    *,
    roles: Iterable[str] = (),
    parents: Iterable[dict[str, str]] = (),
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uid": {"type": names.type(cedar_type), "id": entity_id},
        "attrs": attrs,
        "parents": [*({"type": names.type("Role"), "id": role} for role in roles), *parents],
    }
    if tags:
        out["tags"] = dict(tags)
    return out


def _identity(
    *,
    kind: str,
    environment: str,
    autonomy: str,
    untrusted_input: bool,
    audit_logging: bool,
    legacy: bool,
    owner: str | None,
    tools: Iterable[str],
    names: CedarNames,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "environment": environment,
        "autonomy": autonomy,
        "untrusted_input": untrusted_input,
        "audit_logging": audit_logging,
        "legacy": legacy,
        "owner": owner or "",
        "tools": [{"__entity": {"type": names.type("Tool"), "id": tool}} for tool in tools],
    }


def _asset(*, kind: str, environment: str, sensitivity: str, value: float, pii: bool, external: bool) -> dict[str, Any]:
    return {
        "kind": kind,
        "environment": environment,
        "sensitivity": sensitivity,
        "value": cedar_number(value),
        "pii": pii,
        "external": external,
    }


def _dataset(dataset: Dataset) -> dict[str, Any]:
    return _asset(
        kind=dataset.kind,
        environment=dataset.environment,
        sensitivity=dataset.sensitivity,
        value=dataset.value,
        pii=dataset.pii,
        external=False,
    )


def _secret(secret: Secret) -> dict[str, Any]:
    # Secrets weigh as value 1 in blast-radius scores (docs/architecture.md); Cedar sees the same.
    return _asset(
        kind=secret.kind,
        environment=secret.environment,
        sensitivity=secret.sensitivity,
        value=1.0,
        pii=False,
        external=False,
    )


def _tool(scenario: Scenario, tool: Tool) -> dict[str, Any]:
    touched = [scenario.by_id.get(access.resource) for access in tool.accesses]
    assets = [item for item in touched if isinstance(item, Dataset | Secret)]
    sensitivity = max((a.sensitivity for a in assets), key=_SENSITIVITY_ORDER.index, default="public")
    return _asset(
        kind=tool.kind,
        environment=tool.environment,
        sensitivity=sensitivity,
        value=max((a.value if isinstance(a, Dataset) else 1.0 for a in assets), default=0.0),
        pii=any(isinstance(a, Dataset) and a.pii for a in assets),
        external=tool.external,
    )
