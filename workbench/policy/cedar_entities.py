"""How a scenario looks to Cedar: the schema, the entities with their attributes, and the entity types.

Cedar has no floating-point numbers, so every number (resource value, risk score, amount) is passed as its
floor: `x >= n` and `x < n` against whole numbers stay exact. Resources of every kind carry the same
attributes so a policy can say `resource.sensitivity == "restricted"` without a type test; a tool is
classified at the high-water mark of what it touches (its most sensitive resource, any PII), which is what
an agent that calls it can reach.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from workbench.model import Dataset, Scenario, Secret, Tool

__all__ = [
    "CEDAR_SCHEMA",
    "ENTITY_KINDS",
    "PRINCIPAL_TYPES",
    "RESOURCE_TYPES",
    "cedar_entities",
    "cedar_entities_json",
    "cedar_number",
    "cedar_schema",
]

_IDENTITY = """{
  kind: String,
  environment: String,
  autonomy: String,
  untrusted_input: Bool,
  audit_logging: Bool,
  legacy: Bool,
  owner: String,
  tools: Set<Tool>,
}"""
_ASSET = """{
  kind: String,
  environment: String,
  sensitivity: String,
  value: Long,
  pii: Bool,
  external: Bool,
}"""
CEDAR_SCHEMA = f"""
type Context = {{
  task: String,
  in_intent: Bool,
  entitled: Bool,
  risk_score: Long,
  risk_level: String,
  environment: String,
  approval_live: Bool,
  anomaly_flagged: Bool,
  hour: Long,
  amount?: Long,
  via_tool: String,
  on_behalf_of: String,
}};
entity Role;
entity Agent, ServiceAccount in [Role] = {_IDENTITY};
entity Dataset, Secret, Tool = {_ASSET};
action read, write, delete, execute, send, transfer appliesTo {{
  principal: [Agent, ServiceAccount],
  resource: [Dataset, Secret, Tool],
  context: Context,
}};
"""
"""Workbench's Cedar schema: policies are validated against it when a scenario's design is built."""

ENTITY_KINDS: dict[str, str] = {
    "Agent": "agent",
    "ServiceAccount": "service_account",
    "Role": "role",
    "Dataset": "dataset",
    "Secret": "secret",
    "Tool": "tool",
}
"""Cedar entity type -> scenario entity kind."""

PRINCIPAL_TYPES: dict[str, str] = {"agent": "Agent", "service_account": "ServiceAccount"}
"""Scenario kinds Cedar authorises, and their Cedar type (other identities have no workload identity)."""

RESOURCE_TYPES: dict[str, str] = {"dataset": "Dataset", "secret": "Secret", "tool": "Tool"}
"""Scenario kinds a request can name as its resource, and their Cedar type."""

_SENSITIVITY_ORDER = ("public", "internal", "confidential", "restricted")


def cedar_schema() -> str:
    """The Cedar schema text (cedarpy parses it where needed; kept as text so nothing global is cached)."""
    return CEDAR_SCHEMA


def cedar_number(value: float) -> int:
    """A number as Cedar sees it: its floor (Cedar has only 64-bit integers)."""
    return math.floor(value)


def cedar_entities(scenario: Scenario) -> list[dict[str, Any]]:
    """Every agent, service account, role, dataset, secret and tool as Cedar JSON entities, in file order."""
    entities: list[dict[str, Any]] = [_entity("Role", role.id, {}) for role in scenario.roles]
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
        )
        entities.append(_entity("Agent", agent.id, attrs, parents=agent.roles))
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
        )
        entities.append(_entity("ServiceAccount", account.id, attrs, parents=account.roles))
    entities.extend(_entity("Dataset", d.id, _dataset(d)) for d in scenario.datasets)
    entities.extend(_entity("Secret", s.id, _secret(s)) for s in scenario.secrets)
    entities.extend(_entity("Tool", t.id, _tool(scenario, t)) for t in scenario.tools)
    return entities


def cedar_entities_json(scenario: Scenario) -> str:
    """`cedar_entities` as the JSON document cedarpy parses."""
    return json.dumps(cedar_entities(scenario), sort_keys=True)


def _entity(cedar_type: str, entity_id: str, attrs: dict[str, Any], *, parents: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "uid": {"type": cedar_type, "id": entity_id},
        "attrs": attrs,
        "parents": [{"type": "Role", "id": role} for role in parents],
    }


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
) -> dict[str, Any]:
    return {
        "kind": kind,
        "environment": environment,
        "autonomy": autonomy,
        "untrusted_input": untrusted_input,
        "audit_logging": audit_logging,
        "legacy": legacy,
        "owner": owner or "",
        "tools": [{"__entity": {"type": "Tool", "id": tool}} for tool in tools],
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
