"""Cedar policy text: split into policies, parse once, and report every problem at its file:line:col.

Before any text reaches cedarpy, each policy's bracket nesting and expression depth are measured from its
tokens: Cedar's parser is native code that overflows its stack (SIGSEGV, no message) on a few hundred nested
brackets or a couple of thousand chained terms, and refuses expressions nested 100 levels deep anyway. Such a
policy is refused here, located at its deepest point.

cedarpy's parse errors carry a message but no position, so each policy is parsed on its own and, when it
fails, its shortest failing prefix (cut at token boundaries) finds the offending token. A prefix that stops
before the offending token fails only with "unexpected end of input" and one that includes it fails as the
whole policy does, so the prefix is found by bisection: a few dozen parses, not one per token. Policies are
then validated against the scenario's Cedar schema (policy.cedar_schema: it catches misspelt context
attributes, wrong types and unknown actions before a simulation silently skips an erroring policy), every
entity a policy names must exist in the scenario with the matching kind, and each error is located at the
token it names (the attribute, the entity), not at the start of its policy. Policies that validate but can
never apply (cedar_lint) and templates no link fills come back as located warnings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import PurePath

import cedarpy
from cedarpy import pst

from workbench.errors import PolicyError, Problem
from workbench.escaping import quote
from workbench.model import Scenario
from workbench.policy.cedar_entities import ENTITY_KINDS
from workbench.policy.cedar_lint import impossible_conditions, policy_clauses
from workbench.policy.cedar_schema import CedarNames, cedar_schema_json

__all__ = [
    "MAX_BRACKETS",
    "MAX_CEDAR_BYTES",
    "MAX_EXPRESSION_DEPTH",
    "CompiledPolicies",
    "PolicySource",
    "compile_policies",
    "split_policies",
]

MAX_CEDAR_BYTES = 1024 * 1024
"""Largest Cedar policy file read (1 MiB: hundreds of times the shipped policies)."""
MAX_BRACKETS = 64
"""Deepest nesting of (), [] and {} in one policy; Cedar's parser crashes at a few hundred."""
MAX_EXPRESSION_DEPTH = 100
"""Cedar's own limit on expression nesting (a chain of 100 `&&` terms is 100 levels deep)."""

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*"?)"""
    r"""|(?P<word>[A-Za-z_0-9]+)|(?P<op>::|==|!=|<=|>=|&&|\|\||.)""",
    re.DOTALL,
)
_EOF = "unexpected end of input"
_NAMED = re.compile(r"`([^`]+)`|: ([A-Za-z_][A-Za-z_0-9]*)\s*$")
_FOR_POLICY = re.compile(r"^for policy `[^`]+`, ")
_FOR_ACTION = re.compile(r' for (?:[A-Za-z_][A-Za-z0-9_]*::)*Action::"[^"]*"')
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
    templates: dict[str, str]  # template's @id (else Cedar id) -> Cedar id
    warnings: tuple[Problem, ...] = ()  # policies that never apply, templates nothing links

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


