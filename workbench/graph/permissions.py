"""Wildcard expansion and delegation liveness: the two scenario rules every access computation shares.

A '*' resource means every dataset, secret and tool; a '*' action means all six actions. Expansion follows
scenario order (resources in the order `Scenario.iter_entities` yields them, actions in `ACTIONS` order), so
everything built on it is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from workbench.model.access import Delegation
from workbench.model.common import ACTIONS, ANY, Permission
from workbench.model.scenario import ENTITY_SECTIONS, Scenario

__all__ = ["Pair", "delegation_live", "expand_permissions", "scenario_resources"]

Pair = tuple[str, str]
"""A permission as an (action, resource) pair with no wildcards."""

_RESOURCE_KINDS = ("dataset", "secret", "tool")


def scenario_resources(scenario: Scenario) -> tuple[str, ...]:
    """Ids of every dataset, secret and tool, in scenario order: what a '*' resource expands to."""
    return tuple(
        item.id
        for section, kind in ENTITY_SECTIONS.items()
        if kind in _RESOURCE_KINDS
        for item in getattr(scenario, section)
    )


def expand_permissions(permissions: Iterable[Permission], *, resources: Sequence[str]) -> list[Pair]:
    """Concrete (action, resource) pairs of `permissions`, wildcards expanded, first occurrence kept.

    >>> from workbench.model import Permission
    >>> expand_permissions([Permission(action="*", resource="db")], resources=["db", "key"])[:2]
    [('read', 'db'), ('write', 'db')]
    """
    seen: dict[Pair, None] = {}
    for permission in permissions:
        targets = resources if permission.resource == ANY else (permission.resource,)
        actions = ACTIONS if permission.action == ANY else (permission.action,)
        for resource in targets:
            for action in actions:
                seen.setdefault((action, resource), None)
    return list(seen)


def delegation_live(delegation: Delegation, *, as_of: dt.date) -> bool:
    """True if the delegation still holds on `as_of` (it lapses the day after `expires`)."""
    return delegation.expires is None or delegation.expires >= as_of
