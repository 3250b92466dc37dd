"""The control designs a scenario compares, as a discriminated union on `kind`.

Adding a control design means one model here, one member of `Control`, and one module in `policy/`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from workbench.model.common import MAX_PATH, Id, Prose, RiskLevel, StrictModel, Text
from workbench.model.durations import Duration

__all__ = ["Cedar", "Control", "IntentAwareJit", "Jit", "RbacStepUp", "StaticRbac"]


class _ControlBase(StrictModel):
    name: Id | None = Field(None, description="Name in reports; defaults to the kind. Unique per scenario.")
    description: Prose | None = Field(None, description="Free text for readers of reports.")

    @property
    def label(self) -> str:
        """The name reports use for this design."""
        return self.name or self.kind  # type: ignore[attr-defined]


class StaticRbac(_ControlBase):
    """Standing role permissions and long-lived secrets: today's default."""

    kind: Literal["static_rbac"] = Field("static_rbac", description="Control design kind.")


class RbacStepUp(_ControlBase):
    """Coarse RBAC, plus a human step-up approval for actions at or above a risk level."""

    kind: Literal["rbac_step_up"] = Field("rbac_step_up", description="Control design kind.")
    step_up_at: RiskLevel = Field("high", description="Risk level from which a human must approve.")
    approver_pool: Id | None = Field(None, description="Pool that reviews step-ups; defaults to the first.")


class Jit(_ControlBase):
    """Workload identity, then a token scoped to the task, expiring after its TTL or at task end."""

    kind: Literal["jit"] = Field("jit", description="Control design kind.")
    token_ttl: Duration = Field(900.0, description="Token lifetime; it also ends when the task ends.")
    approval_at: RiskLevel = Field("critical", description="Risk level from which scopes need an approver.")
    approver_pool: Id | None = Field(None, description="Pool that reviews high-risk scopes.")


class IntentAwareJit(Jit):
    """JIT, and a request outside the task's declared intent is denied or stepped up."""

    kind: Literal["intent_aware_jit"] = Field("intent_aware_jit", description="Control design kind.")  # type: ignore[assignment]
    out_of_intent: Literal["deny", "step_up"] = Field(
        "step_up", description="What happens to a request outside the declared intent."
    )


class Cedar(_ControlBase):
    """The scenario's own Cedar policies, evaluated at request time by the Cedar engine."""

    kind: Literal["cedar"] = Field("cedar", description="Control design kind.")
    policy: Text = Field(
        max_length=MAX_PATH, description="Path of the Cedar policy file, relative to the scenario file."
    )
    token_ttl: Duration = Field(900.0, description="Lifetime of tokens issued after a permit.")
    approver_pool: Id | None = Field(None, description="Pool asked when a policy needs approval.")


Control = Annotated[StaticRbac | RbacStepUp | Jit | IntentAwareJit | Cedar, Field(discriminator="kind")]
"""One control design."""
