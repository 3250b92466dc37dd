"""Scenario ids and one-line text made from names found in an inventory, which may hold anything.

An inventory's names (MCP server names, IAM role names, Kubernetes objects) become ids that match the
scenario's `Id` pattern, stay unique, and are the same on every import of the same input; its free text
becomes model `Text` (control characters shown as escapes, length capped), so nothing from the input can
drive a terminal or break a report.
"""

from __future__ import annotations

import hashlib
import re

from workbench.escaping import shortened
from workbench.model.common import MAX_TEXT

__all__ = ["IdAllocator", "digest", "one_line", "slug"]

_NOT_ID = re.compile(r"[^A-Za-z0-9_.:-]+")
_MAX_SLUG = 96


def digest(*parts: str, length: int = 8) -> str:
    """A short, stable hex digest of `parts` (for disambiguating ids; not a secret's fingerprint)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()[:length]


def slug(name: str, *, fallback: str = "item") -> str:
    """`name` reduced to id characters: `GitHub MCP (prod)` -> `github-mcp-prod`."""
    text = _NOT_ID.sub("-", name.lower()).strip("-_.:")
    if not text:
        return fallback
    if len(text) > _MAX_SLUG:
        text = text[:_MAX_SLUG].rstrip("-_.:") + "-" + digest(name)
    return text


def one_line(value: object, *, limit: int = MAX_TEXT) -> str:
    """Inventory text as model `Text`: control characters as escapes, cut to `limit` characters."""
    return shortened(value, limit)


class IdAllocator:
    """Hands out unique ids: the same `key` always gets the same id; a new key whose preferred id is taken
    gets that id with a digest of its key appended."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._by_key: dict[str, str] = {}
        self._used: set[str] = set(taken or ())

    def __call__(self, key: str, preferred: str) -> str:
        found = self._by_key.get(key)
        if found is not None:
            return found
        candidate = preferred
        if candidate in self._used:
            candidate = f"{preferred}-{digest(key)}"
            while candidate in self._used:
                candidate = f"{preferred}-{digest(key, candidate)}"
        self._used.add(candidate)
        self._by_key[key] = candidate
        return candidate

    def get(self, key: str) -> str | None:
        """The id given to `key`, if any."""
        return self._by_key.get(key)
