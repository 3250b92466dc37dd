"""The exposure integrals, pure: ∫ score(what is reachable at t) dt over a compromise's dwell.

A compromise's reach at t is a fixed base plus the union of the scopes of spans (tokens, or the stretches
during which the design would hand the attacker something without asking a human) that are live at t. The
score of a union is not the sum of its parts, so the integral sweeps the spans' ends in time order and keeps
a count per permission: a permission adds its weight when its first span opens and removes it when its last
closes. Exact for piecewise-constant reach, which is all the simulation produces (docs/concepts.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

__all__ = ["Span", "Weight", "area"]

Grant = tuple[str, str]
Weight = Callable[[str, str], float]


class Span(Protocol):
    """Anything live from `issued` until the earlier of `expires` and `end`, reaching `scope`."""

    id: int
    issued: float
    expires: float
    end: float
    scope: frozenset[Grant]


def area(base: frozenset[Grant], spans: Iterable[Span], since: float, until: float, weight: Weight) -> float:
    """∫ score(base ∪ scopes of the spans live at t) dt over [since, until], in score-seconds."""
    base_score = float(sum(weight(*g) for g in sorted(base)))
    changes: list[tuple[float, int, int, frozenset[Grant]]] = []
    for span in spans:
        begin = max(span.issued, since)
        end = min(span.end, span.expires, until)
        if end > begin:
            changes.append((begin, 1, span.id, span.scope))
            changes.append((end, -1, span.id, span.scope))
    changes.sort()
    counts: dict[Grant, int] = {}
    extra = 0.0
    total = 0.0
    last = since
    for when, delta, _sid, scope in changes:
        total += (base_score + extra) * (when - last)
        last = when
        for grant in sorted(scope):
            if grant in base:
                continue
            count = counts.get(grant, 0) + delta
            counts[grant] = count
            if delta > 0 and count == 1:
                extra += weight(*grant)
            elif delta < 0 and count == 0:
                extra -= weight(*grant)
    total += (base_score + extra) * max(0.0, until - last)
    return total
