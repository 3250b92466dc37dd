"""The control designs a scenario compares, as a discriminated union on `kind`.

Adding a control design means one model here, one member of `Control`, and one module in `policy/` named
after its kind (`policy/<kind>.py`, exposing `build`). Everything the rest of workbench needs to know about a
kind is declared on its model (what it can step up, how governance describes it) or on its design object
(`policy.base.ControlDesign`); no other module lists kinds.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, StringConstraints

from workbench.model.common import MAX_PATH, Id, Prose, RiskLevel, StrictModel, Text, discriminator_tags
from workbench.model.durations import Duration

__all__ = [
    "BASELINE_KIND",
    "CONTROL_KINDS",
    "CONTROL_MODELS",
    "Cedar",
    "CedarNamespace",
    "Control",
    "ControlModel",
    "IntentAwareJit",
    "Jit",
    "RbacStepUp",
    "StaticRbac",
    "TemplateLink",
    "kinds_with_parameter",
]


_TokenTtl = Annotated[Duration, Field(description="Token lifetime; it also ends when the task ends.")]
_ApprovalAt = Annotated[RiskLevel, Field(description="Risk level from which scopes need an approver.")]
_ScopePool = Annotated[Id | None, Field(description="Pool that reviews high-risk scopes.")]
"""JIT's parameters, shared by the designs that issue JIT tokens."""


class ControlModel(StrictModel):
    """What every control design's model declares, so no other module needs a list of kinds."""

    name: Id | None = Field(None, description="Name in reports; defaults to the kind. Unique per scenario.")
    description: Prose | None = Field(None, description="Free text for readers of reports.")

    steps_up: ClassVar[bool] = False
    """Whether the design can route a request to a human approver (it then has an `approver_pool`)."""

    @property
    def label(self) -> str:
        """The name reports use for this design."""
        return self.name or self.kind  # type: ignore[attr-defined]

    @property
    def requested_pool(self) -> str | None:
        """The approver pool the design names; None means the scenario's first (or none if it never steps up)."""
        return None

    @property
    def token_lifetime(self) -> float | None:
        """Lifetime of the tokens the design issues, in seconds; None for designs that issue none."""
        return None

    @property
    def files(self) -> tuple[tuple[str, str], ...]:
        """(field, path) of every file the design reads, relative to the scenario file."""
        return ()

    def step_up_rule(self) -> str:
        """When the design asks a human, in one sentence for governance answers."""
        return "never: standing permissions are used as held"


class StaticRbac(ControlModel):
    """Standing role permissions and long-lived secrets: today's default."""

    kind: Literal["static_rbac"] = Field("static_rbac", description="Control design kind.")


class RbacStepUp(ControlModel):
    """Coarse RBAC, plus a human step-up approval for actions at or above a risk level."""

    kind: Literal["rbac_step_up"] = Field("rbac_step_up", description="Control design kind.")
    step_up_at: RiskLevel = Field("high", description="Risk level from which a human must approve.")
    approver_pool: Id | None = Field(None, description="Pool that reviews step-ups; defaults to the first.")

    steps_up: ClassVar[bool] = True

    @property
    def requested_pool(self) -> str | None:
        """The approver pool the design names."""
        return self.approver_pool

    def step_up_rule(self) -> str:
        """When the design asks a human."""
        return f"a human approves every request of {self.step_up_at} risk or more"


class Jit(ControlModel):
    """Workload identity, then a token scoped to the task, expiring after its TTL or at task end."""

    kind: Literal["jit"] = Field("jit", description="Control design kind.")
    token_ttl: _TokenTtl = 900.0
    approval_at: _ApprovalAt = "critical"
    approver_pool: _ScopePool = None

    steps_up: ClassVar[bool] = True

    @property
    def requested_pool(self) -> str | None:
        """The approver pool the design names."""
        return self.approver_pool

    @property
    def token_lifetime(self) -> float | None:
        """Tokens live `token_ttl`."""
        return self.token_ttl

    def step_up_rule(self) -> str:
        """When the design asks a human."""
        return f"token scopes of {self.approval_at} risk or more need a human"


