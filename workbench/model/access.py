"""How access is given and taken away: roles, delegations, approvals, blocks and revocation triggers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal

from pydantic import Field

from workbench.model.common import MAX_AMOUNT, Action, Environment, Id, Permission, Prose, Provenances, StrictModel
from workbench.model.durations import Duration

__all__ = [
    "Approval",
    "BlockCondition",
    "BlockedAction",
    "Delegation",
    "ReapprovalTrigger",
    "RevocationEvent",
    "RevocationTrigger",
    "Role",
]

ReapprovalTrigger = Literal["new_tool", "scope_increase", "anomaly", "expiry"]
RevocationEvent = Literal["task_complete", "anomaly_detected", "owner_offboarded", "approval_expired"]


class Role(StrictModel):
    """A named bundle of permissions."""

    id: Id
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    permissions: list[Permission] = Field(default_factory=list, description="Permissions the role grants.")
    provenance: Provenances


class Delegation(StrictModel):
    """Authority one principal lends another: agent to agent in pipelines, or human to agent."""

    id: Id
    delegator: Id = Field(description="Human or agent whose authority is delegated.")
    delegate: Id = Field(description="Agent that acts on the delegator's behalf.")
    scope: list[Permission] = Field(
        default_factory=list, description="Permissions delegated; empty means everything the delegator has."
    )
    attenuated: bool = Field(
        True, description="True if the delegate gets at most the scope and never more than the delegator has."
    )
    expires: dt.date | None = Field(None, description="Date after which the delegation no longer holds.")
    provenance: Provenances


class Approval(StrictModel):
    """A human's sign-off: which agent, for which business purpose, within which scope, until when."""

    id: Id
    agent: Id = Field(description="Agent approved.")
    approver: Id = Field(description="Human who approved it.")
    business_purpose: Prose = Field(description="The business purpose the approval was given for.")
    scope: list[Permission] = Field(default_factory=list, description="Permissions approved.")
    tools: list[Id] = Field(default_factory=list, description="Tools approved for the agent.")
    granted: dt.date = Field(description="Date the approval was granted.")
    expires: dt.date | None = Field(None, description="Date the approval lapses; none means it never does.")
    reapproval_triggers: list[ReapprovalTrigger] = Field(
        default_factory=list, description="Events that require the approval to be given again."
    )


class BlockCondition(StrictModel):
    """When a blocked action applies; all given conditions must hold (no condition: always)."""

    amount_above: float | None = Field(
        None, ge=0, le=MAX_AMOUNT, description="Applies when the step's amount exceeds this."
    )
    environments: list[Environment] = Field(
        default_factory=list, description="Applies only to identities in these environments."
    )
    untrusted_input: bool | None = Field(None, description="Applies only to agents that read untrusted input.")


class BlockedAction(StrictModel):
    """An action denied even to a caller with valid credentials."""

    id: Id
    identity: Id | Literal["*"] = Field("*", description="Agent or service account blocked; '*' for all.")
    action: Action | Literal["*"] = Field(description="Action blocked; '*' for all.")
    resource: Id | Literal["*"] = Field(description="Resource the block applies to; '*' for all.")
    when: BlockCondition | None = Field(None, description="Conditions under which the block applies.")
    reason: Prose | None = Field(None, description="Why the action is blocked.")
    provenance: Provenances

    def covers(self, action: str, resource: str) -> bool:
        """Whether the block names this action on this resource (wildcards included)."""
        return self.action in ("*", action) and self.resource in ("*", resource)

    def binds(
        self,
        aliases: Collection[str],
        *,
        environment: str,
        untrusted_input: bool,
        amount: float | None = None,
    ) -> bool:
        """Whether the block applies to a request by an identity known as `aliases` (itself and the account
        it runs as), in `environment`, reading untrusted input or not, for `amount` (None: no amount).

        The one statement of the matching rule: the designs (policy.blocked), static blast radius
        (graph.index) and the simulation all ask it. A block with `amount_above` binds only requests that
        carry a larger amount, so it never binds a request without one.
        """
        if self.identity != "*" and self.identity not in aliases:
            return False
        when = self.when
        if when is None:
            return True
        if when.amount_above is not None and (amount is None or amount <= when.amount_above):
            return False
        if when.environments and environment not in when.environments:
            return False
        return when.untrusted_input is None or when.untrusted_input == untrusted_input


class RevocationTrigger(StrictModel):
    """An event that revokes an identity's live credentials, and how fast revocation takes effect."""

    identity: Id | Literal["*"] = Field("*", description="Agent whose credentials are revoked; '*' for all.")
    event: RevocationEvent = Field(description="The event that triggers revocation.")
    latency: Duration = Field(0.0, description="Time from the event to the credentials being unusable.")
