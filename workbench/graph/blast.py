"""Static blast radius: what a compromised agent, service account, secret or tool can exercise, and its score.

The score is the architecture's weighted sum (sensitivity × value × action criticality over datasets and
secrets; tools weigh 0). Blocked actions are denied even to valid credentials, so they are not part of the
radius: they are listed separately (`blocked`), and the simulation's obtainable reach under static RBAC at the
moment of a compromise is the same set. `blast_radius` gives one entity in full; `blast_radius_records` gives
every entity of some kinds as flat rows, computed in bulk (a 100k-agent organisation takes seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.graph.index import AccessIndex, compile_access
from workbench.graph.permissions import Pair
from workbench.graph.vocabulary import CARRIER_KINDS
from workbench.model.scenario import Scenario

__all__ = ["BLAST_RADIUS_COLUMNS", "BlastRadius", "blast_radius", "blast_radius_records"]

BLAST_RADIUS_COLUMNS: tuple[str, ...] = (
    "scenario", "entity", "entity_kind", "score", "permissions", "assets", "restricted_assets", "blocked",
)  # fmt: skip
"""Columns of `blast_radius_records`: counts of usable permissions, of datasets and secrets they reach, of
restricted ones, and of the permissions held but denied by blocked actions (not in the score)."""


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """Everything one compromised entity can exercise under standing access, and what it weighs."""

    entity: str
    entity_kind: str
    permissions: tuple[Pair, ...]
    """(action, resource) pairs, in resource then action order."""
    assets: tuple[str, ...]
    """Datasets and secrets reached with at least one action, scenario order."""
    restricted_assets: tuple[str, ...]
    tools: tuple[str, ...]
    """Tools it can call (conduits: they weigh nothing themselves)."""
    score: float
    blocked: tuple[Pair, ...] = ()
    """Permissions it holds that a blocked action denies it: not in `permissions` and not scored."""


def blast_radius(index: AccessIndex | Scenario, entity: str) -> BlastRadius:
    """Blast radius of an agent, human, service account, secret (leaked) or tool (compromised).

    `index` is the scenario's `compile_access(scenario)`, or the scenario itself, whose index is then
    compiled on the first call and kept on it (`Scenario.derived`), so a loop over entities compiles once.
    Raises `UnknownEntityError` (a `KeyError` too) for an id the scenario does not define.
    """
    index = _as_index(index)
    held = index.bits(entity)
    bits = held & ~index.blocked_bits(entity)
    return BlastRadius(
        entity=entity,
        entity_kind=index.kind_of(entity),
        permissions=tuple(index.pairs(bits)),
        assets=index.assets(bits),
        restricted_assets=index.assets(bits, restricted_only=True),
        tools=index.tools(bits),
        score=index.score(bits),
        blocked=tuple(index.pairs(held & ~bits)),
    )


def blast_radius_records(
    index: AccessIndex | Scenario, *, kinds: Sequence[str] = CARRIER_KINDS
) -> list[dict[str, Any]]:
    """One row per entity of `kinds` (scenario order within each kind), columns `BLAST_RADIUS_COLUMNS`.

    Scores equal `blast_radius(index, entity).score` exactly.
    """
    index = _as_index(index)
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        entities = index.entities(kind)
        batch = index.batch(entities, usable=True)
        blocked = batch["blocked"].tolist()
        scores = batch["score"].tolist()
        permissions = batch["permissions"].tolist()
        assets = batch["assets"].tolist()
        restricted = batch["restricted_assets"].tolist()
        name = index.scenario_name
        rows.extend(
            {
                "scenario": name,
                "entity": entity,
                "entity_kind": kind,
                "score": scores[i],
                "permissions": permissions[i],
                "assets": assets[i],
                "restricted_assets": restricted[i],
                "blocked": blocked[i],
            }
            for i, entity in enumerate(entities)
        )
    return rows


def _as_index(index: AccessIndex | Scenario) -> AccessIndex:
    return index.derived("graph.access_index", compile_access) if isinstance(index, Scenario) else index
