"""Cedar policy text: split into policies, parse once, and report every problem at its file:line:col.

cedarpy's parse errors carry a message but no position, so each policy is parsed on its own and, when it
fails, its shortest failing prefix (cut at token boundaries) finds the offending token. Policies are then
validated against workbench's Cedar schema (which catches misspelt context attributes, wrong types and
unknown actions before a simulation silently skips an erroring policy) and every entity a policy names
must exist in the scenario with the matching kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

import cedarpy
from cedarpy import pst

from workbench.errors import PolicyError, Problem
from workbench.model import Scenario
from workbench.policy.cedar_entities import ENTITY_KINDS, cedar_schema

__all__ = ["CompiledPolicies", "PolicySource", "compile_policies", "split_policies"]

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*"?)"""
    r"""|(?P<word>[A-Za-z_0-9]+)|(?P<op>::|==|!=|<=|>=|&&|\|\||.)""",
    re.DOTALL,
)
_EOF = "unexpected end of input"
_NAMED = re.compile(r"`([^`]+)`|: ([A-Za-z_][A-Za-z_0-9]*)\s*$")
_FOR_POLICY = re.compile(r"^for policy `[^`]+`, ")
_FOR_ACTION = re.compile(r' for Action::"[^"]*"')
_RUNTIME = re.compile(r"error while evaluating policy `([^`]+)`: (.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class PolicySource:
    """One policy (a statement ending in ';') of a Cedar file: its text, position and Cedar id."""

    index: int
    start: int  # character offset of its first token in the file
    tokens: tuple[_Token, ...]
    text: str

    @property
    def policy_id(self) -> str:
        """The id Cedar gives it: policies are numbered by position."""
        return f"policy{self.index}"


@dataclass(frozen=True)
class CompiledPolicies:
    """A parsed, validated policy set and what the design needs to explain and memoise its decisions."""

    policy_set: cedarpy.PolicySet
    file: str
    lines: dict[str, int]  # Cedar policy id -> line in the file
    names: dict[str, str]  # Cedar policy id -> name in reports (its @id annotation, else the Cedar id)
    context_attributes: frozenset[str] | None  # attributes of `context` the policies read; None: all of it
    control_path: str

    def describe(self, policy_id: str) -> str:
        """'name (file:line)' for reasons."""
        where = f"{PurePath(self.file).name}:{self.lines.get(policy_id, 1)}"
        return f"{self.names.get(policy_id, policy_id)} ({where})"

    def in_file_order(self, policy_ids: list[str]) -> list[str]:
        """Policy ids sorted by where they are written (Cedar reports them in no useful order)."""
        return sorted(policy_ids, key=_order)

    def runtime_error(self, messages: list[str]) -> PolicyError:
        """A PolicyError for evaluation errors: Cedar would skip the policy, we refuse to."""
        problems = []
        for message in messages:
            match = _RUNTIME.match(message)
            policy_id, text = match.groups() if match else ("", message)
            line = self.lines.get(policy_id, 1)
            problems.append(Problem(self.file, line, 1, self.control_path, text, "cedar-runtime"))
        return PolicyError(problems)


def split_policies(text: str) -> list[PolicySource]:
    """The policies of a Cedar file in order, each with its offset; a trailing unterminated one included."""
    policies: list[PolicySource] = []
    current: list[_Token] = []
    depth = 0  # a ';' inside brackets is a typo within one policy, not the end of it
    for token in _tokens(text):
        current.append(token)
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(token.text, 0)
        if token.text == ";" and depth <= 0:
            policies.append(_policy(text, len(policies), current))
            current, depth = [], 0
    if current:
        policies.append(_policy(text, len(policies), current))
    return policies


def compile_policies(scenario: Scenario, text: str, *, file: str, control_path: str) -> CompiledPolicies:
    """Parse and check Cedar `text`; raise PolicyError listing every problem, each with file:line:col."""
    sources = split_policies(text)
    lines = _LineIndex(text)
    problems: list[Problem] = []

    def problem(offset: int, message: str, code: str) -> None:
        line, column = lines.locate(offset)
        problems.append(Problem(file, line, column, control_path, message, code))

    for source in sources:
        error = _parse_error(source.text)
        if error is not None:
            problem(source.start + _error_offset(source, error), error, "cedar-syntax")
    if problems:
        raise PolicyError(problems)

    policy_set = cedarpy.PolicySet.from_str(text)
    tree = policy_set.to_pst()
    by_id = {source.policy_id: source for source in sources}
    for policy_id, template in _templates(tree):
        source = by_id[policy_id]
        for uid in sorted(pst.entity_uids(template), key=str):
            message = _unknown_entity(scenario, uid)
            if message is not None:
                problem(source.start + _find_uid(source, uid), message, "cedar-unknown-entity")
    validation = cedarpy.validate_policies(text, cedar_schema())
    seen: set[tuple[str, str]] = set()
    for found in validation.errors:
        message = _FOR_ACTION.sub("", _FOR_POLICY.sub("", found.error))
        if (found.policy_id, message) in seen:
            continue  # the validator repeats an error once per action the policy applies to
        seen.add((found.policy_id, message))
        located = by_id.get(found.policy_id)
        offset = 0 if located is None else located.start + _find_named(located, message)
        problem(offset, message, "cedar-type")
    if problems:
        raise PolicyError(problems)

    return CompiledPolicies(
        policy_set=policy_set,
        file=file,
        lines={source.policy_id: lines.locate(source.start)[0] for source in sources},
        names={pid: template.annotations.get("id") or pid for pid, template in _templates(tree)},
        context_attributes=_context_attributes(tree),
        control_path=control_path,
    )


# -- splitting and locating ----------------------------------------------------------------------------


def _tokens(text: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        if match.lastgroup not in ("space", "comment"):
            yield _Token(match.start(), match.end(), match.group())


def _policy(text: str, index: int, tokens: list[_Token]) -> PolicySource:
    start, end = tokens[0].start, tokens[-1].end
    shifted = tuple(_Token(t.start - start, t.end - start, t.text) for t in tokens)
    return PolicySource(index=index, start=start, tokens=shifted, text=text[start:end])


class _LineIndex:
    """Offset -> (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def locate(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.starts[low] + 1


def _parse_error(text: str) -> str | None:
    try:
        cedarpy.PolicySet.from_str(text)
    except ValueError as error:
        return str(error) or "invalid policy"
    return None


def _error_offset(source: PolicySource, error: str) -> int:
    """Offset (in the policy) of the token the parser stopped at."""
    failing = len(source.tokens) - 1
    for index, token in enumerate(source.tokens):
        prefix_error = _parse_error(source.text[: token.end])
        if prefix_error is not None and prefix_error != _EOF:
            failing = index
            break
    else:
        if error == _EOF:  # the policy is cut short: point just after its last token
            return source.tokens[-1].end
    names = _names(error)
    for token in reversed(source.tokens[: failing + 1]):
        if token.text in names:
            return token.start
    return source.tokens[failing].start


def _names(message: str) -> set[str]:
    return {a or b for a, b in _NAMED.findall(message)}


def _find_uid(source: PolicySource, uid: pst.EntityUid) -> int:
    """Offset of `Type::"id"` in the policy (of the policy itself if it is written some other way)."""
    tokens = source.tokens
    for index in range(2, len(tokens)):
        written = (tokens[index - 2].text, tokens[index - 1].text, tokens[index].text)
        if written == (uid.type.basename, "::", f'"{uid.id}"'):
            return tokens[index - 2].start
    return 0


def _find_named(source: PolicySource, message: str) -> int:
    names = _names(message)
    for token in source.tokens:
        if token.text in names or token.text.strip('"') in names:
            return token.start
    return 0


# -- what the policies refer to ------------------------------------------------------------------------


def _templates(tree: pst.PolicySet) -> list[tuple[str, pst.Template]]:
    return sorted([*tree.static_policies.items(), *tree.templates.items()], key=lambda item: _order(item[0]))


def _order(policy_id: str) -> tuple[int, str]:
    digits = policy_id.removeprefix("policy")
    return (int(digits), "") if digits.isdigit() else (1 << 30, policy_id)


def _unknown_entity(scenario: Scenario, uid: pst.EntityUid) -> str | None:
    wanted = ENTITY_KINDS.get(str(uid.type))
    if wanted is None:
        return None  # Action and unknown types are the schema validator's to report
    kind = scenario.kinds.get(uid.id)
    if kind is None:
        return f"unknown entity {uid}: the scenario has no {wanted.replace('_', ' ')} '{uid.id}'"
    if kind != wanted:
        return f"{uid} names a {kind.replace('_', ' ')}, not a {wanted.replace('_', ' ')}"
    return None


def _context_attributes(tree: pst.PolicySet) -> frozenset[str] | None:
    """Attributes of `context` any policy reads; None if a policy uses the context record as a whole."""
    found: set[str] = set()
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, pst.GetAttr) and node.base == pst.Var("context"):
            found.add(node.attr)
        elif isinstance(node, pst.HasAttr) and node.base == pst.Var("context"):
            found.update(node.attrs[:1])
        elif node == pst.Var("context"):
            return None
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            stack.extend(getattr(node, name) for name in node.__dataclass_fields__)
    return frozenset(found)
