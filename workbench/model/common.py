"""Vocabulary shared by every part of a scenario: ids, closed enumerations, permissions and distributions.

Closed vocabularies are Literals so that a typo in a scenario is an error at load time, not a silent
"unknown" in a report.
"""

from __future__ import annotations

import itertools
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from workbench.escaping import UNPRINTABLE, UNPRINTABLE_EXCEPT_LINES
from workbench.model.durations import Duration

__all__ = [
    "ACTIONS",
    "ANY",
    "MAX_AMOUNT",
    "MAX_EMPIRICAL",
    "MAX_PATH",
    "MAX_PROSE",
    "MAX_TEXT",
    "MAX_WEIGHT",
    "Action",
    "Autonomy",
    "Constant",
    "Distribution",
    "Empirical",
    "Environment",
    "Exponential",
    "Id",
    "LogNormal",
    "Permission",
    "Prose",
    "Provenance",
    "Provenances",
    "RiskLevel",
    "Sensitivity",
    "StorageLocation",
    "StrictModel",
    "Tags",
    "Text",
    "Uniform",
    "discriminator_tags",
]

ANY = "*"

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"),
    Field(description="An identifier: letters, digits, '_', '.', ':' or '-', unique in the scenario."),
]

MAX_TEXT = 1000
"""Characters in a one-line string (a name, a title, a path)."""
MAX_PROSE = 64 * 1024
"""Characters in a multi-line description or justification."""
MAX_PATH = 1000
"""Characters in a file path a scenario gives (a Cedar policy)."""
MAX_AMOUNT = 1e15
"""Largest monetary amount: Cedar compares amounts as 64-bit integers."""
MAX_EMPIRICAL = 10_000
"""Most samples or quantiles an empirical distribution may list."""
MAX_WEIGHT = 1_000_000.0
"""Largest weight, value or ratio: weight x weight x value stays far inside Cedar's 64-bit integers."""


def _refuse(pattern: re.Pattern[str], value: str, what: str) -> str:
    match = pattern.search(value)
    if match is not None:
        code = ord(match.group())
        if code in (0x0A, 0x0D):
            raise ValueError(f"{what} is one line; a line break at character {match.start() + 1} is not allowed")
        raise ValueError(f"control character U+{code:04X} at character {match.start() + 1} is not allowed in {what}")
    return value


def _one_line(value: str) -> str:
    return _refuse(UNPRINTABLE, value, "this text")


def _prose(value: str) -> str:
    return _refuse(UNPRINTABLE_EXCEPT_LINES, value, "prose (only tabs and line breaks are)")


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_one_line)]
"""A one-line string: no control characters at all (no line breaks, tabs, ESC, NUL, C1 or bidi overrides).

Every free-text string field of the scenario is `Text` or `Prose` (tests/test_model.py checks that no model
declares a bare `str`), so nothing an author writes can drive a terminal or restructure a report.
"""

Prose = Annotated[str, StringConstraints(max_length=MAX_PROSE), AfterValidator(_prose)]
"""Multi-line prose (descriptions, justifications): tabs and line breaks allowed, other control characters not."""

Action = Literal["read", "write", "delete", "execute", "send", "transfer"]
ACTIONS: tuple[Action, ...] = ("read", "write", "delete", "execute", "send", "transfer")
Sensitivity = Literal["public", "internal", "confidential", "restricted"]
Environment = Literal["dev", "staging", "prod", "legacy"]
Autonomy = Literal["low", "medium", "high"]
StorageLocation = Literal["vault", "env", "agent_config", "code"]
RiskLevel = Literal["low", "medium", "high", "critical"]


class StrictModel(BaseModel):
    """Base of every scenario model: unknown keys are errors, values are frozen, and no float is NaN or
    infinite (`allow_inf_nan=False`: a `.inf` rate or `.nan` weight is refused where it is written)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


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


class Empirical(StrictModel):
    """Durations as they were observed (`workbench import traces` writes them): no family is assumed.

    Give `samples` (a draw is one of them, each equally likely) or `quantiles` (values at the evenly spaced
    probabilities 0, 1/n, ..., 1; a draw interpolates linearly between neighbours, so it never leaves the
    observed range). Draws come from the seeded stream of the purpose, like every other distribution's.
    """

    dist: Literal["empirical"] = Field("empirical", description="Distribution family.")
    samples: list[Duration] = Field(
        default_factory=list, max_length=MAX_EMPIRICAL, description="Observed durations; a draw is one of them."
    )
    quantiles: list[Duration] = Field(
        default_factory=list,
        max_length=MAX_EMPIRICAL,
        description="Durations at probabilities 0, 1/n, ..., 1 (minimum first, maximum last), non-decreasing.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Empirical:
        if bool(self.samples) == bool(self.quantiles):
            raise ValueError("give exactly one of 'samples' or 'quantiles'")
        if self.quantiles:
            if len(self.quantiles) < 2:
                raise ValueError("quantiles need at least two values (the minimum and the maximum)")
            if any(b < a for a, b in itertools.pairwise(self.quantiles)):
                raise ValueError("quantiles must not decrease")
        return self

    @property
    def mean(self) -> float:
        """Mean of a draw: the samples' average, or the area under the interpolated quantile function."""
        if self.samples:
            return sum(self.samples) / len(self.samples)
        q = self.quantiles
        return sum(a + b for a, b in itertools.pairwise(q)) / (2 * (len(q) - 1))


Distribution = Annotated[
    Constant | Exponential | LogNormal | Uniform | Empirical,
    Field(discriminator="dist"),
]
"""A duration distribution, chosen by `dist:`; a plain duration string means a constant."""


ImportSource = Literal["mcp", "aws-iam", "k8s", "opengraph"]


class Provenance(StrictModel):
    """Where an imported entity was found: the inventory file and the JSON pointer of its node there.

    Written by `workbench import`; findings on the entity point at this file and line (SARIF locations into
    the MCP config or the IAM dump), and `--merge` recognises the entities a previous import wrote.
    """

    source: ImportSource = Field(description="Importer that found it: mcp, aws-iam, k8s or opengraph.")
    file: Text = Field(description="Inventory file, as the path was given to the importer.")
    pointer: Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=r"^(/[^\x00-\x1f\x7f]*)?$")] = Field(
        description="RFC 6901 JSON pointer of the node in that file, e.g. /mcpServers/github/env/GITHUB_TOKEN."
    )
    line: int = Field(1, ge=1, le=1_000_000_000, description="1-based line of the node in the file.")
    column: int = Field(1, ge=1, le=1_000_000_000, description="1-based column of the node in the file.")


MAX_TAGS = 64
"""Tags one entity may carry."""

Tags = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")], Text],
    Field(
        default_factory=dict,
        max_length=MAX_TAGS,
        description="Key-value labels the organisation attaches (team, cost centre, data domain). Cedar policies "
        'read them as entity tags (`principal.hasTag("team") && principal.getTag("team") == "support"`).',
    ),
]
"""The `tags` field of agents, service accounts, datasets, secrets and tools."""

Provenances = Annotated[
    list[Provenance],
    Field(
        default_factory=list,
        description="Where `workbench import` found the entity (file, JSON pointer, line); empty if hand-written.",
    ),
]
"""The `provenance` field every importable entity carries."""


def discriminator_tags(union: Any) -> tuple[str, ...]:
    """The tag values of a discriminated union (`Annotated[A | B, Field(discriminator=...)]`), in order.

    Declared once on each member's `Literal` field; everything else that needs the list derives it here.
    """
    members, info = get_args(union)
    field = info.discriminator
    return tuple(value for member in get_args(members) for value in get_args(member.model_fields[field].annotation))
