"""The state of one compromise in progress: what the attacker holds, what it could obtain, what it did.

Two reaches are kept apart because they answer different questions (docs/concepts.md, "The numbers"):
- *held*: the credentials the attacker actually holds at t (standing access, tools' keys, the agent's live
  tokens), what a memory-scraping attacker walks away with;
- *obtainable*: everything it could exercise at t without a human approving anything: what it holds and
  may use without a check, plus what the design would issue or allow automatically to its requests in the
  agent's state at t. The stretches during which the design would hand it a set are kept as `Offer` spans
  next to the tokens, so both integrals are the same sweep (exposure.py).
"""

from __future__ import annotations

import math

from workbench.model import Threat
from workbench.sim.exposure import Span, Weight, area
from workbench.sim.plan import Check
from workbench.sim.reach import Grant
from workbench.sim.state import Token

__all__ = ["COMPACT_AT", "Compromise", "Offer"]

COMPACT_AT = 1024
"""Spans a compromise watches before it folds the ended ones into its exposure so far."""


class Offer:
    """A stretch of time during which the design would give the attacker `scope` without asking a human."""

    __slots__ = ("end", "expires", "id", "issued", "scope")

    def __init__(self, offer_id: int, scope: frozenset[Grant], issued: float) -> None:
        self.id = offer_id
        self.scope = scope
        self.issued = issued
        self.expires = math.inf
        self.end = math.inf


class Compromise:
    """One compromise in progress: what the attacker holds, could obtain and has done."""

    __slots__ = (
        "active",
        "agent",
        "base",
        "checks",
        "compact_at",
        "containment",
        "credentials",
        "denials",
        "detected_at",
        "exercised",
        "exercises",
        "flagged",
        "free",
        "held_area",
        "id",
        "key",
        "obtainable_area",
        "obtained",
        "offer",
        "offers",
        "parent",
        "reachable",
        "rejections",
        "root",
        "start",
        "swept_to",
        "target",
        "threat",
        "tokens",
        "until",
        "via",
    )

    def __init__(self, cid: int, threat: Threat, start: float, detected_at: float, until: float, how: str) -> None:
        self.id = cid
        self.threat = threat
        self.target = threat.target
        self.agent: str | None = None
        self.start = start
        self.detected_at = detected_at
        self.until = until
        self.containment = how
        self.parent = -1  # the compromise this one spread from (a cascade), -1 for a threat's own
        self.root = cid  # the first compromise of its cascade
        self.via = ""  # how it spread: delegation, poisoned data or a readable secret
        self.base: frozenset[Grant] = frozenset()  # held without asking: standing access, tools' keys
        self.free: frozenset[Grant] = frozenset()  # the part of base usable without a request-time check
        self.credentials: dict[Grant, str] = {}  # which credential gives each base grant
        self.checks: dict[Grant, Check] = {}  # the attacker's request template per candidate grant
        self.tokens: list[Token] = []  # tokens of the agent live at some point of the dwell
        self.offers: list[Offer] = []  # what the design would give on request, over time
        self.offer: Offer | None = None  # the one open now
        self.exercised: dict[Grant, float] = {}
        self.exercises = 0
        self.obtained = 0
        self.denials = 0
        self.rejections = 0
        self.reachable: set[Grant] = set()  # obtainable at the moment of compromise
        self.flagged = False
        self.active = True
        self.key = 0  # names the substream of the attacker's requests (streams.unit)
        self.swept_to = start  # both integrals before this time are already in the areas below
        self.held_area = 0.0  # score-seconds
        self.obtainable_area = 0.0
        self.compact_at = COMPACT_AT

    def add_token(self, token: Token, now: float, weight: Weight) -> None:
        """Watch a token of the agent issued during the dwell."""
        self.tokens.append(token)
        self._compact(now, weight)

    def offer_now(self, scope: frozenset[Grant], now: float, offer_id: int, weight: Weight) -> bool:
        """What the design would give on request changed (or not) at `now`; True if it changed."""
        current = self.offer
        if current is not None and current.scope == scope:
            return False
        if current is None and not scope:
            return False
        if current is not None:
            current.end = now
            self.offer = None
        if scope:
            self.offer = Offer(offer_id, scope, now)
            self.offers.append(self.offer)
        self._compact(now, weight)
        return True

    def held_score_h(self, until: float, weight: Weight) -> float:
        """Held exposure: ∫ score(credentials held) dt from compromise to `until`, in score-hours."""
        return (self.held_area + area(self.base, self.tokens, self.swept_to, until, weight)) / 3600.0

    def obtainable_score_h(self, until: float, weight: Weight) -> float:
        """Exposure: ∫ score(obtainable reach) dt from compromise to `until`, in score-hours."""
        spans: list[Span] = [*self.tokens, *self.offers]
        return (self.obtainable_area + area(self.free, spans, self.swept_to, until, weight)) / 3600.0

    def _compact(self, now: float, weight: Weight) -> None:
        """Fold the spans that ended into the integrals so far.

        A hijacked agent with a busy workload gets many tokens while its compromise goes unnoticed. Every
        change of reach before the earliest still-open span's start is final, so both integrals up to there
        are taken and the spans that ended before it are dropped: memory stays bounded by the spans open at
        once, not by all the spans of the dwell.
        """
        if len(self.tokens) + len(self.offers) <= self.compact_at:
            return
        opened = [t.issued for t in self.tokens if t.end == math.inf]
        opened += [o.issued for o in self.offers if o.end == math.inf]
        until = min([now, *opened])
        if until > self.swept_to:
            since = self.swept_to
            self.held_area += area(self.base, self.tokens, since, until, weight)
            spans: list[Span] = [*self.tokens, *self.offers]
            self.obtainable_area += area(self.free, spans, since, until, weight)
            self.swept_to = until
            self.tokens = [t for t in self.tokens if t.end == math.inf or min(t.end, t.expires) > until]
            self.offers = [o for o in self.offers if o.end == math.inf or o.end > until]
        self.compact_at = max(COMPACT_AT, 2 * (len(self.tokens) + len(self.offers)))
