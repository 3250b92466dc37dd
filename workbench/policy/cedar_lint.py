"""Policies that can never apply: warnings, each located at the token that makes it so.

A policy type-checks against the scenario's schema (cedar_schema) and yet may be false for every request the
scenario can make: `hasTag` on a type whose entities carry no tags, `has` on an attribute no entity of the
type has, a template no link fills. Cedar's validator types such a condition as `False` but reports nothing
through cedarpy, so each condition is asked directly: `if (C) then <ill-typed> else true` type-checks only when
the then-branch is never reached, which Cedar's typechecker decides exactly when C's type is `False`. Each
top-level conjunct is asked on its own first, so the warning points at the first one that can never hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cedarpy

__all__ = ["Clause", "LintWarning", "impossible_conditions", "policy_clauses"]

_NEVER_REACHED = '1 + "never" > 0'
"""An expression that fails to type-check wherever it can be reached."""


@dataclass(frozen=True, slots=True)
class LintWarning:
    """A policy that never applies: where (offset in its policy) and why."""

    offset: int
    message: str


@dataclass(frozen=True, slots=True)
class Clause:
    """A policy cut into what the lint needs: its head (effect and scope) and its conditions."""

    head: str  # 'permit(principal, action, resource)' as written
    conditions: tuple[tuple[int, str, bool], ...]  # (offset, text, negated) of each top-level conjunct


def policy_clauses(text: str, tokens: Sequence[tuple[int, int, str]]) -> Clause | None:
    """Cut one policy (its text and its tokens as (start, end, text)) into head and conjuncts; None if it has
    no recognisable head (a syntax error reported elsewhere)."""
    start = next((i for i, t in enumerate(tokens) if t[2] in ("permit", "forbid")), None)
    if start is None:
        return None
    depth, index = 0, start + 1
    while index < len(tokens):
        token = tokens[index][2]
        depth += {"(": 1, ")": -1}.get(token, 0)
        index += 1
        if depth == 0:
            break
    head = text[tokens[start][0] : tokens[index - 1][1]]
    conditions: list[tuple[int, str, bool]] = []
    while index < len(tokens) and tokens[index][2] in ("when", "unless"):
        negated = tokens[index][2] == "unless"
        index += 1  # the '{'
        depth, begin = 0, index + 1
        part = begin
        while index < len(tokens):
            token = tokens[index][2]
            if token in ("(", "[", "{"):
                depth += 1
            elif token in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    break
            elif token == "&&" and depth == 1 and not negated:
                conditions.append(_conjunct(text, tokens, part, index, negated))
                part = index + 1
            index += 1
        if part < index:
            conditions.append(_conjunct(text, tokens, part, index, negated))
        index += 1
    return Clause(head, tuple(conditions))


def _conjunct(
    text: str, tokens: Sequence[tuple[int, int, str]], first: int, stop: int, negated: bool
) -> tuple[int, str, bool]:
    return tokens[first][0], text[tokens[first][0] : tokens[stop - 1][1]], negated


def impossible_conditions(clause: Clause, schema: cedarpy.Schema) -> int | None:
    """Offset of the first conjunct that can never hold, or of the first one if only their conjunction
    cannot; None if the policy can apply."""
    if not clause.conditions:
        return None
    for offset, condition, negated in clause.conditions:
        if _never(clause.head, f"!({condition})" if negated else f"({condition})", schema):
            return offset
    whole = " && ".join(f"!({c})" if n else f"({c})" for _, c, n in clause.conditions)
    if _never(clause.head, whole, schema):
        return clause.conditions[0][0]
    return None


def _never(head: str, condition: str, schema: cedarpy.Schema) -> bool:
    probe = f"{head} when {{ if {condition} then {_NEVER_REACHED} else true }};"
    result = cedarpy.validate_policies(probe, schema)
    return result.validation_passed
