"""The Cedar schema of a scenario: entity types, their attributes and hierarchies, actions and the context.

Derived from the scenario, so a policy is checked against what the scenario can actually ask: an attribute
is declared on a type only if some entity of the type has it (required if every one has it), entity tags
only on types whose entities carry tags, and the hierarchies are the scenario's (agents and service accounts
in their roles, datasets in the collections or systems they are `part_of`). The schema is declared once, as
Cedar's JSON schema; the human `.cedarschema` text is rendered from it (tests check Cedar reads both alike).
Every attribute is explained in docs/cedar.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.model import ACTIONS, Scenario

__all__ = [
    "ACTION_GROUPS",
    "CONTEXT",
    "PRINCIPAL_TYPES",
    "RESOURCE_TYPES",
    "CedarNames",
    "cedar_schema_json",
    "cedar_schema_text",
]

PRINCIPAL_TYPES: dict[str, str] = {"agent": "Agent", "service_account": "ServiceAccount"}
"""Scenario kinds Cedar authorises, and their Cedar type (other identities have no workload identity)."""

RESOURCE_TYPES: dict[str, str] = {"dataset": "Dataset", "secret": "Secret", "tool": "Tool"}
"""Scenario kinds a request can name as its resource, and their Cedar type."""

ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "read_only": ("read",),
    "mutating": ("write", "delete", "execute", "send", "transfer"),
}
"""Action groups policies can name (`action in Action::"read_only"`). Executing a tool counts as mutating:
what the tool does is not known to the caller's policy."""