# Not a subclass of `Jit`: it has JIT's parameters but is its own kind, so nothing that tests for `Jit`
# mistakes it for plain JIT (the class docstring is the schema's description, hence a comment).
class IntentAwareJit(ControlModel):
    """JIT, and a request outside the task's declared intent is denied or stepped up."""

    kind: Literal["intent_aware_jit"] = Field("intent_aware_jit", description="Control design kind.")
    token_ttl: _TokenTtl = 900.0
    approval_at: _ApprovalAt = "critical"
    approver_pool: _ScopePool = None
    out_of_intent: Literal["deny", "step_up"] = Field(
        "step_up", description="What happens to a request outside the declared intent."
    )

    steps_up: ClassVar[bool] = True

    @property
    def requested_pool(self) -> str | None:
        """The approver pool the design names."""
        return self.approver_pool

    @property
    def token_lifetime(self) -> float | None:
        """Tokens live `token_ttl`."""
        return self.token_ttl

    def as_jit(self) -> Jit:
        """The plain JIT design it refines (same label, TTL, threshold and pool)."""
        return Jit(
            name=self.label,
            description=self.description,
            token_ttl=self.token_ttl,
            approval_at=self.approval_at,
            approver_pool=self.approver_pool,
        )

    def step_up_rule(self) -> str:
        """When the design asks a human."""
        out = "denied" if self.out_of_intent == "deny" else "stepped up to a human"
        return f"{self.as_jit().step_up_rule()}; requests outside the task's declared intent are {out}"


CedarNamespace = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}(::[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$")
]
"""A Cedar namespace: `Acme` or `Acme::Agents` (identifiers joined by `::`)."""


class TemplateLink(StrictModel):
    """One template-linked policy: a Cedar template with its slots filled, as Verified Permissions creates them."""

    template: Text = Field(description="The template's `@id` annotation (or its Cedar id, `policy3`).")
    principal: Id | None = Field(None, description="Agent or service account for `?principal`.")
    resource: Id | None = Field(None, description="Dataset, secret or tool for `?resource`.")


class Cedar(ControlModel):
    """The scenario's own Cedar policies, evaluated at request time by the Cedar engine."""

    kind: Literal["cedar"] = Field("cedar", description="Control design kind.")
    policy: Text = Field(
        max_length=MAX_PATH, description="Path of the Cedar policy file, relative to the scenario file."
    )
    token_ttl: Duration = Field(900.0, description="Lifetime of tokens issued after a permit.")
    approver_pool: Id | None = Field(None, description="Pool asked when a policy needs approval.")
    namespace: CedarNamespace | None = Field(
        None,
        description="Cedar namespace of the entity types and actions (`Acme::Agents`: policies then name "
        '`Acme::Agents::Agent::"bot"`); none by default.',
    )
    links: list[TemplateLink] = Field(
        default_factory=list,
        max_length=10_000,
        description="Template-linked policies to create from the file's templates.",
    )

    steps_up: ClassVar[bool] = True

    @property
    def requested_pool(self) -> str | None:
        """The approver pool the design names."""
        return self.approver_pool

    @property
    def token_lifetime(self) -> float | None:
        """Tokens live `token_ttl`."""
        return self.token_ttl

    @property
    def files(self) -> tuple[tuple[str, str], ...]:
        """The policy file."""
        return (("policy", self.policy),)

    def step_up_rule(self) -> str:
        """When the design asks a human."""
        return f"as the Cedar policy {self.policy} decides (what it permits only with a live approval is stepped up)"


Control = Annotated[StaticRbac | RbacStepUp | Jit | IntentAwareJit | Cedar, Field(discriminator="kind")]
"""One control design."""

CONTROL_MODELS: tuple[type[ControlModel], ...] = get_args(get_args(Control)[0])
"""The members of `Control`, in union order."""
CONTROL_KINDS: tuple[str, ...] = discriminator_tags(Control)
"""Every control kind, in union order."""
BASELINE_KIND: str = StaticRbac.model_fields["kind"].default
"""The kind other designs are compared against when a scenario has it: standing RBAC, today's default."""


def kinds_with_parameter(parameter: str) -> tuple[str, ...]:
    """The kinds whose model has `parameter` (e.g. every design with a `token_ttl`), in union order."""
    return tuple(
        kind for kind, model in zip(CONTROL_KINDS, CONTROL_MODELS, strict=True) if parameter in model.model_fields
    )
