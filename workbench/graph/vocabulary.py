"""The node and edge kinds of the access graph, and the hop a path or explanation is made of.

Declared once here so that builders, queries, exports and reports refer to kinds by name, never by scattered
string literals.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

__all__ = [
    "ACCESS_EDGE_KINDS",
    "ASSET_KINDS",
    "CARRIER_KINDS",
    "EDGE_KINDS",
    "IDENTITY_KINDS",
    "NODE_KINDS",
    "PERMISSION_EDGE_KINDS",
    "EdgeKind",
    "Hop",
    "NodeKind",
]

NodeKind = Literal["agent", "human", "service_account", "tool", "dataset", "secret", "role"]
NODE_KINDS: Final[tuple[NodeKind, ...]] = (
    "agent", "human", "service_account", "tool", "dataset", "secret", "role",
)  # fmt: skip

IDENTITY_KINDS: Final[tuple[NodeKind, ...]] = ("agent", "human", "service_account")
"""Principals with effective permissions of their own."""

ASSET_KINDS: Final[tuple[NodeKind, ...]] = ("dataset", "secret", "tool")
"""Kinds a permission can name as its resource (a '*' resource expands to all of them)."""

CARRIER_KINDS: Final[tuple[NodeKind, ...]] = ("agent", "service_account", "secret", "tool")
"""Kinds whose compromise has a blast radius: a hijacked agent or account, a leaked secret, a compromised tool."""

EdgeKind = Literal[
    "has_role", "grants", "runs_as", "holds_secret", "secret_grants", "authenticates_as", "delegates_to",
    "tool_accesses", "tool_uses_credential", "uses_tool", "approved_by", "owns",
]  # fmt: skip
EDGE_KINDS: Final[tuple[EdgeKind, ...]] = (
    "has_role", "grants", "runs_as", "holds_secret", "secret_grants", "authenticates_as", "delegates_to",
    "tool_accesses", "tool_uses_credential", "uses_tool", "approved_by", "owns",
)  # fmt: skip

PERMISSION_EDGE_KINDS: Final[tuple[EdgeKind, ...]] = ("grants", "secret_grants", "tool_accesses", "uses_tool")
"""Edges that end in a permission on their target; each carries an `action`."""

ACCESS_EDGE_KINDS: Final[tuple[EdgeKind, ...]] = (
    "has_role", "grants", "runs_as", "holds_secret", "secret_grants", "authenticates_as", "delegates_to",
    "tool_accesses", "uses_tool",
)  # fmt: skip
"""Edges along which access flows to a caller. A tool's own `runs_as` and `tool_uses_credential` edges are
excluded: a caller reaches only the tool's accesses; the tool's key matters when the tool itself is compromised.
`delegates_to` runs from delegator to delegate, so access flows against it."""


class Hop(NamedTuple):
    """One edge of the scenario graph on a path: `source --kind--> target`.

    Access flows along every hop except `delegates_to`, which lends the delegator's access to the delegate.
    """

    source: str
    kind: EdgeKind
    target: str
