"""A control design written out as Cedar a team can deploy: schema, policies and entities for the scenario.

What each kind exports is its own module's business (`cedar_policies` next to its `build`); this module holds
what every export shares: Cedar names and strings written safely (scenario text is hostile: ids are Cedar
strings, prose only ever appears in one-line comments), forbids for the blocked actions, the `@id`
annotations and the comments that cite the scenario's lines.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import cast

from workbench.errors import PolicyError, Problem
from workbench.escaping import cedar_comment, cedar_string, quote
from workbench.graph.scoring import permission_weight, risk_level
from workbench.model import BlockedAction, Control, Scenario
from workbench.policy.cedar_entities import cedar_entities
from workbench.policy.cedar_schema import PRINCIPAL_TYPES, RESOURCE_TYPES, CedarNames, cedar_schema_text
from workbench.policy.risk import risk_at_least
from workbench.policy.standing import Grant, Standing

__all__ = ["CedarExport", "Writer", "cedar_export", "forbid_blocks", "permit_pairs", "principals"]


@dataclass(frozen=True, slots=True)
class CedarExport:
    """The three files of an export, as text."""

    schema: str
    policies: str
    entities: str


class Writer:
    """Builds a policy file: statements with an `@id` and a comment that says where they come from."""

    def __init__(self, scenario: Scenario, names: CedarNames) -> None:
        self.scenario = scenario
        self.names = names
        self.chunks: list[str] = []

    def cite(self, path: tuple[str | int, ...]) -> str:
        """'file.yaml:LINE' of a scenario path (the file's name only: exports travel)."""
        file, line, _column = self.scenario.locate(path)
        return f"{PurePath(file).name}:{line}"

    def comment(self, *lines: str) -> None:
        """One `//` comment line per line, escaped so no scenario text can end a comment early."""
        self.chunks.extend(f"// {cedar_comment(line)}" for line in lines)

    def policy(self, policy_id: str, text: str, *, why: Iterable[str] = ()) -> None:
        """A statement with its `@id` and comments (`text` is Cedar built from escaped parts only)."""
        self.comment(*why)
        self.chunks.append(f"@id({cedar_string(policy_id)})\n{text};\n")

    def uid(self, entity_id: str) -> str:
        """`Type::"id"` of a scenario entity, by its kind."""
        kind = self.scenario.kinds[entity_id]
        cedar_type = PRINCIPAL_TYPES.get(kind) or RESOURCE_TYPES[kind]
        return f"{self.names.type(cedar_type)}::{cedar_string(entity_id)}"

    def action(self, action: str) -> str:
        """`Action::"read"`."""
        return f"{self.names.type('Action')}::{cedar_string(action)}"

    def text(self) -> str:
        """The policy file."""
        return "\n".join(self.chunks)


def forbid_blocks(writer: Writer) -> None:
    """A forbid per blocked action, as the designs apply them (identity or the account it runs as)."""
    scenario = writer.scenario
    for index, block in enumerate(scenario.blocked_actions):
        writer.policy(
            f"blocked:{block.id}",
            _forbid(writer, block),
            why=(
                f"Blocked action {block.id} ({writer.cite(('blocked_actions', index))}): denied in every design.",
                *([f"Reason: {block.reason}"] if block.reason else []),
            ),
        )


def _forbid(writer: Writer, block: BlockedAction) -> str:
    scenario = writer.scenario
    head = "forbid (\n  principal"
    conditions: list[str] = []
    if block.identity != "*":
        acting = [block.identity] + [a.id for a in scenario.agents if a.runs_as == block.identity]
        acting = [i for i in acting if scenario.kinds.get(i) in PRINCIPAL_TYPES]
        if len(acting) == 1:
            head += f" == {writer.uid(acting[0])}"
        else:
            conditions.append(" || ".join(f"principal == {writer.uid(i)}" for i in acting) or "false")
    head += ",\n  action"
    if block.action != "*":
        head += f" == {writer.action(block.action)}"
    head += ",\n  resource"
    if block.resource != "*":
        if scenario.kinds.get(block.resource) in RESOURCE_TYPES:
            head += f" == {writer.uid(block.resource)}"
        else:
            conditions.append("false")  # a block on something no request can name never binds
    head += "\n)"
    when = block.when
    if when is not None:
        if when.amount_above is not None:
            # Cedar sees amounts as whole numbers (their floor): a > t <=> floor(a) > floor(t) for whole t.
            conditions.append(f"context has amount && context.amount > {math.floor(when.amount_above)}")
        if when.environments:
            listed = ", ".join(cedar_string(e) for e in when.environments)
            conditions.append(f"[{listed}].contains(context.environment)")
        if when.untrusted_input is not None:
            conditions.append(f"principal.untrusted_input == {str(when.untrusted_input).lower()}")
    if not conditions:
        return head
    return head + " when {\n  " + " &&\n  ".join(f"({c})" for c in conditions) + "\n}"


Exporter = Callable[..., None]
"""`cedar_policies(scenario, control, *, standing, writer)` of a design module."""


def cedar_export(scenario: Scenario, control: Control, *, standing: Standing) -> CedarExport:
    """The design `control` as Cedar for `scenario`: the schema, the policies (strictly validated against
    it) and the entities. `standing` is every identity's effective permissions, the entitlement a JIT
    design bounds tokens by. Raises PolicyError if the kind has no Cedar export."""
    module = importlib.import_module(f"workbench.policy.{control.kind}")
    exporter = cast(Exporter | None, getattr(module, "cedar_policies", None))
    if exporter is None:
        message = f"design {quote(control.label)} ({control.kind}) has no Cedar export"
        raise PolicyError([Problem("<command line>", 1, 1, "--design", message, "cedar-export")])
    names = CedarNames()
    writer = Writer(scenario, names)
    writer.comment(
        f"Cedar policies for design {control.label} of scenario {scenario.name}, written by `workbench export cedar`.",
        "Validate against schema.cedarschema; entities.json holds the scenario's agents, roles and resources.",
        "",
    )
    exporter(scenario, control, standing=standing, writer=writer)
    policies = writer.text()
    schema = cedar_schema_text(scenario)
    import cedarpy

    result = cedarpy.validate_policies(policies, cedarpy.Schema.from_str(schema))
    if not result.validation_passed:  # a bug in the exporter, never the user's: fail loudly
        raise AssertionError(f"exported policies do not validate: {result.errors}")
    entities = json.dumps(cedar_entities(scenario, names), indent=2, sort_keys=True) + "\n"
    return CedarExport(schema=schema, policies=policies, entities=entities)


def principals(scenario: Scenario) -> list[str]:
    """Every identity Cedar authorises (agents, then service accounts), in file order."""
    return [a.id for a in scenario.agents] + [s.id for s in scenario.service_accounts]


def permit_pairs(
    writer: Writer,
    policy_id: str,
    principal: str,
    pairs: Sequence[Grant],
    *,
    approval_at: str,
    condition: str | None,
    why: str,
) -> None:
    """Permits for `principal` on exactly `pairs` (one policy per action and resource type), under
    `condition`; pairs of `approval_at` risk or more only with a live approval, so they are stepped up."""
    groups: dict[tuple[str, str, bool], list[str]] = {}
    for action, resource in pairs:
        kind = writer.scenario.kinds.get(resource)
        if kind not in RESOURCE_TYPES:
            continue
        risky = risk_at_least(risk_level(permission_weight(writer.scenario, action, resource)), approval_at)
        groups.setdefault((action, RESOURCE_TYPES[kind], risky), []).append(resource)
    for (action, cedar_type, risky), resources in sorted(groups.items()):
        listed = ", ".join(writer.uid(r) for r in resources)
        conditions = [f"[{listed}].contains(resource)"]
        if condition is not None:
            conditions.append(condition)
        if risky:
            conditions.append("context.approval_live")
        text = (
            f"permit (\n  principal == {writer.uid(principal)},\n  action == {writer.action(action)},\n"
            f"  resource is {writer.names.type(cedar_type)}\n) when {{\n  " + " &&\n  ".join(conditions) + "\n}"
        )
        suffix = ":approval" if risky else ""
        note = f"{approval_at} risk or more: only with a live approval (else stepped up)." if risky else ""
        writer.policy(f"{policy_id}:{action}:{cedar_type}{suffix}", text, why=(why, *([note] if note else [])))
