"""Compromises injected into the simulation, and how long each goes unnoticed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.model.common import Constant, Id, StrictModel
from workbench.model.durations import Duration, Rate
from workbench.model.workload import DistributionField

__all__ = ["Threat", "ThreatKind"]

ThreatKind = Literal["prompt_injection", "key_leak", "tool_compromise", "insider_misuse"]

TARGET_KIND: dict[str, str] = {
    "prompt_injection": "agent",
    "key_leak": "secret",
    "tool_compromise": "tool",
    "insider_misuse": "agent",
}
"""The kind of entity each threat kind compromises."""


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
