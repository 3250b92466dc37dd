"""Why access flows along each kind of edge, in words: the explanation beside every hop of a path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["explain_hop"]

_WHY: Mapping[str, str] = {
    "has_role": "{source} is assigned role {target}",
    "grants": "role {source} grants {action} on {target}",
    "runs_as": "{source} runs as service account {target} and inherits its access",
    "holds_secret": "{source} holds secret {target}",
    "secret_grants": "secret {source} grants {action} on {target}",
    "authenticates_as": "secret {source} logs in as {target}",
    "delegates_to": "{source} delegates its authority to {target}",
    "tool_accesses": "tool {source} performs {action} on {target} with its own access",
    "tool_uses_credential": "tool {source} authenticates with secret {target}",
    "uses_tool": "{source} is wired to tool {target} and can call it",
    "approved_by": "{source} was approved by {target}",
    "owns": "{source} owns {target}",
}


def explain_hop(source: str, kind: str, target: str, data: Mapping[str, Any] | None = None) -> str:
    """A sentence saying why access flows along `source --kind--> target` (the edge's data gives the action)."""
    action = (data or {}).get("action") or "access"
    template = _WHY.get(kind, "{source} --" + kind + "--> {target}")
    return template.format(source=source, target=target, action=action)
