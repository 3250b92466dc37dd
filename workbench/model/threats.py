"""Compromises injected into the simulation, and how long each goes unnoticed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.model.common import Constant, Id, StrictModel
from workbench.model.durations import Duration, Rate
from workbench.model.workload import DistributionField

__all__ = ["Attacker", "Threat", "ThreatKind"]

ThreatKind = Literal["prompt_injection", "key_leak", "tool_compromise", "insider_misuse"]

TARGET_KIND: dict[str, str] = {
    "prompt_injection": "agent",
    "key_leak": "secret",
    "tool_compromise": "tool",
    "insider_misuse": "agent",
}
"""The kind of entity each threat kind compromises."""


class Attacker(StrictModel):
    """How an attacker in control of an identity behaves for the whole of its dwell (docs/concepts.md).

    It acts once per `action_interval`, preferring what it has not yet used, highest weight first; a request
    the design refuses (a denial or a step-up a human rejected) is asked again after `retry_interval`, since
    the agent's state, its live tasks, approvals and the clock may have changed. How often a human approver is
    fooled by its step-ups is each approver pool's `1 - rejects_malicious`.
    """

    action_interval: Duration = Field(60.0, gt=0, description="Time between two actions of the attacker.")
    retry_interval: Duration = Field(
        900.0, gt=0, description="Wait before the attacker asks again for a permission the design refused."
    )


class Threat(StrictModel):
    """A compromise: which identity the attacker takes over, how often, and how fast it is contained."""

    id: Id
    kind: ThreatKind = Field(
        description="prompt_injection hijacks an agent; key_leak a secret; tool_compromise a tool; "
        "insider_misuse a delegated agent, driven by its delegator."
    )
    target: Id = Field(description="Agent, secret or tool compromised (by kind).")
    actor: Id | None = Field(None, description="For insider_misuse: the human who misuses the agent.")
    rate: Rate | None = Field(None, description="Poisson rate of compromises, e.g. '1/30d'.")
    at: list[Duration] = Field(default_factory=list, description="Fixed compromise times from the start.")
    detection_delay: DistributionField = Field(description="Time from compromise to detection.")
    revocation_delay: DistributionField = Field(
        default_factory=lambda: Constant(value=0.0),
        description="Time from detection to revocation: rotating a leaked secret or disabling a tool always "
        "happens; a hijacked agent loses its credentials only if a revocation trigger covers it.",
    )

    @model_validator(mode="after")
    def _when(self) -> Threat:
        if (self.rate is None) == (not self.at):
            raise ValueError("give exactly one of 'rate' or 'at'")
        return self
