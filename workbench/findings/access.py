"""What each identity can exercise, and through which edges: the access questions the rules ask.

Effective permissions and the shortest route explaining each come from the graph layer's compiled index
(`workbench.graph.compile_access`), so findings, blast radius and the simulation agree on who holds what;
access *without* tool conduits (for confused deputies) comes from the same compiler with tools reaching
nothing for their callers. Rules ask for both as bitsets (`AccessView.bits`, `AccessView.own_bits`) and
derive what they report by bit operations, so evaluating an organisation stays linear in its size.

`ScenarioAccess` adds what the index does not offer: every distinct route to a permission (for the
capability map). It walks the same semantics (docs/architecture.md, "Access semantics"); a test checks that
it agrees with the index on every shipped scenario and on generated organisations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from workbench.graph.index import AccessIndex, compile_access
from workbench.graph.permissions import Pair, delegation_live, expand_permissions, scenario_resources
from workbench.graph.scoring import permission_weight, risk_level
from workbench.graph.vocabulary import Hop
from workbench.model import ACTIONS, Delegation, Permission, Scenario
from workbench.model.common import RiskLevel

__all__ = ["AccessView", "Pair", "Route", "ScenarioAccess", "format_pairs"]

Route = tuple[Hop, ...]
"""The hops that carry one permission to an identity, from the identity to the resource."""


@dataclass(frozen=True, slots=True)
class _Walked:
    """What one walk found, the identities it entered, and those of the trail it came by that cut it short."""

    found: Mapping[Pair, tuple[Route, ...]]
    entered: frozenset[str]
    cut_by: frozenset[str]

    def holds_under(self, trail: tuple[str, ...]) -> bool:
        """True if walking again under `trail` would enter the same identities and stop at the same cycles."""
        return self.entered.isdisjoint(trail) and self.cut_by.issubset(trail)


@dataclass
class ScenarioAccess:
    """Effective permissions with their routes, computed from the scenario alone (memoised per identity).

    The walk of an account or delegator is shared by everyone who reaches it. A walk depends on the trail
    that led to it only through the identities it enters (none may be on the trail) and the trail's
    identities it stops at (a cycle back to them), so it is reused under any trail that agrees on both.
    """

    scenario: Scenario
    _reach: dict[tuple[str, bool], Mapping[Pair, tuple[Route, ...]]] = field(default_factory=dict, repr=False)
    _walked: dict[tuple[str, bool], list[_Walked]] = field(default_factory=dict, repr=False)
    _resources: tuple[str, ...] = field(init=False, repr=False)
    _delegations_to: dict[str, list[Delegation]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        s = self.scenario
        self._resources = scenario_resources(s)
        self._delegations_to = {}
        for delegation in s.delegations:
            if delegation_live(delegation, as_of=s.as_of):
                self._delegations_to.setdefault(delegation.delegate, []).append(delegation)

    def effective(self, identity: str) -> frozenset[Pair]:
        """Everything `identity` can exercise, tools' conduits included."""
        return frozenset(self.reach(identity))

    def explain(self, identity: str, pair: Pair) -> Route:
        """The first route found to `pair` (roles, then runs_as, credentials, tools, delegations)."""
        routes = self.reach(identity).get(pair, ())
        return routes[0] if routes else ()

    def routes(self, identity: str, pair: Pair) -> tuple[Route, ...]:
        """One route per distinct carrier (last hop: role, secret, tool or delegation) of `pair` to `identity`."""
        return self.reach(identity).get(pair, ())

    def direct(self, identity: str) -> frozenset[Pair]:
        """What `identity` can exercise without a tool acting for it with the tool's own credential."""
        return frozenset(self.reach(identity, through_tools=False))

    def reach(self, identity: str, *, through_tools: bool = True) -> Mapping[Pair, tuple[Route, ...]]:
        """Every permission of `identity` with its routes, in the order found."""
        key = (identity, through_tools)
        if key not in self._reach:
            self._reach[key] = self._walk(identity, through_tools, ()).found
        return self._reach[key]

    # -- the walk -------------------------------------------------------------------------------------

    def _walk(self, identity: str, through_tools: bool, trail: tuple[str, ...]) -> _Walked:
        if identity in trail:  # a runs_as or delegation cycle adds nothing the identity did not hold
            return _Walked({}, frozenset(), frozenset({identity}))
        walks = self._walked.setdefault((identity, through_tools), [])
        for known in walks:
            if known.holds_under(trail):
                return known
        trail = (*trail, identity)
        entered = {identity}
        cut_by: set[str] = set()

        def walk(other: str) -> Mapping[Pair, tuple[Route, ...]]:
            walked = self._walk(other, through_tools, trail)
            entered.update(walked.entered)
            cut_by.update(walked.cut_by)
            return walked.found

        s = self.scenario
        item = s.by_id.get(identity)
        found: dict[Pair, tuple[Route, ...]] = {}
        queue: list[tuple[Pair, Route]] = []

        def offer(pair: Pair, route: Route) -> None:
            known = found.get(pair, ())
            if not known:
                queue.append((pair, route))
            if all(r[-1] != route[-1] for r in known):
                found[pair] = (*known, route)

        for role_id in getattr(item, "roles", ()):
            for pair in self._expand(getattr(s.by_id.get(role_id), "permissions", [])):
                offer(pair, (Hop(identity, "has_role", role_id), Hop(role_id, "grants", pair[1])))
        runs_as = getattr(item, "runs_as", None)
        if runs_as is not None:
            for pair, routes in walk(runs_as).items():
                offer(pair, (Hop(identity, "runs_as", runs_as), *routes[0]))
        for credential in getattr(item, "credentials", ()):
            hop = Hop(identity, "holds_secret", credential.secret)
            for pair, route in self._secret(credential.secret, walk):
                offer(pair, (hop, *route))
        for tool_id in getattr(item, "tools", ()):
            offer(("execute", tool_id), (Hop(identity, "uses_tool", tool_id),))
        for delegation in self._delegations_to.get(identity, ()):
            hop = Hop(delegation.delegator, "delegates_to", identity)
            theirs = walk(delegation.delegator)
            if not delegation.scope:
                for pair, routes in theirs.items():
                    offer(pair, (hop, *routes[0]))
                continue
            for pair in self._expand(delegation.scope):
                if pair in theirs:
                    offer(pair, (hop, *theirs[pair][0]))
                elif not delegation.attenuated:
                    offer(pair, (hop,))
        # Reading a secret hands over what it grants; executing a tool, what the tool reaches.
        index = 0
        while index < len(queue):
            (action, resource), route = queue[index]
            index += 1
            kind = s.kinds.get(resource)
            if action == "read" and kind == "secret":
                for pair, more in self._secret(resource, walk):
                    offer(pair, (*route, *more))
            elif action == "execute" and kind == "tool" and through_tools:
                for pair in self.conduit(resource):
                    offer(pair, (*route, Hop(resource, "tool_accesses", pair[1])))
        cut_by.discard(identity)  # a cycle back to this walk's own start is the same under any trail
        walked = _Walked(found, frozenset(entered), frozenset(cut_by))
        walks.append(walked)
        return walked

    def _secret(
        self, secret_id: str, walk: Callable[[str], Mapping[Pair, tuple[Route, ...]]]
    ) -> list[tuple[Pair, Route]]:
        secret = self.scenario.by_id.get(secret_id)
        pairs: list[tuple[Pair, Route]] = [
            (pair, (Hop(secret_id, "secret_grants", pair[1]),)) for pair in self._expand(getattr(secret, "grants", []))
        ]
        account = getattr(secret, "authenticates_as", None)
        if account is not None:
            hop = Hop(secret_id, "authenticates_as", account)
            pairs += [(pair, (hop, *routes[0])) for pair, routes in walk(account).items()]
        return pairs

    def conduit(self, tool_id: str) -> list[Pair]:
        """What calling a tool reaches: its accesses, done with the tool's own credential."""
        tool = self.scenario.by_id.get(tool_id)
        return [(action, access.resource) for access in getattr(tool, "accesses", ()) for action in access.actions]

    def _expand(self, permissions: Iterable[Permission]) -> list[Pair]:
        return expand_permissions(permissions, resources=self._resources)