CONTEXT: tuple[tuple[str, str, bool], ...] = (
    ("task", "String", True),
    ("in_intent", "Boolean", True),
    ("entitled", "Boolean", True),
    ("risk_score", "Long", True),
    ("risk_level", "String", True),
    ("environment", "String", True),
    ("approval_live", "Boolean", True),
    ("anomaly_flagged", "Boolean", True),
    ("hour", "Long", True),
    ("amount", "Long", False),
    ("via_tool", "String", True),
    ("on_behalf_of", "String", True),
)
"""The request context: (attribute, Cedar type, always present). `amount` is present only on steps that
carry one, so policies test `context has amount` first."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class CedarNames:
    """Cedar names under an optional namespace (`Acme::Agents`): `Agent` becomes `Acme::Agents::Agent`."""

    namespace: str | None = None

    def type(self, base: str) -> str:
        """The full name of entity type `base` (also `Action`)."""
        return base if not self.namespace else f"{self.namespace}::{base}"


def _attribute(cedar_type: str, required: bool) -> dict[str, Any]:
    if cedar_type.startswith("Set<"):
        shape: dict[str, Any] = {"type": "Set", "element": {"type": "Entity", "name": cedar_type[4:-1]}}
    else:
        shape = {"type": cedar_type}
    if not required:
        shape["required"] = False
    return shape


def _shape(present: Mapping[str, tuple[str, int]], count: int) -> dict[str, Any]:
    """A record of the attributes found on `count` entities: (Cedar type, how many entities have it)."""
    return {
        "type": "Record",
        "attributes": {name: _attribute(kind, seen == count) for name, (kind, seen) in present.items()},
    }


_IDENTITY_ATTRIBUTES = (
    ("kind", "String"),
    ("environment", "String"),
    ("autonomy", "String"),
    ("untrusted_input", "Boolean"),
    ("audit_logging", "Boolean"),
    ("legacy", "Boolean"),
    ("owner", "String"),
    ("tools", "Set<Tool>"),
)
_ASSET_ATTRIBUTES = (
    ("kind", "String"),
    ("environment", "String"),
    ("sensitivity", "String"),
    ("value", "Long"),
    ("pii", "Boolean"),
    ("external", "Boolean"),
)


def _entity_type(
    attributes: Sequence[tuple[str, str]],
    entities: Sequence[Any],
    *,
    parents: Sequence[str],
    optional: Iterable[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """One entity type: the fixed attributes, the optional ones some entity has (name, type, field), tags
    if any entity carries tags."""
    count = len(entities)
    present: dict[str, tuple[str, int]] = {name: (kind, count) for name, kind in attributes}
    for name, kind, field in optional:
        seen = sum(1 for entity in entities if getattr(entity, field) is not None)
        if seen:
            present[name] = (kind, seen)
    out: dict[str, Any] = {"memberOfTypes": list(parents), "shape": _shape(present, count)}
    if any(entity.tags for entity in entities):
        out["tags"] = {"type": "String"}
    return out


def cedar_schema_json(scenario: Scenario, *, namespace: str | None = None) -> dict[str, Any]:
    """The scenario's Cedar schema in Cedar's JSON schema format (`{namespace: {entityTypes, actions,
    commonTypes}}`); the empty namespace when `namespace` is None."""
    principals = [PRINCIPAL_TYPES[k] for k in ("agent", "service_account")]
    resources = [RESOURCE_TYPES[k] for k in ("dataset", "secret", "tool")]
    purpose = (("business_purpose", "String", "business_purpose"),)
    entity_types = {
        "Role": {"memberOfTypes": ["Role"]},
        "Agent": _entity_type(_IDENTITY_ATTRIBUTES, scenario.agents, parents=["Role"], optional=purpose),
        "ServiceAccount": _entity_type(_IDENTITY_ATTRIBUTES, scenario.service_accounts, parents=["Role"]),
        "Dataset": _entity_type(_ASSET_ATTRIBUTES, scenario.datasets, parents=["Dataset"]),
        "Secret": _entity_type(_ASSET_ATTRIBUTES, scenario.secrets, parents=[]),
        "Tool": _entity_type(_ASSET_ATTRIBUTES, scenario.tools, parents=[]),
    }
    context = {
        "type": "Record",
        "attributes": {name: _attribute(kind, always) for name, kind, always in CONTEXT},
    }
    actions: dict[str, Any] = {group: {} for group in ACTION_GROUPS}
    for action in ACTIONS:
        group = next(g for g, members in ACTION_GROUPS.items() if action in members)
        actions[action] = {
            "memberOf": [{"id": group}],
            "appliesTo": {"principalTypes": principals, "resourceTypes": resources, "context": {"type": "Context"}},
        }
    body = {"commonTypes": {"Context": context}, "entityTypes": entity_types, "actions": actions}
    return {namespace or "": body}


def cedar_schema_text(scenario: Scenario, *, namespace: str | None = None) -> str:
    """The same schema in Cedar's human schema syntax (`.cedarschema`)."""
    ((name, body),) = cedar_schema_json(scenario, namespace=namespace).items()
    lines: list[str] = []
    indent = "  " if name else ""
    for common, shape in body["commonTypes"].items():
        lines.append(f"{indent}type {common} = {_record(shape, indent)};")
    for entity, declared in body["entityTypes"].items():
        text = f"{indent}entity {entity}"
        if declared.get("memberOfTypes"):
            text += f" in [{', '.join(declared['memberOfTypes'])}]"
        if declared.get("shape", {}).get("attributes"):
            text += f" = {_record(declared['shape'], indent)}"
        if "tags" in declared:
            text += f" tags {_type(declared['tags'])}"
        lines.append(text + ";")
    for action, declared in body["actions"].items():
        text = f"{indent}action {_action_name(action)}"
        if declared.get("memberOf"):
            text += f" in [{', '.join(_action_name(m['id']) for m in declared['memberOf'])}]"
        applies = declared.get("appliesTo")
        if applies:
            text += (
                f" appliesTo {{\n{indent}  principal: [{', '.join(applies['principalTypes'])}],\n"
                f"{indent}  resource: [{', '.join(applies['resourceTypes'])}],\n"
                f"{indent}  context: {applies['context']['type']},\n{indent}}}"
            )
        lines.append(text + ";")
    text = "\n".join(lines) + "\n"
    if not name:
        return text
    return f"namespace {name} {{\n{text}}}\n"


def _action_name(name: str) -> str:
    return name if _IDENTIFIER.match(name) else json.dumps(name)


def _type(shape: Mapping[str, Any]) -> str:
    kind = shape["type"]
    if kind == "Set":
        return f"Set<{shape['element']['name']}>"
    return {"Boolean": "Bool"}.get(kind, kind)


def _record(shape: Mapping[str, Any], indent: str) -> str:
    fields = [
        f"{indent}  {name}{'' if declared.get('required', True) else '?'}: {_type(declared)},"
        for name, declared in shape["attributes"].items()
    ]
    return "{\n" + "\n".join(fields) + f"\n{indent}}}"
