"""A compiled access index: every entity's effective permissions as one Python-int bitset, built once.

The simulation and the findings ask "what can X exercise, and what does it weigh?" for every agent, secret
and tool, often many times, and organisations have 10^5 agents. Walking a networkx graph per question is too
slow, so `compile_access` compiles the scenario straight into integer adjacency lists and computes each node's
reach as a bitset over permissions: one byte per resource (in scenario order), one bit per action
(in `ACTIONS` order). Strongly connected components are found with Tarjan's algorithm, which emits them
sinks first, so each component's reach is the union of its members' own permissions and its successors'
already-final reach. Attenuated delegations (scope ∩ what the delegator holds) are not reachability: they
depend on their delegator's reach, which is added as an ordering edge; the rare component that contains such
a delegation is solved by iterating to the least fixpoint. Identities nothing points at (most agents) are
done last, each as the union of its few successors.

The semantics are those of `reachability.access_view` (the reference the tests compare against).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError
from workbench.escaping import quote
from workbench.graph.permissions import Pair, delegation_live, scenario_resources
from workbench.graph.scoring import asset_weight
from workbench.graph.vocabulary import EdgeKind, Hop
from workbench.model.access import BlockedAction, Role
from workbench.model.assets import Secret, Tool
from workbench.model.common import ACTIONS, ANY, Permission
from workbench.model.identities import Agent, Human, ServiceAccount
from workbench.model.scenario import ENTITY_SECTIONS, Scenario

__all__ = ["AccessIndex", "UnknownEntityError", "compile_access"]

_ACTION_BIT: dict[str, int] = {action: bit for bit, action in enumerate(ACTIONS)}
_ALL_ACTIONS = (1 << len(ACTIONS)) - 1
_MASK_ACTIONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(action for bit, action in enumerate(ACTIONS) if mask >> bit & 1) for mask in range(_ALL_ACTIONS + 1)
)
_OWN_HOP: dict[str, EdgeKind] = {
    "role": "grants",
    "secret": "secret_grants",
    "tool": "tool_accesses",
    "agent": "uses_tool",
}
_CARRYING_ACTION = {"secret": "read", "tool": "execute"}
_NODE_KINDS = frozenset({"agent", "human", "service_account", "role", "secret", "tool"})
"""The permission that hands its holder what a secret or tool itself reaches."""
_CHUNK = 8192
"""Agents scored per numpy batch: bounds memory at 100k agents × 1000 resources."""


@dataclass(frozen=True, slots=True)
class _Attenuated:
    delegator: int
    scope: int


class UnknownEntityError(WorkbenchError, KeyError):
    """A question about an id the scenario does not define (a KeyError too, for code that catches those)."""

    def __init__(self, entity: str, scenario: str) -> None:
        self.entity = entity
        self.scenario = scenario
        super().__init__(entity, scenario)

    def __str__(self) -> str:
        return f"{quote(self.entity)} is not an entity of scenario {quote(self.scenario)}"


class AccessIndex:
    """Effective permissions, compromise reach and scores of one scenario, answered from bitsets.

    Build with `compile_access(scenario)`. Identities are agents, humans and service accounts; secrets and
    tools are answered as compromises (what a leak or a takeover exercises under standing access).
    """

    def __init__(self, scenario: Scenario, *, tool_conduits: bool = True) -> None:
        compiled = _Compiler(scenario, tool_conduits=tool_conduits)
        self.tool_conduits: bool = tool_conduits
        """False if tools were compiled as reaching nothing for their callers (see `compile_access`)."""
        self.scenario_name: str = scenario.name
        self.resources: tuple[str, ...] = compiled.resources
        """Datasets, secrets and tools in scenario order: byte `i` of a bitset is `resources[i]`."""
        self._position = compiled.position
        self._kinds: dict[str, str] = dict(scenario.kinds)
        self._ids = compiled.ids
        self._node = compiled.node
        self._node_kind = compiled.node_kind
        self._own = compiled.own
        self._succ = compiled.succ
        self._attenuated = compiled.attenuated
        self._delegation_ends = compiled.delegation_ends
        self._carrier_bit = compiled.carrier_bit
        self._carrier_node = compiled.carrier_node
        self._carrier_mask = compiled.carrier_mask
        self._compromise_roots = compiled.compromise_roots
        self._by_kind = compiled.by_kind
        self._reach, self._grant = _solve(compiled)
        self._tables, self._weighted, self._assets, self._restricted = _weight_tables(scenario, self.resources)
        self._cache: dict[str, frozenset[Pair]] = {}
        self._by_id = scenario.by_id
        self._blocks = tuple(
            (block, compiled.block_mask(block.action, block.resource)) for block in scenario.blocked_actions
        )
        self._named_blocks: dict[str, list[tuple[BlockedAction, int]]] = {}
        for block, mask in self._blocks:
            if block.identity != ANY:
                self._named_blocks.setdefault(block.identity, []).append((block, mask))
        self._any_blocks: dict[tuple[str, bool], int] = {}

    # -- questions ----------------------------------------------------------------------------------------

    def entities(self, kind: str) -> tuple[str, ...]:
        """Ids of every entity of `kind` (agent, human, service_account, secret, tool, role), scenario order."""
        return self._by_kind.get(kind, ())

    def kind_of(self, entity: str) -> str:
        """Kind of an entity of the scenario (`UnknownEntityError` if unknown)."""
        try:
            return self._kinds[entity]
        except KeyError:
            raise UnknownEntityError(entity, self.scenario_name) from None

    def effective_permissions(self, identity: str) -> frozenset[Pair]:
        """Everything an agent, human or service account can exercise under standing access."""
        if self.kind_of(identity) not in ("agent", "human", "service_account"):
            raise ValueError(f"'{identity}' is a {self._kinds[identity]}, not an agent, human or service account")
        return self.compromise_permissions(identity)

    def compromise_permissions(self, entity: str) -> frozenset[Pair]:
        """What an attacker who takes `entity` over can exercise under standing access.

        An agent, human or service account: its effective permissions. A secret: its grants and its account's
        access. A tool: its accesses plus everything its own credential and account give.
        """
        cached = self._cache.get(entity)
        if cached is None:
            cached = self._cache[entity] = frozenset(self.pairs(self.bits(entity)))
        return cached

    def has_permission(self, entity: str, action: str, resource: str) -> bool:
        """True if `entity` (as in `compromise_permissions`) can exercise `action` on `resource`."""
        position = self._position.get(resource)
        if position is None or action not in _ACTION_BIT:
            return False
        return bool(self.bits(entity) >> (8 * position + _ACTION_BIT[action]) & 1)

    def actions_on(self, entity: str, resource: str) -> tuple[str, ...]:
        """Actions `entity` (as in `compromise_permissions`) can exercise on `resource`, in `ACTIONS` order."""
        position = self._position.get(resource)
        if position is None:
            raise KeyError(f"'{resource}' is not a dataset, secret or tool of scenario '{self.scenario_name}'")
        return _MASK_ACTIONS[self.bits(entity) >> (8 * position) & _ALL_ACTIONS]

    def bits(self, entity: str) -> int:
        """`compromise_permissions(entity)` as a bitset (see the module docstring for the layout)."""
        return self._bits_of_roots(self._roots(entity))

    def score(self, pairs: Iterable[Pair] | int) -> float:
        """Blast-radius score of a set of permissions (or of a bitset): the sum of their weights.

        Terms are added in resource order, so the same set always gives the same float, whichever way
        it is passed; it equals the sum of `permission_weight` over the pairs up to float rounding.
        """
        bits = pairs if isinstance(pairs, int) else self.bits_of(pairs)
        data = bits.to_bytes(len(self.resources), "little")
        total = 0.0
        for position in self._weighted:
            mask = data[position]
            if mask:
                total += self._tables[position][mask]
        return total

    def blocked_bits(self, entity: str) -> int:
        """The permissions of `compromise_permissions(entity)`'s universe that a blocked action denies to it.

        Asked as the simulation asks it of a compromise: the principal is an agent or service account itself
        (an agent also answers for the account it `runs_as`), a secret's account (or the secret), a tool's
        account (or the tool); in that identity's environment, with no amount. Blocks never change what an
        identity holds, only what it can use: static blast radius and the simulation take them out alike.
        """
        if not self._blocks:
            return 0
        aliases, environment, untrusted = self._principal(entity)
        # Blocks on every identity depend only on the environment and untrusted input: one mask per pair.
        key = (environment, untrusted)
        bits = self._any_blocks.get(key)
        if bits is None:
            bits = 0
            for block, mask in self._blocks:
                if block.identity == ANY and block.binds(aliases, environment=environment, untrusted_input=untrusted):
                    bits |= mask
            self._any_blocks[key] = bits
        for alias in aliases:
            for block, mask in self._named_blocks.get(alias, ()):
                if block.binds(aliases, environment=environment, untrusted_input=untrusted):
                    bits |= mask
        return bits

    def usable_bits(self, entity: str) -> int:
        """`bits(entity)` without what blocked actions deny it: what a compromise of it can actually use."""
        return self.bits(entity) & ~self.blocked_bits(entity)

    def bits_of(self, pairs: Iterable[Pair]) -> int:
        """Bitset of concrete (action, resource) pairs; an unknown resource or action raises KeyError."""
        bits = 0
        for action, resource in pairs:
            if resource not in self._position or action not in _ACTION_BIT:
                raise KeyError(f"({action!r}, {resource!r}) is not a permission of scenario '{self.scenario_name}'")
            bits |= 1 << (8 * self._position[resource] + _ACTION_BIT[action])
        return bits

    def pairs(self, bits: int) -> list[Pair]:
        """The (action, resource) pairs of a bitset, in resource then action order."""
        resources = self.resources
        out: list[Pair] = []
        for position, mask in enumerate(bits.to_bytes(len(resources), "little")):
            if mask:
                resource = resources[position]
                out.extend((action, resource) for action in _MASK_ACTIONS[mask])
        return out

    def assets(self, bits: int, *, restricted_only: bool = False) -> tuple[str, ...]:
        """Datasets and secrets a bitset touches with at least one action (tools excluded), scenario order."""
        data = bits.to_bytes(len(self.resources), "little")
        positions = self._restricted if restricted_only else self._assets
        return tuple(self.resources[p] for p in positions if data[p])

    def tools(self, bits: int) -> tuple[str, ...]:
        """Tools a bitset holds some permission on, scenario order."""
        data = bits.to_bytes(len(self.resources), "little")
        return tuple(r for p, r in enumerate(self.resources) if data[p] and self._kinds[r] == "tool")

    def batch(self, entities: Sequence[str], *, usable: bool = False) -> dict[str, np.ndarray]:
        """Score, permission count, asset count and restricted-asset count of many entities, vectorised.

        Scores equal `score(bits(e))` exactly (same terms, same order). With `usable`, every figure is of
        `usable_bits(e)` instead, and "blocked" counts the permissions held but denied by blocked actions.
        """
        count = len(entities)
        out = {
            "score": np.zeros(count),
            "permissions": np.zeros(count, dtype=np.int64),
            "assets": np.zeros(count, dtype=np.int64),
            "restricted_assets": np.zeros(count, dtype=np.int64),
        }
        if usable:
            out["blocked"] = np.zeros(count, dtype=np.int64)
        width = len(self.resources)
        tables = np.asarray(self._tables, dtype=np.float64) if width else np.zeros((0, _ALL_ACTIONS + 1))
        assets = np.asarray(self._assets, dtype=np.intp)
        restricted = np.asarray(self._restricted, dtype=np.intp)
        for start in range(0, count, _CHUNK):
            chunk = entities[start : start + _CHUNK]
            every = self._bits_many(chunk)
            if usable and self._blocks:
                denied = [b & self.blocked_bits(e) for e, b in zip(chunk, every, strict=True)]
                out["blocked"][start : start + len(chunk)] = [d.bit_count() for d in denied]
                every = [b & ~d for b, d in zip(every, denied, strict=True)]
            # Many agents share one reach (same roles, same account): work on each distinct bitset once.
            first = dict.fromkeys(every)
            bitsets = list(first)
            slot = dict(zip(bitsets, range(len(bitsets)), strict=True))
            back = np.fromiter((slot[b] for b in every), dtype=np.intp, count=len(every))
            rows = slice(start, start + len(every))
            out["permissions"][rows] = np.asarray([b.bit_count() for b in bitsets], dtype=np.int64)[back]
            if not width:
                continue
            matrix = np.frombuffer(b"".join(b.to_bytes(width, "little") for b in bitsets), dtype=np.uint8)
            matrix = np.ascontiguousarray(matrix.reshape(len(bitsets), width).T)
            total = np.zeros(len(bitsets))
            for position in self._weighted:
                total += tables[position][matrix[position]]
            out["score"][rows] = total[back]
            if len(assets):
                out["assets"][rows] = np.count_nonzero(matrix[assets], axis=0)[back]
            if len(restricted):
                out["restricted_assets"][rows] = np.count_nonzero(matrix[restricted], axis=0)[back]
        return out

    def explain(self, entity: str, action: str, resource: str) -> list[Hop] | None:
        """Hops of a shortest route by which `entity` holds (action, resource); None if it does not.

        For an attenuated delegation the route continues with how the delegator itself holds the permission.
        """
        position = self._position.get(resource)
        if position is None or action not in _ACTION_BIT:
            return None
        bit = 8 * position + _ACTION_BIT[action]
        best: list[Hop] | None = None
        for root in self._roots(entity):
            route = self._route(root, bit, frozenset())
            if route is not None and self._ids[root] != entity:
                # A compromised tool also wields its own key and account.
                via: EdgeKind = "tool_uses_credential" if self._node_kind[root] == "secret" else "runs_as"
                route = [Hop(entity, via, self._ids[root]), *route]
            if route is not None and (best is None or len(route) < len(best)):
                best = route
        return best

    # -- internals ----------------------------------------------------------------------------------------

    def _roots(self, entity: str) -> tuple[int, ...]:
        kind = self.kind_of(entity)
        if kind == "tool":
            return self._compromise_roots[entity]
        if kind not in ("agent", "human", "service_account", "secret"):
            raise ValueError(f"'{entity}' is a {kind}; it has no effective permissions or compromise")
        return (self._node[entity],)

    def _principal(self, entity: str) -> tuple[tuple[str, ...], str, bool]:
        """Who a compromise of `entity` acts as, for blocked actions: aliases, environment, untrusted input."""
        item = self._by_id.get(entity)
        if isinstance(item, Agent):
            aliases = (item.id,) if item.runs_as is None else (item.id, item.runs_as)
            return aliases, item.environment, item.untrusted_input
        if isinstance(item, ServiceAccount):
            return (item.id,), item.environment, False
        if isinstance(item, Secret):
            return (item.authenticates_as or item.id,), item.environment, False
        if isinstance(item, Tool):
            return (item.runs_as or item.id,), item.environment, False
        return (entity,), "prod", False

    def _bits_many(self, entities: Sequence[str]) -> list[int]:
        """`bits` of each entity; agents, humans, accounts and secrets are their own single root."""
        kinds, node, reach = self._kinds, self._node, self._reach
        single = ("agent", "human", "service_account", "secret")
        return [reach[node[e]] if kinds.get(e) in single else self.bits(e) for e in entities]

    def _bits_of_roots(self, roots: tuple[int, ...]) -> int:
        bits = 0
        for root in roots:
            bits |= self._reach[root]
        return bits

    def _route(self, start: int, bit: int, excluded: frozenset[int]) -> list[Hop] | None:
        reach = self._reach
        if not reach[start] >> bit & 1:
            return None
        parent: dict[int, tuple[int, list[Hop]] | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            attenuated = self._attenuated.get(node)
            if attenuated is not None:
                if node in excluded:
                    continue
                inner = excluded | {node}
                grant = self._grant[node]
                if grant >> bit & 1:
                    sub = self._route(attenuated.delegator, bit, inner)
                    if sub is not None:
                        return self._path(parent, node) + sub
                for carrier in self._carriers(grant):
                    if carrier not in parent and reach[carrier] >> bit & 1:
                        sub = self._route(attenuated.delegator, self._carrier_bit[carrier], inner)
                        if sub is not None:
                            parent[carrier] = (node, sub)
                            queue.append(carrier)
                continue
            if self._own[node] >> bit & 1:
                return self._path(parent, node) + self._own_hop(node, bit)
            for successor in self._succ[node]:
                if successor not in parent and reach[successor] >> bit & 1:
                    parent[successor] = (node, self._edge_hops(node, successor))
                    queue.append(successor)
        return None

    def _path(self, parent: dict[int, tuple[int, list[Hop]] | None], node: int) -> list[Hop]:
        pieces: list[list[Hop]] = []
        link = parent[node]
        while link is not None:
            previous, hops = link
            pieces.append(hops)
            link = parent[previous]
        return [hop for piece in reversed(pieces) for hop in piece]

    def _edge_hops(self, source: int, target: int) -> list[Hop]:
        if self._node_kind[target] == "delegation":
            delegator, delegate = self._delegation_ends[target]
            return [Hop(delegator, "delegates_to", delegate)]
        if self._node_kind[source] == "delegation":
            return []
        kind = _structural_kind(self._node_kind[source], self._node_kind[target])
        return [Hop(self._ids[source], kind, self._ids[target])]

    def _own_hop(self, node: int, bit: int) -> list[Hop]:
        kind = _OWN_HOP.get(self._node_kind[node])
        if kind is None:  # a scoped delegation: the delegation hop already names it
            return []
        return [Hop(self._ids[node], kind, self.resources[bit >> 3])]

    def _carriers(self, bits: int) -> list[int]:
        return _carriers(bits & self._carrier_mask, self._carrier_node)


def compile_access(scenario: Scenario, *, tool_conduits: bool = True) -> AccessIndex:
    """Compile a scenario's access into an `AccessIndex` (linear in the size of the scenario).

    With `tool_conduits=False`, calling a tool reaches nothing: every identity keeps only what it holds
    itself, not what tools do for it with their own credentials (the confused-deputy question is the
    difference). A compromised tool then still wields its own credential and account.
    """
    return AccessIndex(scenario, tool_conduits=tool_conduits)


def _structural_kind(source: str, target: str) -> EdgeKind:
    """The scenario edge kind behind an index edge, from the kinds it joins."""
    if target == "role":
        return "has_role"
    if source == "agent" and target == "service_account":
        return "runs_as"
    if source == "secret" and target == "service_account":
        return "authenticates_as"
    if source in ("agent", "service_account") and target == "secret":
        return "holds_secret"
    if source == "agent" and target == "tool":
        return "uses_tool"
    return _OWN_HOP[source]  # a readable secret or executable tool granted by a role, secret or tool


def _carriers(bits: int, carrier_node: dict[int, int]) -> list[int]:
    """Nodes of the secrets and tools whose carrying bit is set in `bits`, in resource order."""
    out = []
    while bits:
        low = bits & -bits
        out.append(carrier_node[low.bit_length() - 1])
        bits ^= low
    return out


class _Compiler:
    """Integer adjacency of the access-carrying graph, straight from the scenario (no networkx)."""

    def __init__(self, scenario: Scenario, *, tool_conduits: bool = True) -> None:
        self.resources = scenario_resources(scenario)
        self.position = {resource: i for i, resource in enumerate(self.resources)}
        width = len(self.resources)
        self.every_resource = {
            action: int.from_bytes(bytes([1 << bit]) * width, "little") for action, bit in _ACTION_BIT.items()
        }
        self.everything = int.from_bytes(bytes([_ALL_ACTIONS]) * width, "little")
        self.ids: list[str] = []
        self.node: dict[str, int] = {}
        self.node_kind: list[str] = []
        kinds = scenario.kinds
        grouped: dict[str, tuple[str, ...]] = {}
        for section, kind in ENTITY_SECTIONS.items():  # file order, section by section
            if kind in _NODE_KINDS:
                ids = tuple(item.id for item in getattr(scenario, section))
                self.node.update(zip(ids, range(len(self.ids), len(self.ids) + len(ids)), strict=True))
                self.ids.extend(ids)
                self.node_kind.extend([kind] * len(ids))
                if ids:
                    grouped[kind] = ids
        self.by_kind: dict[str, tuple[str, ...]] = grouped
        self.carrier_bit: dict[int, int] = {}
        self.carrier_node: dict[int, int] = {}
        for resource, position in self.position.items():
            action = _CARRYING_ACTION.get(kinds[resource])
            if action is not None:
                bit = 8 * position + _ACTION_BIT[action]
                self.carrier_bit[self.node[resource]] = bit
                self.carrier_node[bit] = self.node[resource]
        self.carrier_mask = sum(1 << bit for bit in self.carrier_node)
        self.delegation_ends: dict[int, tuple[str, str]] = {}
        self.attenuated: dict[int, _Attenuated] = {}
        delegations_of: dict[str, list[int]] = {}
        live = [d for d in scenario.delegations if delegation_live(d, as_of=scenario.as_of)]
        for delegation in live:
            node = self._add(delegation.id, "delegation")
            self.delegation_ends[node] = (delegation.delegator, delegation.delegate)
            delegations_of.setdefault(delegation.delegate, []).append(node)
        self.own = [0] * len(self.ids)
        self.succ: list[tuple[int, ...]] = [()] * len(self.ids)
        self.compromise_roots: dict[str, tuple[int, ...]] = {}
        self._agents(scenario.agents, delegations_of)
        others = (*scenario.humans, *scenario.service_accounts, *scenario.tools, *scenario.secrets, *scenario.roles)
        for item in others:  # agents are done above
            if isinstance(item, Human):
                self._set(item.id, 0, [self._ref(r) for r in item.roles])
            elif isinstance(item, ServiceAccount):
                self._set(
                    item.id, 0, [self._ref(r) for r in item.roles], [self._ref(c.secret) for c in item.credentials]
                )
            elif isinstance(item, Role):
                own = self._bits(item.permissions)
                self._set(item.id, own, self._carriers(own))
            elif isinstance(item, Secret):
                own = self._bits(item.grants)
                account = [self._ref(item.authenticates_as)] if item.authenticates_as else []
                self._set(item.id, own, account, self._carriers(own))
            elif isinstance(item, Tool):
                own = self._pair_bits(
                    (action, access.resource) for access in item.accesses for action in access.actions
                )
                own = own if tool_conduits else 0
                self._set(item.id, own, self._carriers(own))
                roots = [self.node[item.id]]
                roots += [self._ref(item.credential)] if item.credential else []
                roots += [self._ref(item.runs_as)] if item.runs_as else []
                self.compromise_roots[item.id] = tuple(dict.fromkeys(roots))
        for delegation in live:
            node = self.node[delegation.id]
            delegator = self._ref(delegation.delegator)
            if not delegation.scope:
                self.succ[node] = (delegator,)
            elif delegation.attenuated:
                self.attenuated[node] = _Attenuated(delegator, self._bits(delegation.scope))
            else:
                own = self._bits(delegation.scope)
                self.own[node] = own
                self.succ[node] = tuple(self._carriers(own))

    def _agents(self, agents: Sequence[Agent], delegations_of: dict[str, list[int]]) -> None:
        """Every agent's own bits and successors: the bulk of a large organisation, so one tight loop.

        Same result as `_set` with `_pair_bits` and `_carriers`, without their per-call generators.
        """
        node, position, carrier_node = self.node, self.position, self.carrier_node
        own_of, succ_of, carrier_mask = self.own, self.succ, self.carrier_mask
        execute = _ACTION_BIT["execute"]
        ref = self._ref
        for agent in agents:
            own = 0
            for tool in agent.tools:
                at = position.get(tool)
                if at is None:
                    raise KeyError(f"'{tool}' is not a dataset, secret or tool of the scenario")
                own |= 1 << (8 * at + execute)
            successors = [node[r] if r in node else ref(r) for r in agent.roles]
            if agent.runs_as:
                successors.append(ref(agent.runs_as))
            successors.extend(ref(c.secret) for c in agent.credentials)
            if own & carrier_mask:
                successors.extend(_carriers(own & carrier_mask, carrier_node))
            successors.extend(delegations_of.get(agent.id, ()))
            at_node = node[agent.id]
            own_of[at_node] = own
            succ_of[at_node] = tuple(dict.fromkeys(successors)) if len(successors) > 1 else tuple(successors)

    def _add(self, entity: str, kind: str) -> int:
        node = len(self.ids)
        self.ids.append(entity)
        self.node[entity] = node
        self.node_kind.append(kind)
        return node

    def _ref(self, entity: str) -> int:
        try:
            return self.node[entity]
        except KeyError:
            raise KeyError(f"'{entity}' is referenced but is not an entity of the scenario") from None

    def _set(self, entity: str, own: int, *successors: Iterable[int]) -> None:
        node = self.node[entity]
        self.own[node] = own
        self.succ[node] = tuple(dict.fromkeys(s for group in successors for s in group))

    def _bits(self, permissions: Iterable[Permission]) -> int:
        bits = 0
        for permission in permissions:
            action, resource = permission.action, permission.resource
            if resource == ANY:
                bits |= self.everything if action == ANY else self.every_resource[action]
                continue
            position = self.position.get(resource)
            if position is None:
                raise KeyError(f"'{resource}' is not a dataset, secret or tool of the scenario")
            bits |= (_ALL_ACTIONS if action == ANY else 1 << _ACTION_BIT[action]) << (8 * position)
        return bits

    def _pair_bits(self, pairs: Iterable[Pair]) -> int:
        bits = 0
        for action, resource in pairs:
            position = self.position.get(resource)
            if position is None:
                raise KeyError(f"'{resource}' is not a dataset, secret or tool of the scenario")
            bits |= 1 << (8 * position + _ACTION_BIT[action])
        return bits

    def _carriers(self, bits: int) -> list[int]:
        return _carriers(bits & self.carrier_mask, self.carrier_node)

    def block_mask(self, action: str, resource: str) -> int:
        """Bits of the pairs a block on `action` (or '*') and `resource` (or '*') names."""
        actions = _ALL_ACTIONS if action == ANY else 1 << _ACTION_BIT[action]
        if resource == ANY:
            return int.from_bytes(bytes([actions]) * len(self.resources), "little")
        position = self.position.get(resource)
        return 0 if position is None else actions << (8 * position)


def _solve(compiled: _Compiler) -> tuple[list[int], dict[int, int]]:
    """Reach of every node, and the grant of every attenuated delegation (least fixpoint)."""
    count = len(compiled.ids)
    own, succ, attenuated = compiled.own, compiled.succ, compiled.attenuated
    carrier_mask, carrier_node = compiled.carrier_mask, compiled.carrier_node
    # Ordering edge: an attenuated delegation needs its delegator's reach. That also orders every secret or
    # tool the grant can hand over: the delegator holds (read, secret) only if it reaches the secret.
    adjacency: list[tuple[int, ...]] = list(succ)
    for node, rule in attenuated.items():
        adjacency[node] = (rule.delegator,)
    referenced = bytearray(count)
    for targets in adjacency:
        for target in targets:
            referenced[target] = 1
    reach = [0] * count
    grant: dict[int, int] = {}

    def attenuated_reach(node: int) -> int:
        rule = attenuated[node]
        granted = rule.scope & reach[rule.delegator]
        grant[node] = granted
        bits = granted
        for carrier in _carriers(granted & carrier_mask, carrier_node):
            bits |= reach[carrier]
        return bits

    def settle(component: list[int]) -> None:
        if len(component) == 1:
            node = component[0]
            if node in attenuated:
                reach[node] = attenuated_reach(node)
            else:
                bits = own[node]
                for target in succ[node]:
                    bits |= reach[target]
                reach[node] = bits
            return
        members = sorted(component)
        if not any(node in attenuated for node in members):
            # Strongly connected by access edges: every member reaches every other, so all share one reach.
            bits = 0
            for node in members:
                bits |= own[node]
                for target in succ[node]:
                    bits |= reach[target]
            for node in members:
                reach[node] = bits
            return
        changed = True
        while changed:
            changed = False
            for node in members:
                if node in attenuated:
                    bits = attenuated_reach(node)
                else:
                    bits = own[node]
                    for target in succ[node]:
                        bits |= reach[target]
                if bits != reach[node]:
                    reach[node] = bits
                    changed = True

    _tarjan([node for node in range(count) if referenced[node]], adjacency, settle)
    for node in range(count):
        if not referenced[node]:
            bits = own[node]
            for target in succ[node]:
                bits |= reach[target]
            reach[node] = bits
    return reach, grant


def _tarjan(roots: list[int], adjacency: list[tuple[int, ...]], settle: Callable[[list[int]], None]) -> None:
    """Iterative Tarjan: calls `settle(component)` for each strongly connected component, sinks first."""
    count = len(adjacency)
    index = [-1] * count
    low = [0] * count
    on_stack = bytearray(count)
    stack: list[int] = []
    counter = 0
    for root in roots:
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            targets = adjacency[node]
            if position < len(targets):
                work[-1] = (node, position + 1)
                target = targets[position]
                if index[target] == -1:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = 1
                    work.append((target, 0))
                elif on_stack[target] and index[target] < low[node]:
                    low[node] = index[target]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = 0
                    component.append(member)
                    if member == node:
                        break
                settle(component)


def _weight_tables(
    scenario: Scenario, resources: tuple[str, ...]
) -> tuple[list[tuple[float, ...]], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Per resource, the summed weight of every action mask; and which positions weigh, are assets, restricted.

    Entry `mask` adds the weights of its actions in `ACTIONS` order, so every score is one fixed sum.
    """
    action_weight = [float(scenario.weights.action[action]) for action in ACTIONS]
    rows: dict[float, tuple[float, ...]] = {}
    tables: list[tuple[float, ...]] = []
    weighted, assets, restricted = [], [], []
    kinds = scenario.kinds
    for position, resource in enumerate(resources):
        weight = asset_weight(scenario, resource)
        row = rows.get(weight)
        if row is None:
            sums = [0.0] * (_ALL_ACTIONS + 1)
            for mask in range(1, _ALL_ACTIONS + 1):
                top = mask.bit_length() - 1
                sums[mask] = sums[mask ^ (1 << top)] + weight * action_weight[top]
            row = rows[weight] = tuple(sums)
        tables.append(row)
        if weight:
            weighted.append(position)
        if kinds[resource] != "tool":
            assets.append(position)
            if scenario.by_id[resource].sensitivity == "restricted":  # type: ignore[attr-defined]
                restricted.append(position)
    return tables, tuple(weighted), tuple(assets), tuple(restricted)
