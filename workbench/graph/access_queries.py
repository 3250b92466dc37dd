"""Questions about one permission or one asset: why does X hold it, and who can reach it.

Both are answered from a compiled `AccessIndex`; passing a scenario compiles one on the spot.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.graph.index import AccessIndex, compile_access
from workbench.graph.vocabulary import IDENTITY_KINDS, Hop
from workbench.model.scenario import Scenario

__all__ = ["explain", "who_can_reach"]


def explain(index: AccessIndex | Scenario, entity: str, action: str, resource: str) -> list[Hop] | None:
    """The hops of a shortest route by which `entity` can exercise `action` on `resource`; None if it cannot.

    Works for agents, humans and service accounts (standing access), secrets (leaked) and tools
    (compromised). Each hop is an edge of `build_graph`'s graph: e.g. `[Hop('bot', 'has_role', 'reader'),
    Hop('reader', 'grants', 'crm')]`. Through an attenuated delegation the route shows the delegation and
    then how the delegator holds the permission.
    """
    index = compile_access(index) if isinstance(index, Scenario) else index
    return index.explain(entity, action, resource)


def who_can_reach(
    index: AccessIndex | Scenario, asset: str, *, kinds: Sequence[str] = IDENTITY_KINDS
) -> list[tuple[str, tuple[str, ...]]]:
    """Entities of `kinds` that can exercise some action on `asset`, each with those actions.

    Ordered by `kinds`, then scenario order; actions in `ACTIONS` order. Add "secret" or "tool" to `kinds`
    to include what a leaked secret or compromised tool reaches.
    """
    index = compile_access(index) if isinstance(index, Scenario) else index
    found: list[tuple[str, tuple[str, ...]]] = []
    for kind in kinds:
        for entity in index.entities(kind):
            actions = index.actions_on(entity, asset)
            if actions:
                found.append((entity, actions))
    return found