@dataclass
class AccessView:
    """The access questions rules ask: the graph index for what is held, `ScenarioAccess` for how.

    Everything is computed at most once per view (one view per evaluation): the index without tool
    conduits, each tool's conduit, each permission's weight and each explained route.
    """

    scenario: Scenario
    index: AccessIndex
    local: ScenarioAccess = field(init=False, repr=False)
    _rank: dict[Pair, int] = field(init=False, repr=False)
    _pair_at: dict[int, Pair] = field(init=False, repr=False)
    _weights: dict[Pair, float] = field(default_factory=dict, init=False, repr=False)
    _routes: dict[tuple[str, Pair], Route] = field(default_factory=dict, init=False, repr=False)
    _conduits: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.local = ScenarioAccess(self.scenario)
        every = [(action, resource) for resource in self.index.resources for action in ACTIONS]
        # The bit of each pair is the index's own (`bits_of`); ascending bits are scenario order.
        self._rank = {pair: self.index.bits_of((pair,)).bit_length() - 1 for pair in every}
        self._pair_at = {rank: pair for pair, rank in self._rank.items()}

    @classmethod
    def of(cls, scenario: Scenario, index: AccessIndex | None = None) -> AccessView:
        """The view of `scenario`, compiling the graph index unless one is given."""
        return cls(scenario, compile_access(scenario) if index is None else index)

    @cached_property
    def own_index(self) -> AccessIndex:
        """The index compiled with tools reaching nothing for their callers: what identities hold themselves."""
        return compile_access(self.scenario, tool_conduits=False)

    # -- as sets of pairs ---------------------------------------------------------------------------------

    def effective(self, identity: str) -> frozenset[Pair]:
        """Everything an agent, human or service account can exercise."""
        return self.index.effective_permissions(identity)

    def explain(self, identity: str, pair: Pair) -> Route:
        """A shortest route carrying `pair` to `identity`; () if it does not hold it (memoised)."""
        key = (identity, pair)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = tuple(self.index.explain(identity, pair[0], pair[1]) or ())
        return route

    def direct(self, identity: str) -> frozenset[Pair]:
        """What `identity` can exercise without borrowing a tool's credential."""
        return self.own_index.effective_permissions(identity)

    def routes(self, identity: str, pair: Pair) -> tuple[Route, ...]:
        """Every distinct route (by carrier) of `pair` to `identity`."""
        return self.local.routes(identity, pair)

    def holds(self, identity: str, pair: Pair) -> bool:
        """True if `identity` can exercise `pair`."""
        return pair in self.effective(identity)

    def conduit(self, tool_id: str) -> list[Pair]:
        """What a tool reaches with its own credential when called."""
        return self.local.conduit(tool_id)

    # -- as bitsets (the index's layout: one byte per resource, one bit per action) -----------------------

    def bits(self, identity: str) -> int:
        """`effective(identity)` as a bitset."""
        return self.index.bits(identity)

    def own_bits(self, identity: str) -> int:
        """`direct(identity)` as a bitset."""
        return self.own_index.bits(identity)

    def conduit_bits(self, tool_id: str) -> int:
        """`conduit(tool_id)` as a bitset."""
        bits = self._conduits.get(tool_id)
        if bits is None:
            bits = self._conduits[tool_id] = self.bits_of(self.conduit(tool_id))
        return bits

    def bits_of(self, pairs: Iterable[Pair]) -> int:
        """Bitset of `pairs`; a pair on no resource of the scenario is left out (nobody can hold it)."""
        rank = self._rank
        bits = 0
        for pair in pairs:
            if pair in rank:
                bits |= 1 << rank[pair]
        return bits

    def pairs(self, bits: int) -> list[Pair]:
        """The pairs of a bitset in scenario order (as `sorted` orders them).

        Walks the set bits only, so the masked bitsets rules report (a few pairs each) cost what they hold.
        """
        pair_at = self._pair_at
        out = []
        while bits:
            low = bits & -bits
            out.append(pair_at[low.bit_length() - 1])
            bits ^= low
        return out

    def mask(self, keep: Callable[[str, str], bool]) -> int:
        """Bitset of every (action, resource) pair of the scenario for which `keep(action, resource)` holds."""
        return self.bits_of(pair for pair in self._rank if keep(*pair))

    # -- weights and order --------------------------------------------------------------------------------

    def weight(self, pair: Pair) -> float:
        """Score of one permission (sensitivity × value × action weight; tools weigh 0)."""
        weight = self._weights.get(pair)
        if weight is None:
            weight = self._weights[pair] = permission_weight(self.scenario, pair[0], pair[1])
        return weight

    def total_weight(self, pairs: Iterable[Pair]) -> float:
        """Sum of the weights of `pairs`, added in the order given (so the float is the same every run)."""
        return sum(self.weight(pair) for pair in pairs)

    def risk(self, pair: Pair) -> RiskLevel:
        """Risk level of exercising `pair` once."""
        return risk_level(self.weight(pair))

    def sorted(self, pairs: Iterable[Pair]) -> list[Pair]:
        """Pairs in scenario order: resources as the scenario lists them, actions in ACTIONS order.

        Pairs on no resource of the scenario come last, by resource id.
        """
        rank = self._rank
        known: list[Pair] = []
        unknown: list[Pair] = []
        for pair in pairs:
            (known if pair in rank else unknown).append(pair)
        actions: tuple[str, ...] = ACTIONS
        known.sort(key=rank.__getitem__)
        unknown.sort(key=lambda p: (p[1], actions.index(p[0])))
        return known + unknown

    def heaviest(self, pairs: Iterable[Pair]) -> Pair:
        """The pair with the largest weight (first in scenario order among equals); ValueError if none."""
        ordered = self.sorted(pairs)
        if not ordered:
            raise ValueError("no permissions to choose from")
        return max(ordered, key=self.weight)  # max keeps the first of equal weights


def format_pairs(pairs: Iterable[Pair]) -> str:
    """`action:resource` joined by spaces, as the simulation records write scopes."""
    return " ".join(f"{action}:{resource}" for action, resource in pairs)
