"""Where in an inventory file a node of an imported scenario came from, so findings can point there.

A finding about an imported entity is most useful at the line of the file the team owns (the
`claude_desktop_config.json` holding the key, the IAM dump's policy), not in the generated scenario. The
entity's `provenance` says where it was read; a node inside it that names another imported entity (a
credential the agent holds, a tool it is wired to, a role it has) is better located at that entity's own
occurrence in the same file: for a laptop's Claude Desktop holding a key, the line the key is written on.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.model.common import Provenance
from workbench.model.scenario import ENTITY_SECTIONS, Scenario

__all__ = ["origin"]

_REFERENCES = {"credentials": "secret", "tools": None, "roles": None}
"""Lists inside an entity whose items name another entity: by the item's field, or the item itself (None)."""


def origin(scenario: Scenario, path: Sequence[str | int]) -> Provenance | None:
    """The inventory node the scenario node at `path` was imported from; None for hand-written nodes."""
    if len(path) < 2 or path[0] not in ENTITY_SECTIONS or not isinstance(path[1], int):
        return None
    items = getattr(scenario, str(path[0]))
    if not 0 <= path[1] < len(items):
        return None
    entity = items[path[1]]
    provenance: list[Provenance] = getattr(entity, "provenance", [])
    if not provenance:
        return None
    home = provenance[0]
    if len(path) >= 4 and path[2] in _REFERENCES and isinstance(path[3], int):
        listed = getattr(entity, str(path[2]), [])
        if 0 <= path[3] < len(listed):
            field = _REFERENCES[str(path[2])]
            named = getattr(listed[path[3]], field) if field else listed[path[3]]
            other = scenario.by_id.get(named) if isinstance(named, str) else None
            for where in getattr(other, "provenance", []):
                if where.file == home.file:
                    return where
    return home
