"""Vocabulary shared by every part of a scenario: ids, closed enumerations, permissions and distributions.

Closed vocabularies are Literals so that a typo in a scenario is an error at load time, not a silent
"unknown" in a report.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from workbench.model.durations import Duration

__all__ = [
    "ACTIONS",
    "ANY",
    "Action",
    "Autonomy",
    "Constant",
    "Distribution",
    "Environment",
    "Exponential",
    "Id",
    "LogNormal",
    "Permission",
    "RiskLevel",
    "Sensitivity",
    "StorageLocation",
    "StrictModel",
    "Uniform",
]

ANY = "*"

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"),
    Field(description="An identifier: letters, digits, '_', '.', ':' or '-', unique in the scenario."),
]

Action = Literal["read", "write", "delete", "execute", "send", "transfer"]
ACTIONS: tuple[Action, ...] = ("read", "write", "delete", "execute", "send", "transfer")
Sensitivity = Literal["public", "internal", "confidential", "restricted"]
Environment = Literal["dev", "staging", "prod", "legacy"]
Autonomy = Literal["low", "medium", "high"]
StorageLocation = Literal["vault", "env", "agent_config", "code"]
RiskLevel = Literal["low", "medium", "high", "critical"]


class StrictModel(BaseModel):
    """Base of every scenario model: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Permission(StrictModel):
    """An action on a resource: the unit of access everywhere in workbench."""

    action: Action | Literal["*"] = Field(description="What may be done; '*' means every action.")
    resource: Annotated[str, StringConstraints(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,127})$")] = Field(
        description="Id of a dataset, system, secret or tool; '*' means every resource of the scenario."
    )


class Constant(StrictModel):
    """Always the same value: for deterministic services and hand-checked tests."""

    dist: Literal["constant"] = Field("constant", description="Distribution family.")
    value: Duration = Field(description="The duration every draw returns.")


class Exponential(StrictModel):
    """Memoryless service or review times; the assumption behind M/M/c queueing results."""

    dist: Literal["exponential"] = Field("exponential", description="Distribution family.")
    mean: Duration = Field(description="Mean of the distribution.")


class LogNormal(StrictModel):
    """Right-skewed human review or tool times: most are quick, a few take very long."""

    dist: Literal["lognormal"] = Field("lognormal", description="Distribution family.")
    median: Duration = Field(description="Median of the distribution.")
    sigma: float = Field(0.5, gt=0, le=5, description="Shape: standard deviation of the underlying normal.")


class Uniform(StrictModel):
    """Bounded times with no preferred value."""

    dist: Literal["uniform"] = Field("uniform", description="Distribution family.")
    low: Duration = Field(description="Smallest value.")
    high: Duration = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


Distribution = Annotated[
    Constant | Exponential | LogNormal | Uniform,
    Field(discriminator="dist"),
]
"""A duration distribution, chosen by `dist:`; a plain duration string means a constant."""
