"""Least privilege from observed use: roles narrowed to what traces show their holders used, and what
adopting them would change, simulated.

The access-analyser idea for agents. A role held only by agents the traces observed keeps, of its
permissions (wildcards expanded over the scenario's resources), those some holder used in the window; a role
that anyone else holds (an unobserved agent, a human, a service account) is left as it is, since nothing
says what they use. Adopting the narrowed roles is then simulated against the scenario as it is, design by
design on the same seeds (common random numbers), so the change in exposure and in denied tasks is paired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.analysis.simulate import simulate
from workbench.graph.permissions import expand_permissions, scenario_resources
from workbench.model import Permission, Role, Scenario
from workbench.model.observed import Observed

__all__ = ["ADOPTION_COLUMNS", "RoleChange", "RoleSuggestion", "adoption_effect", "suggest_roles"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class RoleChange:
    """What narrowing did to one role: the pairs kept and removed, or why it was left alone."""

    role: str
    holders: tuple[str, ...]
    kept: tuple[Pair, ...]
    removed: tuple[Pair, ...]
    left_alone: str = ""


@dataclass(frozen=True)
class RoleSuggestion:
    """The scenario with narrowed roles, and the change to each role."""

    scenario: Scenario
    changes: tuple[RoleChange, ...]


def suggest_roles(scenario: Scenario, observed: Observed | None = None) -> RoleSuggestion:
    """Roles narrowed to observed use (`observed`, default the scenario's own `observed` block)."""
    observed = observed if observed is not None else scenario.observed
    if observed is None:
        raise ValueError("no observed use: import traces first or pass them with --traces")
    seen = set(observed.agents)
    resources = scenario_resources(scenario)
    holders: dict[str, list[str]] = {role.id: [] for role in scenario.roles}
    others: dict[str, list[str]] = {role.id: [] for role in scenario.roles}
    for agent in scenario.agents:
        for role_id in agent.roles:
            (holders if agent.id in seen else others).setdefault(role_id, []).append(agent.id)
    for human in scenario.humans:
        for role_id in human.roles:
            others.setdefault(role_id, []).append(human.id)
    for account in scenario.service_accounts:
        for role_id in account.roles:
            others.setdefault(role_id, []).append(account.id)
    roles: list[Role] = []
    changes: list[RoleChange] = []
    for role in scenario.roles:
        held_by = tuple(holders.get(role.id, ()))
        pairs = expand_permissions(role.permissions, resources=resources)
        if others.get(role.id) or not held_by:
            why = (
                f"also held by {', '.join(others[role.id])}, whose use was not observed"
                if others.get(role.id)
                else "no observed agent holds it"
            )
            roles.append(role)
            changes.append(RoleChange(role.id, held_by, tuple(pairs), (), why))
            continue
        used: set[Pair] = set()
        for holder in held_by:
            used |= observed.used_by(holder)
        kept = tuple(pair for pair in pairs if pair in used)
        removed = tuple(pair for pair in pairs if pair not in used)
        note = f"Narrowed to the use observed {observed.window_start:%Y-%m-%d} to {observed.window_end:%Y-%m-%d}."
        description = f"{role.description.rstrip()} {note}" if role.description else note
        roles.append(
            role.model_copy(
                update={
                    "permissions": [Permission(action=a, resource=r) for a, r in kept],
                    "description": description,
                }
            )
        )
        changes.append(RoleChange(role.id, held_by, kept, removed))
    narrowed = scenario.model_copy(update={"roles": roles, "observed": observed})
    return RoleSuggestion(narrowed, tuple(changes))


ADOPTION_COLUMNS: tuple[str, ...] = (
    "control",
    "exposure_score_h_mean",
    "exposure_score_h_mean_narrowed",
    "exposure_ratio",
    "held_exposure_score_h",
    "held_exposure_score_h_narrowed",
    "denied_rate",
    "denied_rate_narrowed",
    "denied_rate_change",
)
"""Columns of `adoption_effect`: per design, means over replications as it is and with the narrowed roles."""


def adoption_effect(
    scenario: Scenario,
    narrowed: Scenario,
    *,
    replications: int | None = None,
    controls: Sequence[str] | None = None,
    max_events: int | None = None,
) -> pd.DataFrame:
    """Per design: exposure per compromise, held exposure and denied rate, before and after narrowing.

    Both scenarios are simulated from the same seeds, so each difference is paired replication by replication.
    """
    before = simulate(scenario, controls, replications, keep_records=False, max_events=max_events).summary()
    after = simulate(narrowed, controls, replications, keep_records=False, max_events=max_events).summary()
    columns = ["exposure_score_h_mean", "held_exposure_score_h", "denied_rate"]
    mean_before = before.groupby("control", sort=False)[columns].mean()
    mean_after = after.groupby("control", sort=False)[columns].mean()
    rows = []
    for control in mean_before.index:
        b, a = mean_before.loc[control], mean_after.loc[control]
        exposure = float(b["exposure_score_h_mean"])
        rows.append(
            {
                "control": control,
                "exposure_score_h_mean": exposure,
                "exposure_score_h_mean_narrowed": float(a["exposure_score_h_mean"]),
                "exposure_ratio": float(a["exposure_score_h_mean"]) / exposure if exposure else float("nan"),
                "held_exposure_score_h": float(b["held_exposure_score_h"]),
                "held_exposure_score_h_narrowed": float(a["held_exposure_score_h"]),
                "denied_rate": float(b["denied_rate"]),
                "denied_rate_narrowed": float(a["denied_rate"]),
                "denied_rate_change": float(a["denied_rate"]) - float(b["denied_rate"]),
            }
        )
    return pd.DataFrame(rows, columns=list(ADOPTION_COLUMNS))
