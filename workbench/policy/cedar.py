"""The scenario's own Cedar policies as a control design, evaluated by the Cedar engine (cedarpy).

Requests are task-token requests, as in JIT: agents hold nothing standing and Cedar decides what a token
may carry. Step-up: a request Cedar denies now but would permit with `context.approval_live == true` is
stepped up to the design's approver pool; anything else Cedar denies is denied. Blocked actions are
checked before Cedar, exactly as in every other design.

Speed: policies and entities are parsed once per design, and decisions are memoised on the principal,
action, resource and only those context attributes the policies read, so the cache is exact (the clock
enters only as `hour`, and only if a policy reads it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import cedarpy

from workbench.errors import PolicyError, Problem
from workbench.escaping import quote
from workbench.model import Cedar, Scenario
from workbench.model.yaml_safe import FileProblem, read_limited
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision
from workbench.policy.blocked import BlockList, block_decision, block_list
from workbench.policy.cedar_entities import cedar_entities_json, cedar_number
from workbench.policy.cedar_schema import PRINCIPAL_TYPES, RESOURCE_TYPES, CedarNames, cedar_schema_json
from workbench.policy.cedar_source import MAX_CEDAR_BYTES, CompiledPolicies, compile_policies
from workbench.policy.standing import Grant, Standing, StandingIndex
from workbench.policy.step_up import needs_approval, resolve_pool

__all__ = ["CONTEXT_ATTRIBUTES", "CedarDesign", "build", "build_cedar", "cedar_context"]

Getter = Callable[[AccessRequest, AccessState, float], Any]

CONTEXT_ATTRIBUTES: tuple[str, ...] = (
    "amount",
    "anomaly_flagged",
    "approval_live",
    "entitled",
    "environment",
    "hour",
    "in_intent",
    "on_behalf_of",
    "risk_level",
    "risk_score",
    "task",
    "via_tool",
)
"""Attributes of the Cedar `context` record, in the order they enter the memo key."""


def cedar_context(entitled: Callable[[str, str, str], bool]) -> dict[str, Getter]:
    """How each context attribute is computed from a request ('' stands for "none" in strings).

    A request outside any task is never in intent. `amount` is absent when the step has none, so policies
    test `context has amount` first.
    """
    return {
        "amount": lambda r, s, n: None if r.amount is None else cedar_number(r.amount),
        "anomaly_flagged": lambda r, s, n: s.anomaly_flagged,
        "approval_live": lambda r, s, n: s.approval_live,
        "entitled": lambda r, s, n: entitled(r.principal, r.action, r.resource),
        "environment": lambda r, s, n: r.environment,
        "hour": lambda r, s, n: int(n // 3600) % 24,
        "in_intent": lambda r, s, n: r.in_intent and r.task_type is not None,
        "on_behalf_of": lambda r, s, n: r.on_behalf_of or "",
        "risk_level": lambda r, s, n: r.risk_level,
        "risk_score": lambda r, s, n: cedar_number(r.risk_score),
        "task": lambda r, s, n: r.task_type or "",
        "via_tool": lambda r, s, n: r.via_tool or "",
    }


@dataclass(slots=True)
class CedarDesign:
    """Ask Cedar, memoised; step up what Cedar would permit once a human approves."""

    label: str
    policies: CompiledPolicies
    entities: cedarpy.Entities
    blocks: BlockList
    principal_types: dict[str, str]  # entity id -> Cedar type (namespaced)
    resource_types: dict[str, str]
    context_names: tuple[str, ...]
    getters: tuple[Getter, ...]
    token_ttl: float | None
    approver_pool: str | None
    action_type: str = "Action"
    kind: str = "cedar"
    credential_mode: CredentialMode = "task_token"
    evaluates_at_request_time: bool = True
    memoise: bool = True
    evaluations: int = 0  # requests sent to the Cedar engine, for tests and benchmarks
    _memo: dict[tuple[Any, ...], Decision] = field(default_factory=dict, repr=False)

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Blocks first; then the memoised Cedar decision for the request's policy-relevant context."""
        blocked = block_decision(self.blocks, request)
        if blocked is not None:
            return blocked
        principal_type = self.principal_types.get(request.principal)
        if principal_type is None:
            return Decision("deny", f"{request.principal} is not an agent or service account Cedar authorises")
        resource_type = self.resource_types.get(request.resource)
        if resource_type is None:
            return Decision("deny", f"{request.resource} is not a dataset, secret or tool")
        values = tuple(getter(request, state, now) for getter in self.getters)
        key = (request.principal, request.action, request.resource, values)
        if self.memoise:
            known = self._memo.get(key)
            if known is not None:
                return known
        decision = self._evaluate(request, principal_type, resource_type, values, state)
        if self.memoise:
            self._memo[key] = decision
        return decision

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Policies that never apply and templates nothing links, located in the policy file."""
        return self.policies.warnings

    @property
    def reads_clock(self) -> bool:
        """True if a policy reads `context.hour`: only then may the same request get another answer later."""
        return "hour" in self.context_names

    def standing_permissions(self, identity: str) -> frozenset[Grant]:
        """Nothing: agents act only with task tokens Cedar permitted."""
        return frozenset()

    def _evaluate(
        self,
        request: AccessRequest,
        principal_type: str,
        resource_type: str,
        values: tuple[Any, ...],
        state: AccessState,
    ) -> Decision:
        context = {name: value for name, value in zip(self.context_names, values, strict=True) if value is not None}
        asks = [context]
        if not state.approval_live and "approval_live" in context:
            asks.append({**context, "approval_live": True})
        base = {
            "principal": {"type": principal_type, "id": request.principal},
            "action": {"type": self.action_type, "id": request.action},
            "resource": {"type": resource_type, "id": request.resource},
        }
        results = cedarpy.is_authorized_batch(
            [{**base, "context": ask} for ask in asks], self.policies.policy_set, self.entities
        )
        self.evaluations += len(results)
        errors = [error for result in results for error in result.diagnostics.errors]
        if errors:
            raise self.policies.runtime_error(errors)
        current, *approved = results
        if current.allowed:
            return Decision("allow", f"permitted by {self._names(current)}", policy_ids=self._ids(current))
        blocking = self._ids(current)
        if approved and approved[0].allowed:
            reason = f"forbidden by {self._names(current)} unless approved" if blocking else "permitted once approved"
            return needs_approval(
                state, pool=self.approver_pool, reason=reason, policy_ids=blocking or self._ids(approved[0])
            )
        if blocking:
            return Decision("deny", f"forbidden by {self._names(current)}", policy_ids=blocking)
        return Decision("deny", "no policy permits")

    def _ids(self, result: cedarpy.AuthzResult) -> tuple[str, ...]:
        return tuple(self.policies.names.get(p, p) for p in self.policies.in_file_order(result.diagnostics.reasons))

    def _names(self, result: cedarpy.AuthzResult) -> str:
        return ", ".join(self.policies.describe(p) for p in self.policies.in_file_order(result.diagnostics.reasons))


def build_cedar(
    scenario: Scenario,
    control: Cedar,
    *,
    standing: Standing,
    control_path: str = "controls[?].policy",
    text: str | None = None,
    memoise: bool = True,
) -> CedarDesign:
    """The Cedar design of `scenario`: reads `control.policy` (or takes `text`), validates it, parses once.

    `standing` bounds what may be issued and is exposed to policies as `context.entitled`. Raises
    PolicyError, located at file:line:col, if the policy file is missing or invalid.
    """
    file, source = _read(scenario, control, control_path=control_path, text=text)
    cedar_names = CedarNames(control.namespace)
    compiled = compile_policies(
        scenario,
        source,
        file=file,
        control_path=control_path,
        names=cedar_names,
        linked=[link.template for link in control.links],
    )
    compiled = _link(scenario, control, compiled, cedar_names, control_path=control_path)
    index = StandingIndex(standing)
    getters = cedar_context(index.holds)
    names = (
        CONTEXT_ATTRIBUTES
        if compiled.context_attributes is None
        else tuple(name for name in CONTEXT_ATTRIBUTES if name in compiled.context_attributes)
    )
    kinds = scenario.kinds
    return CedarDesign(
        label=control.label,
        policies=compiled,
        entities=cedarpy.Entities.from_json_str(
            cedar_entities_json(scenario, cedar_names),
            json.dumps(cedar_schema_json(scenario, namespace=control.namespace)),
        ),
        blocks=block_list(scenario),
        principal_types={i: cedar_names.type(PRINCIPAL_TYPES[k]) for i, k in kinds.items() if k in PRINCIPAL_TYPES},
        resource_types={i: cedar_names.type(RESOURCE_TYPES[k]) for i, k in kinds.items() if k in RESOURCE_TYPES},
        action_type=cedar_names.type("Action"),
        context_names=names,
        getters=tuple(getters[name] for name in names),
        token_ttl=control.token_ttl,
        approver_pool=resolve_pool(scenario, control.approver_pool),
        memoise=memoise,
    )


def _link(
    scenario: Scenario, control: Cedar, compiled: CompiledPolicies, names: CedarNames, *, control_path: str
) -> CompiledPolicies:
    """The policy set with the control's template links added (`link<N>:<template>`), each checked: the
    template exists, its slots are exactly filled, with an agent or service account and a resource."""
    if not control.links:
        return compiled
    head = _yaml_path(control_path)[:-1]
    problems: list[Problem] = []
    batch: list[dict[str, Any]] = []
    extra_names: dict[str, str] = {}
    extra_lines: dict[str, int] = {}
    by_cedar_id = set(compiled.templates.values())
    for index, link in enumerate(control.links):
        path = (*head, "links", index)

        def refuse(message: str, path: tuple[str | int, ...] = path) -> None:
            file, line, column = scenario.locate(path)
            shown = ".".join(str(p) for p in path)
            problems.append(Problem(file, line, column, shown, message, "cedar-link"))

        template = compiled.templates.get(link.template) or (link.template if link.template in by_cedar_id else None)
        if template is None:
            known = ", ".join(quote(t) for t in compiled.templates) or "none"
            refuse(f"no template {quote(link.template)} in {quote(control.policy)} (templates: {known})")
            continue
        values: dict[str, Any] = {}
        for slot, entity, types, what in (
            ("?principal", link.principal, PRINCIPAL_TYPES, "an agent or service account"),
            ("?resource", link.resource, RESOURCE_TYPES, "a dataset, secret or tool"),
        ):
            if entity is None:
                continue
            kind = scenario.kinds.get(entity)
            if kind not in types:
                refuse(f"{quote(entity)} is not {what} of the scenario")
                continue
            values[slot] = {"type": names.type(types[kind]), "id": entity}
        new_id = f"link{index}"
        batch.append({"template_id": template, "new_id": new_id, "values": values})
        who = ", ".join(str(v["id"]) for v in values.values())
        extra_names[new_id] = f"{compiled.names.get(template, template)} for {who}"
        extra_lines[new_id] = compiled.lines.get(template, 1)
        try:
            compiled.policy_set.with_linked_batch([batch[-1]])
        except (ValueError, KeyError) as error:
            refuse(f"cannot link template {quote(link.template)}: {error}")
    if problems:
        raise PolicyError(problems)
    return replace(
        compiled,
        policy_set=compiled.policy_set.with_linked_batch(batch),
        names={**compiled.names, **extra_names},
        lines={**compiled.lines, **extra_lines},
    )


def _read(scenario: Scenario, control: Cedar, *, control_path: str, text: str | None) -> tuple[str, str]:
    """The policy file's path and text: inside the scenario's folder, a regular file of at most
    `MAX_CEDAR_BYTES`, UTF-8 (a byte-order mark is dropped, as for YAML scenarios)."""
    if text is not None:
        return control.policy, text.removeprefix("\ufeff")
    file, line, column = scenario.locate(_yaml_path(control_path))

    def refuse(message: str, code: str = "policy-path") -> PolicyError:
        shown = f"Cedar policy file {quote(control.policy)} {message}"
        return PolicyError([Problem(file, line, column, control_path, shown, code)])

    try:
        path = scenario.resolve_file(control.policy)
        data = read_limited(path, MAX_CEDAR_BYTES, too_big="cedar-size")
    except FileProblem as problem:
        message = problem.message.removeprefix(f"{control.policy!r} ")
        raise refuse(message, "cedar-size" if problem.code == "cedar-size" else "policy-path") from None
    except ValueError as error:  # a scenario built in Python, with no folder to resolve against
        raise refuse(f"cannot be read: {error}") from None
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8", "replace").removeprefix("\ufeff")
        at_line = before.count("\n") + 1
        at_column = len(before) - (before.rfind("\n") + 1) + 1
        message = f"invalid UTF-8 byte 0x{data[error.start]:02x}; save the policy file as UTF-8"
        raise PolicyError([Problem(str(path), at_line, at_column, control_path, message, "cedar-encoding")]) from None
    return str(path), source.removeprefix("\ufeff")


def _yaml_path(control_path: str) -> tuple[str | int, ...]:
    """('controls', 4, 'policy') from 'controls[4].policy' (unknown index: the controls section)."""
    head, _, rest = control_path.partition("[")
    index, _, _ = rest.partition("]")
    return (head, int(index), "policy") if index.isdigit() else (head,)


def build(scenario: Scenario, control: Cedar, *, standing: Standing, where: str) -> CedarDesign:
    """The factory's entry point (policy.factory.DesignBuilder): the policy file is `<where>.policy`."""
    return build_cedar(scenario, control, standing=standing, control_path=f"{where}.policy")