def compile_policies(
    scenario: Scenario,
    text: str,
    *,
    file: str,
    control_path: str,
    names: CedarNames | None = None,
    linked: Collection[str] = (),
) -> CompiledPolicies:
    """Parse and check Cedar `text` against the scenario's schema under `names`' namespace; raise PolicyError
    listing every problem, each with file:line:col. `linked` names the templates (by @id or Cedar id) the
    scenario links; any other template is a warning, as is a policy that can never apply."""
    names = names or CedarNames()
    sources = split_policies(text)
    lines = _LineIndex(text)
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def problem(offset: int, message: str, code: str, into: list[Problem] = problems) -> None:
        line, column = lines.locate(offset)
        into.append(Problem(file, line, column, control_path, message, code))

    for source in sources:
        too_deep = _too_deep(source)
        if too_deep is not None:
            offset, message = too_deep
            problem(source.start + offset, message, "cedar-limit")
    if problems:
        raise PolicyError(problems)  # nothing this deep may reach the native parser
    for source in sources:
        error = _parse_error(source.text)
        if error is not None:
            problem(source.start + _error_offset(source, error), error, "cedar-syntax")
    if problems:
        raise PolicyError(problems)

    try:
        policy_set = cedarpy.PolicySet.from_str(text)
        tree = policy_set.to_pst()
    except ValueError as error:  # what the checks above did not foresee: refused, not an internal error
        problem(0, f"Cedar cannot read this policy set: {error}", "cedar-syntax")
        raise PolicyError(problems) from None
    by_id = {source.policy_id: source for source in sources}
    for policy_id, template in _templates(tree):
        source = by_id[policy_id]
        for uid in sorted(pst.entity_uids(template), key=str):
            unknown = _unknown_entity(scenario, uid, names)
            if unknown is not None:
                problem(source.start + _find_uid(source, uid), unknown, "cedar-unknown-entity")
    schema = cedarpy.Schema.from_json_str(json.dumps(cedar_schema_json(scenario, namespace=names.namespace)))
    validation = cedarpy.validate_policies(text, schema)
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

    templates = {(t.annotations.get("id") or pid): pid for pid, t in sorted(tree.templates.items(), key=_by_order)}
    for source in sources:
        clause = policy_clauses(source.text, [(t.start, t.end, t.text) for t in source.tokens])
        never = None if clause is None else impossible_conditions(clause, schema)
        if never is not None:
            message = (
                "this policy never applies: the condition here is false for every request the scenario can make "
                "(a tag no entity of that type carries, an attribute none has, or a contradiction)"
            )
            problem(source.start + never, message, "cedar-never-applies", warnings)
    for label, pid in templates.items():
        if label not in linked and pid not in linked:
            source = by_id[pid]
            message = (
                f"template {quote(label)} is linked to no principal or resource (controls: links), so it never applies"
            )
            problem(source.start, message, "cedar-unlinked-template", warnings)

    return CompiledPolicies(
        policy_set=policy_set,
        file=file,
        lines={source.policy_id: lines.locate(source.start)[0] for source in sources},
        names={pid: template.annotations.get("id") or pid for pid, template in _templates(tree)},
        context_attributes=_context_attributes(tree),
        control_path=control_path,
        templates=templates,
        warnings=tuple(warnings),
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
    """Offset (in the policy) of the token the parser stopped at: the last token of the shortest prefix
    that fails with something other than "unexpected end of input", found by bisection."""
    if error == _EOF:  # the policy is cut short: point just after its last token
        return source.tokens[-1].end
    low, high = 0, len(source.tokens) - 1  # the whole policy (tokens[high]) fails with `error`
    while low < high:
        middle = (low + high) // 2
        prefix_error = _parse_error(source.text[: source.tokens[middle].end])
        if prefix_error is not None and prefix_error != _EOF:
            high = middle
        else:
            low = middle + 1
    failing = high
    names = _names(error)
    for token in reversed(source.tokens[: failing + 1]):
        if token.text in names:
            return token.start
    return source.tokens[failing].start


# -- how deep a policy nests, measured before cedarpy sees it -------------------------------------------------

_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = frozenset(_OPENING.values())
_BINARY: dict[str, float] = {
    "then": 0.5,
    "else": 0.5,
    "||": 1,
    "&&": 2,
    **dict.fromkeys(("==", "!=", "<", "<=", ">", ">=", "in", "has", "like", "is"), 3),
    "+": 4,
    "-": 4,
    "*": 5,
    ".": 7,
    "::": 8,
}
"""Cedar's binary operators by precedence; `.` (attribute, method, index) and `::` (entity names) bind
tightest. `then` and `else` are read as binary operators below `||`, so an `if` spans its branches."""
_PREFIX = {"!": 6.0, "-": 6.0, "if": 0.0}
_LEVELS = {"::": 0, "then": 0, "else": 0}
"""Binary operators that add no level: an entity name, and the branches of an `if` (the `if` adds one)."""
_HEADS = frozenset({"permit", "forbid", "when", "unless"})


def _too_deep(source: PolicySource) -> tuple[int, str] | None:
    """(offset, message) of the first place where `source` nests brackets or expressions too deeply.

    An operator-precedence reading of the tokens that keeps only the depth of every subexpression: one level
    per operator, attribute, call, set or record, none for parentheses, as Cedar counts. It is never less
    than Cedar's depth, so a policy that passes cannot hit Cedar's limit or overflow its parser's stack.
    """
    values: list[int] = []  # depth of each operand waiting for its operator
    operators: list[str] = []
    groups: list[tuple[int, int, int, int]] = []  # (values floor, operators floor, level it adds, widest so far)
    widest = 0  # deepest element of the innermost group so far (elements are separated by commas)
    expect_operand = True
    previous = ""

    def reduce(down_to: float) -> None:
        floor = groups[-1][1] if groups else 0
        while len(operators) > floor:
            operator = operators[-1]
            if (_PREFIX[operator] if operator in _PREFIX else _BINARY[operator]) < down_to:
                break
            operators.pop()
            if operator in _PREFIX:
                values.append((values.pop() if values else 0) + 1)
            else:
                right = values.pop() if values else 0
                left = values.pop() if values else 0
                values.append(max(left, right) + _LEVELS.get(operator, 1))

    def end_element() -> int:
        reduce(0.0)
        floor = groups[-1][0] if groups else 0
        deepest = max(values[floor:], default=0)
        del values[floor:]
        return deepest

    for token in source.tokens:
        text = token.text
        if text in _OPENING:
            if len(groups) >= MAX_BRACKETS:
                return token.start, f"brackets nest more than {MAX_BRACKETS} levels deep"
            if expect_operand:  # grouping (), a set [], a record {} or a condition's { }
                adds = 0 if text == "(" or previous in _HEADS else 1
            elif text == "(" and previous not in _HEADS:  # a call: the name's value gives way to the call's
                if values:
                    values.pop()
                floor = groups[-1][1] if groups else 0
                adds = 0 if len(operators) > floor and operators[-1] == "." else 1  # x.method( or ip(
            elif text == "(":  # permit( ... )
                adds = 0
            else:  # an index x["attribute"] binds like `.`
                reduce(_BINARY["."])
                operators.append(".")
                adds = 0
            groups.append((len(values), len(operators), adds, widest))
            widest = 0
            expect_operand = True
        elif text in _CLOSING:
            if not groups:  # unbalanced: the parser reports it
                previous, expect_operand = text, False
                continue
            deepest = max(widest, end_element())
            _values, _operators, adds, widest = groups.pop()
            values.append(deepest + adds)
            expect_operand = False
        elif text in (",", ";"):
            widest = max(widest, end_element())
            expect_operand = True
        elif text in _HEADS:
            expect_operand = True
        elif text in _PREFIX and expect_operand:
            operators.append(text)
        elif text in _BINARY and not expect_operand:
            reduce(_BINARY[text])
            operators.append(text)
            expect_operand = True
        else:  # a name, literal, string, variable or other keyword
            values.append(0)
            expect_operand = False
        if _deepest(values, operators, widest, expect_operand) >= MAX_EXPRESSION_DEPTH:
            return token.start, _DEEP
        previous = text
    if source.tokens and max(widest, end_element()) >= MAX_EXPRESSION_DEPTH:  # a policy without its ';'
        return source.tokens[-1].start, _DEEP
    return None


_DEEP = (
    f"the expression nests {MAX_EXPRESSION_DEPTH} or more levels deep; Cedar allows fewer (each `&&`, `||`, "
    "comparison, arithmetic operator, attribute, call, set and record is one level)"
)


def _deepest(values: list[int], operators: list[str], widest: int, expect_operand: bool) -> int:
    """The depth of what was read so far if it ended here: every waiting operator applied, innermost first
    (an operator still waiting for its right operand gets a plain one)."""
    stack = [*values, 0] if expect_operand and operators else list(values)
    depth = stack.pop() if stack else 0
    for operator in reversed(operators):
        if operator in _PREFIX:
            depth += 1
        else:
            depth = max(depth, stack.pop() if stack else 0) + _LEVELS.get(operator, 1)
    return max(widest, depth, *stack) if stack else max(widest, depth)


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
    """Offset of what the validator's message names, in the order it names them: an entity written
    `Type::"id"`, an attribute (after `.` or `has`), else any token spelled like the name."""
    tokens = source.tokens
    for a, b in _NAMED.findall(message):
        name = a or b
        if '::"' in name:
            path, _, entity = name.rpartition("::")
            for index in range(2, len(tokens)):
                if (tokens[index - 2].text, tokens[index - 1].text, tokens[index].text) == (
                    path.rpartition("::")[2],
                    "::",
                    entity,
                ):
                    return tokens[index - 2].start
            continue
        for index in range(1, len(tokens)):
            if tokens[index].text.strip('"') == name and tokens[index - 1].text in (".", "has"):
                return tokens[index].start
        for token in tokens:
            if token.text == name or token.text.strip('"') == name:
                return token.start
    return 0


# -- what the policies refer to ------------------------------------------------------------------------


def _templates(tree: pst.PolicySet) -> list[tuple[str, pst.Template]]:
    return sorted([*tree.static_policies.items(), *tree.templates.items()], key=lambda item: _order(item[0]))


def _order(policy_id: str) -> tuple[int, str]:
    digits = policy_id.removeprefix("policy")
    return (int(digits), "") if digits.isdigit() else (1 << 30, policy_id)


def _by_order(item: tuple[str, object]) -> tuple[int, str]:
    return _order(item[0])


def _unknown_entity(scenario: Scenario, uid: pst.EntityUid, names: CedarNames) -> str | None:
    wanted = ENTITY_KINDS.get(uid.type.basename) if str(uid.type) == names.type(uid.type.basename) else None
    if wanted is None:
        return None  # Action and unknown types (another namespace too) are the schema validator's to report
    kind = scenario.kinds.get(uid.id)
    written = f"{uid.type}::{quote(uid.id)}"
    if kind is None:
        return f"unknown entity {written}: the scenario has no {wanted.replace('_', ' ')} {quote(uid.id)}"
    if kind != wanted:
        return f"{written} names a {kind.replace('_', ' ')}, not a {wanted.replace('_', ' ')}"
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
