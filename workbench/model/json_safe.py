"""Load untrusted JSON scenarios fast (orjson), locating values only when something needs a position.

Large scenarios are machine-written (`workbench generate`, importers), and YAML parsing is most of the time a
100k-agent organisation takes to load. JSON is YAML, so a `.json` scenario means the same as the YAML
loader would make of it, with the same limits (`LoadLimits`: size and nesting depth; JSON has no aliases to
bound), the same text checks (UTF-8, no control characters, no unpaired surrogates) and the same refusal of
duplicate keys, which JSON parsers otherwise resolve silently (the last one wins).

orjson parses without positions. Positions are needed only for problems and for findings' locations, so
`JsonDocument.locate` scans the text once, on first use, and keeps every value's (line, column); a document
nobody asks about never pays for it. Problems name their value by JSON pointer (RFC 6901) and line:column.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from workbench.errors import Problem, ScenarioError
from workbench.escaping import quote
from workbench.model.yaml_safe import LoadLimits, YamlPath, check_text, locate_in

__all__ = ["JsonDocument", "JsonPositions", "json_pointer", "load_json"]


def json_pointer(path: Sequence[str | int]) -> str:
    """RFC 6901 pointer of a path: `/agents/3/id`; `` (empty) is the whole document."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class JsonPositions:
    """The 1-based (line, column) of every value of a JSON text, found on first use and then kept."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._positions: dict[YamlPath, tuple[int, int]] | None = None

    @property
    def positions(self) -> dict[YamlPath, tuple[int, int]]:
        if self._positions is None:
            self._positions, _ = _scan(self._text)
        return self._positions

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Position of `path`, or of its longest recorded prefix."""
        return locate_in(self.positions, path)


@dataclass(frozen=True)
class JsonDocument:
    """A loaded top-level object and where its values are (scanned only when asked)."""

    data: dict[str, Any]
    source: JsonPositions

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Position of `path`, or of its longest recorded prefix."""
        return self.source.locate(path)


def load_json(source: bytes | str, *, filename: str, limits: LoadLimits = LoadLimits()) -> JsonDocument:
    """Parse one JSON document whose top level is an object; raise ScenarioError for anything else."""
    text = check_text(source, filename, limits, language="json")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        line, column = _line_column(text, error.pos)
        raise _error(filename, line, column, (), f"invalid JSON: {error.msg}", "json-syntax") from None
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else "a single value"
        raise _error(filename, 1, 1, (), f"a scenario is a JSON object, not {kind}", "json-not-object")
    too_deep, keys = _shape(data, limits.max_depth)
    if too_deep or keys != _key_candidates(text):
        _, problems = _scan(text, filename=filename, max_depth=limits.max_depth)
        if problems:
            raise ScenarioError(problems)
    return JsonDocument(data, JsonPositions(text))


def _shape(data: dict[str, Any], max_depth: int) -> tuple[bool, int]:
    """(whether a container is nested deeper than `max_depth`, number of object keys): one pass, level by
    level, looking only at containers (where exactly is left to the scan, which runs only then)."""
    keys = 0
    level: list[Any] = [data]
    depth = 1
    while level:
        if depth > max_depth:
            return True, keys
        below: list[Any] = []
        for node in level:
            if node.__class__ is dict:
                keys += len(node)
                below += [value for value in node.values() if value.__class__ in _CONTAINERS]
            else:
                below += [value for value in node if value.__class__ in _CONTAINERS]
        level = below
        depth += 1
    return False, keys


_CONTAINERS = frozenset({dict, list})
_KEY_END = re.compile(r'"[ \t\r\n]*:')


def _key_candidates(text: str) -> int:
    """Closing quotes followed by a colon: every object key is one, and a `":` inside a string adds one.

    So if this equals the number of keys orjson kept, no key was dropped as a duplicate; if it is larger,
    the exact scan decides.
    """
    return len(_KEY_END.findall(text))


_TOKEN = re.compile(r'[ \t\r\n]*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))', re.DOTALL)


def _scan(
    text: str, *, filename: str = "<json>", max_depth: int = 1 << 30
) -> tuple[dict[YamlPath, tuple[int, int]], list[Problem]]:
    """Every value's position, and the problems orjson does not report: duplicate keys, excessive depth.

    Runs only on text orjson has accepted, so the token stream is well-formed JSON.
    """
    newlines = [match.start() for match in re.finditer("\n", text)]

    def where(index: int) -> tuple[int, int]:
        line = bisect.bisect_left(newlines, index)
        start = newlines[line - 1] + 1 if line else 0
        return line + 1, index - start + 1

    positions: dict[YamlPath, tuple[int, int]] = {}
    problems: list[Problem] = []
    # One frame per open container: its path, the keys seen (objects) or the next index (arrays).
    frames: list[tuple[YamlPath, set[str] | None, list[int]]] = []
    pending_key: str | None = None
    expect_key = False
    for match in _TOKEN.finditer(text):
        string, punct, _ = match.groups()
        start = match.start(1) if string else match.start(2) if punct else match.start(3)
        if punct in (":", ","):
            if punct == "," and frames and frames[-1][1] is not None:
                expect_key = True
            continue
        if punct in ("}", "]"):
            frames.pop()
            expect_key = False
            continue
        if expect_key and string is not None:
            pending_key = orjson.loads(string)
            parent_path, seen, _ = frames[-1]
            assert seen is not None
            if pending_key in seen:
                line, column = where(start)
                message = f"duplicate key {_short(pending_key)}"
                path_of_key = json_pointer((*parent_path, pending_key))
                problems.append(Problem(filename, line, column, path_of_key, message, "json-duplicate-key"))
            seen.add(pending_key)
            expect_key = False
            continue
        # a value: the document, an object member's or the next array item
        if not frames:
            path: YamlPath = ()
        elif frames[-1][1] is not None:
            path = (*frames[-1][0], pending_key if pending_key is not None else "")
        else:
            counter = frames[-1][2]
            path = (*frames[-1][0], counter[0])
            counter[0] += 1
        positions.setdefault(path, where(start))
        if punct in ("{", "["):
            if len(frames) + 1 > max_depth:
                line, column = where(start)
                message = f"nesting is deeper than {max_depth} levels"
                problems.append(Problem(filename, line, column, json_pointer(path), message, "json-depth"))
                return positions, problems
            frames.append((path, set() if punct == "{" else None, [0]))
            expect_key = punct == "{"
    return positions, problems


def _short(text: str) -> str:
    """A user's key for a message: quoted with escapes, cut so that a huge key cannot flood the output."""
    return quote(text if len(text) <= 60 else text[:60] + "…")


def _line_column(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _error(file: str, line: int, column: int, path: YamlPath, message: str, code: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, column, json_pointer(path), message, code)])
