"""Read an inventory file (JSON, or the JSON-with-comments VS Code writes) as hostile input, keeping positions.

Every importer starts here: the file is read with a size cap (never a FIFO or a device), decoded (UTF-8,
UTF-8 with BOM, or the UTF-16 PowerShell writes), parsed with Python's pure-Python JSON scanner so that the
start of every object and array is recorded, and every failure becomes a `ScenarioError` whose problems say
`FILE:LINE:COL: /json/pointer: message [code]`. Nothing here executes or fetches anything.
"""

from __future__ import annotations

import bisect
import functools
import json
import json.decoder
import json.scanner
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import Problem, ScenarioError
from workbench.escaping import printable
from workbench.importers.naming import one_line
from workbench.model.yaml_safe import FileProblem, read_limited

__all__ = ["MAX_INVENTORY_BYTES", "JsonDocument", "json_pointer", "parse_json", "read_json"]

MAX_INVENTORY_BYTES = 512 * 1024 * 1024
"""Largest inventory file read: an authorization dump of 10,000 roles and 20,000 policies is about 60 MB."""

Pointer = Sequence[str | int]


def json_pointer(path: Pointer) -> str:
    """RFC 6901 pointer of a path: `("mcpServers", "a/b", 0)` is `/mcpServers/a~1b/0`; `()` is `""`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass
class JsonDocument:
    """A parsed JSON file, with the offset where each of its objects and arrays starts."""

    file: str
    text: str
    data: Any
    _starts: dict[int, int] = field(repr=False)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _element_starts: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def offset(self, path: Pointer) -> int:
        """Character offset of the value at `path`, or of the nearest enclosing value whose start is known."""
        node = self.data
        best = self._starts.get(id(node), 0)
        for part in path:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                start = self._starts.get(id(node))
                child = node[part]
                if start is not None and id(child) not in self._starts:  # a scalar: find its key
                    best = self._key_offset(start, part, best)
                node = child
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                start = self._starts.get(id(node))
                if start is not None and id(node[part]) not in self._starts:  # a scalar: find it in the array
                    best = self._element_offset(start, node, part, best)
                node = node[part]
            else:
                break
            best = self._starts.get(id(node), best)
        return best

    def _key_offset(self, start: int, key: str, fallback: int) -> int:
        # The member's key as JSON writes it, searched from the object's start: a line number for a scalar
        # (the inline key in an `env` block), which the scanner does not record.
        match = _key_pattern(key).search(self.text, start)
        return match.start() if match is not None else fallback

    def _element_offset(self, start: int, items: list[Any], index: int, fallback: int) -> int:
        # The line of an argument in a multi-line `args` list, which the scanner does not record.
        offsets = self._element_starts.get(id(items))
        if offsets is None:
            offsets = self._element_starts[id(items)] = self._scalar_starts(start, items)
        return offsets[index] if index < len(offsets) else fallback

    def _scalar_starts(self, start: int, items: list[Any]) -> list[int]:
        # Each element as JSON writes it, searched in turn from the array's start, once per array (an array
        # of every argument a credential is work linear in its length): up to the first object or array, or
        # the first element not found as written, after which elements keep the fallback.
        offsets: list[int] = []
        position = start + 1
        for item in items:
            if isinstance(item, dict | list):
                break
            written = json.dumps(item, ensure_ascii=False)
            found = self.text.find(written, position)
            if found < 0:
                break
            offsets.append(found)
            position = found + len(written)
        return offsets

    def locate(self, path: Pointer) -> tuple[int, int]:
        """1-based (line, column) of the value at `path` (or its nearest located ancestor)."""
        if not self._line_starts:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        index = self.offset(path)
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1

    def provenance(self, path: Pointer, source: str) -> dict[str, Any]:
        """The `provenance` of an entity imported from the value at `path`: importer, file, pointer, line, column."""
        line, column = self.locate(path)
        return {
            "source": source,
            "file": one_line(self.file),
            "pointer": one_line(json_pointer(path)),
            "line": line,
            "column": column,
        }

    def problem(self, path: Pointer, message: str, code: str) -> Problem:
        """A problem at the value at `path`, its JSON pointer as the problem's path."""
        line, column = self.locate(path)
        return Problem(self.file, line, column, json_pointer(path), printable(message), code)


@functools.lru_cache(maxsize=4096)
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")


def read_json(
    path: str | Path, *, comments: bool = False, max_bytes: int = MAX_INVENTORY_BYTES, name: str | None = None
) -> JsonDocument:
    """Read and parse the JSON file at `path`; `comments=True` accepts `//`, `/* */` and trailing commas."""
    label = name if name is not None else str(path)
    try:
        raw = read_limited(path, max_bytes, too_big="import-size")
    except FileProblem as problem:
        raise ScenarioError([Problem(label, 1, 1, "", problem.message, problem.code)]) from None
    return parse_json(raw, file=label, comments=comments)


def parse_json(raw: bytes | str, *, file: str, comments: bool = False) -> JsonDocument:
    """Parse JSON text from an inventory; ScenarioError located at FILE:LINE:COL for anything malformed."""
    text = raw if isinstance(raw, str) else _decode(raw, file)
    source = _blank_comments(text) if comments else text
    starts: dict[int, int] = {}
    try:
        data = _decoder(starts).decode(source)
    except json.JSONDecodeError as error:
        raise _error(file, error.lineno, error.colno, error.msg.lower(), "import-json") from None
    except RecursionError:
        raise _error(file, 1, 1, "nesting is too deep", "import-depth") from None
    except _Refused as refused:
        raise _error(file, 1, 1, str(refused), "import-json") from None
    except ValueError as error:  # an integer with more digits than Python converts
        raise _error(file, 1, 1, f"value refused: {error}", "import-json") from None
    return JsonDocument(file, text, data, starts)


class _Refused(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


_JSON_OBJECT: Any = getattr(json.decoder, "JSONObject")  # noqa: B009 - typeshed does not declare them
_JSON_ARRAY: Any = getattr(json.decoder, "JSONArray")  # noqa: B009
_PY_SCANNER: Any = getattr(json.scanner, "py_make_scanner")  # noqa: B009


def _decoder(starts: dict[int, int]) -> Any:
    decoder: Any = json.JSONDecoder(parse_constant=_refuse_constant)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        value, end = _JSON_OBJECT(s_and_end, *args)
        starts[id(value)] = s_and_end[1] - 1
        return value, end

    def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        value, end = _JSON_ARRAY(s_and_end, *args)
        starts[id(value)] = s_and_end[1] - 1
        return value, end

    decoder.parse_object = parse_object
    decoder.parse_array = parse_array
    decoder.scan_once = _PY_SCANNER(decoder)  # the pure-Python scanner calls the two above
    return decoder


def _decode(raw: bytes, file: str) -> str:
    # PowerShell's `>` writes the AWS CLI's JSON as UTF-16 with a BOM.
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise _error(file, line, column, f"invalid {encoding.upper()} text", "import-encoding") from None


# Strings first, so that `//` inside a URL is not taken for a comment.
_JSONC = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])')


def _blank_comments(text: str) -> str:
    """JSON with comments as plain JSON of the same length: comments and trailing commas become spaces."""

    def blank(match: re.Match[str]) -> str:
        found = match.group()
        if found.startswith('"'):
            return found
        return re.sub(r"[^\n]", " ", found)

    return _TRAILING_COMMA.sub(blank, _JSONC.sub(blank, text))


def _error(file: str, line: int, column: int, message: str, code: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, column, "", printable(message), code)])
