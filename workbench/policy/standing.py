"""The standing permissions a design consults, injected by the caller and looked up once per identity.

Designs never compute effective permissions themselves: that is graph's job (roles, runs_as, held secrets,
tools and delegations, wildcards expanded). The caller passes a mapping or a callable; lookups are cached
per design instance because the simulation asks about the same few principals millions of times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["Grant", "Standing", "StandingIndex"]

Grant = tuple[str, str]
"""A permission as an (action, resource) pair with no wildcards."""

Standing = Mapping[str, frozenset[Grant]] | Callable[[str], frozenset[Grant]]
"""Effective permissions by identity id: a mapping (missing ids hold nothing) or a callable."""


@dataclass(frozen=True, slots=True)
class StandingIndex:
    """Cached, read-only view of the injected standing permissions."""

    source: Standing
    _cache: dict[str, frozenset[Grant]] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, identity: str) -> frozenset[Grant]:
        """Everything `identity` can exercise with what it holds."""
        cached = self._cache.get(identity)
        if cached is None:
            if isinstance(self.source, Mapping):
                cached = frozenset(self.source.get(identity, frozenset()))
            else:
                cached = frozenset(self.source(identity))
            self._cache[identity] = cached
        return cached

    def holds(self, identity: str, action: str, resource: str) -> bool:
        """True if `identity` can exercise `action` on `resource`."""
        return (action, resource) in self(identity)
