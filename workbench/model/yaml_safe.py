"""Load untrusted YAML into plain Python values, remembering where every value came from.

Scenario files arrive in pull requests, so loading must never construct objects from tags, never hang on an
alias bomb and never fail with anything but a `ScenarioError` that points at `FILE:LINE:COL`.

The document is built straight from the parser's event stream (libyaml when available) instead of from
PyYAML's composed node graph: one pass instead of two, the positions of aliases are kept, nesting depth and
alias expansion are checked as the events arrive, and the pure-Python fallback cannot hit Python's recursion
limit on deeply nested input.

Decisions worth knowing:

- Plain scalars are resolved with the YAML 1.2 core schema: `yes`, `no`, `on`, `off` stay strings, `010` is
  the integer 10, `1:30` is a string and timestamps stay as their original text (pydantic parses them).
- Mapping keys must be strings; integer keys are accepted and converted with `str()` (so `1` and `0x1` are
  the same key, and a duplicate).
- Merge keys (`<<: *base` or `<<: [*a, *b]`) are supported: explicit keys win over merged ones, earlier
  sources over later ones, and merged values count towards the expansion budget like any alias.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from workbench.errors import Problem, ScenarioError

__all__ = [
    "FileProblem",
    "LoadLimits",
    "YamlDocument",
    "YamlPath",
    "check_text",
    "contained_path",
    "format_path",
    "load_yaml",
    "locate_in",
    "read_limited",
    "read_scenario_bytes",
    "resolve_inside",
    "stat_regular",
]

YamlPath = tuple[str | int, ...]
"""Keys and sequence indexes from the document root to a value; `()` is the root."""

_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

_ScalarEvent = yaml.ScalarEvent
_AliasEvent = yaml.AliasEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_StreamEndEvent = yaml.StreamEndEvent


@dataclass(frozen=True)
class LoadLimits:
    """What one scenario file may cost to load; the defaults fit a generated 100k-agent scenario."""

    max_bytes: int = 256 * 1024 * 1024
    max_depth: int = 64
    max_nodes_expansion: float = 4.0
    """Nodes after alias expansion allowed per node written so far (an alias counts its whole subtree).

    Checked at every alias, so an alias bomb stops after a handful of aliases, long before it expands.
    """
    min_nodes_budget: int = 10_000
    """Expansion every document may use, however small, so short files can still share anchors freely."""


@dataclass(frozen=True)
class YamlDocument:
    """A loaded top-level mapping and the 1-based (line, column) of every value in it."""

    data: dict[str, Any]
    positions: dict[YamlPath, tuple[int, int]]

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Position of `path`, or of its longest recorded prefix (values inside an alias: the alias)."""
        return locate_in(self.positions, path)


def locate_in(positions: dict[YamlPath, tuple[int, int]], path: Sequence[str | int]) -> tuple[int, int]:
    """The (line, column) recorded for `path`, or for its longest recorded prefix; (1, 1) if none is."""
    key = tuple(path)
    while True:
        found = positions.get(key)
        if found is not None:
            return found
        if not key:
            return (1, 1)
        key = key[:-1]


_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")


def format_path(path: Sequence[str | int]) -> str:
    """Render a YAML path as `agents[2].credentials[0].secret`; `()` is `""`.

    Keys that are not identifier-like are quoted so the path stays unambiguous: `labels["app.io/name"]`.
    """
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _SIMPLE_KEY.match(part):
            parts.append(f".{part}" if parts else part)
        else:
            parts.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(parts)


class FileProblem(ValueError):
    """A file named by an input cannot be read safely: missing, not a regular file, too big, unreadable."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file" if kind.startswith("a ") else kind


def _os_problem(error: OSError) -> FileProblem:
    if error.errno == errno.ENOENT:
        return FileProblem("file does not exist", "file-missing")
    if error.errno == errno.ELOOP:
        return FileProblem("is a loop of symbolic links", "file-unreadable")
    if error.errno == errno.ENAMETOOLONG:
        return FileProblem("the path is too long for the file system", "file-unreadable")
    return FileProblem(f"cannot read file: {error.strerror or error}", "file-unreadable")


def stat_regular(path: str | Path) -> os.stat_result:
    """`os.stat` of a regular file; FileProblem saying what `path` is instead (missing, a FIFO, a loop...)."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise _os_problem(error) from None
    except ValueError:  # an embedded NUL byte
        raise FileProblem("the path contains a NUL byte", "file-unreadable") from None
    refused = _not_regular(info.st_mode)
    if refused is not None:
        raise FileProblem(refused, "file-unreadable")
    return info


def read_limited(path: str | Path, max_bytes: int, *, too_big: str = "file-size") -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes`; FileProblem for anything else.

    Directories, named pipes (which would block), devices (`/dev/zero` never ends) and sockets are refused
    by what they are, before a byte is read; the file is opened non-blocking and checked again once open,
    so one swapped in between the two checks is refused too.
    """
    info = stat_regular(path)
    if info.st_size > max_bytes:
        raise FileProblem(f"file is {info.st_size:,} bytes; the limit is {max_bytes:,}", too_big)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise _os_problem(error) from None
    with os.fdopen(descriptor, "rb") as file:
        refused = _not_regular(os.fstat(file.fileno()).st_mode)
        if refused is not None:
            raise FileProblem(refused, "file-unreadable")
        try:
            data = file.read(max_bytes + 1)  # one byte past the cap: the file may have grown since stat()
        except OSError as error:
            raise _os_problem(error) from None
    if len(data) > max_bytes:
        raise FileProblem(f"file is more than {max_bytes:,} bytes; the limit is {max_bytes:,}", too_big)
    return data


def read_scenario_bytes(path: Path, limits: LoadLimits) -> bytes:
    """Read a scenario file, refusing oversized or non-regular files before reading them."""
    try:
        return read_limited(path, limits.max_bytes, too_big="yaml-size")
    except FileProblem as problem:
        raise _error(str(path), 1, 1, (), problem.message, problem.code) from None


def resolve_inside(base_file: Path, relative: str) -> Path | None:
    """Resolve `relative` against the folder of `base_file`; None if it would leave that folder's tree.

    Absolute paths (POSIX or Windows style), `..` and symlinks pointing outside all escape, so a scenario
    from a pull request cannot make the workbench read files elsewhere on the machine.
    """
    try:
        return contained_path(base_file.parent, relative)
    except FileProblem:
        return None


def contained_path(base_dir: Path, relative: str) -> Path:
    """`relative` resolved inside `base_dir`'s tree; FileProblem (code `outside`, or what is wrong) if not."""
    if not relative or PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).anchor:
        raise FileProblem("is outside the scenario's folder", "outside")
    if "\0" in relative:
        raise FileProblem("the path contains a NUL byte", "file-unreadable")
    try:
        base = base_dir.resolve()
        target = (base / relative).resolve()
    except RuntimeError:  # Python 3.11 reports a loop of symbolic links this way
        raise FileProblem("is a loop of symbolic links", "file-unreadable") from None
    except OSError as error:
        raise _os_problem(error) from None
    if not target.is_relative_to(base):
        raise FileProblem("is outside the scenario's folder", "outside")
    return target


def load_yaml(source: bytes | str, *, filename: str, limits: LoadLimits = LoadLimits()) -> YamlDocument:
    """Parse one YAML document whose top level is a mapping; raise ScenarioError for anything else."""
    text = check_text(source, filename, limits)
    return _build(text, filename, limits)


# --- text checks before parsing --------------------------------------------------------------------------

# Everything YAML calls printable, plus surrogates, which we report as an encoding problem instead.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_TEXT_PROBLEMS = 10


def check_text(source: bytes | str, filename: str, limits: LoadLimits, *, language: str = "yaml") -> str:
    """The text of a scenario file: within the size limit, UTF-8, no BOM, no control characters or unpaired
    surrogates; otherwise ScenarioError at FILE:LINE:COL (codes `<language>-size`, `-encoding`,
    `-control-char`). The YAML and JSON loaders both start here."""
    if isinstance(source, str):
        size = len(source)
        if size <= limits.max_bytes < 4 * size:  # only count UTF-8 bytes when the answer is in doubt
            size = len(source.encode("utf-8", "surrogatepass"))
        if size > limits.max_bytes:
            raise _error(filename, 1, 1, (), _too_big(size, limits), f"{language}-size")
        text = source
    else:
        if len(source) > limits.max_bytes:
            raise _error(filename, 1, 1, (), _too_big(len(source), limits), f"{language}-size")
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as error:
            if source.startswith((b"\xff\xfe", b"\xfe\xff")):
                message = "file is UTF-16; save it as UTF-8"
                raise _error(filename, 1, 1, (), message, f"{language}-encoding") from None
            before = source[: error.start].decode("utf-8").removeprefix("\ufeff")
            line, column = _line_column(before, len(before))
            message = f"invalid UTF-8 byte 0x{source[error.start]:02x}"
            raise _error(filename, line, column, (), message, f"{language}-encoding") from None
    text = text.removeprefix("\ufeff")
    problems = []
    for match in _NOT_PRINTABLE.finditer(text):
        line, column = _line_column(text, match.start())
        char = match.group()
        if "\ud800" <= char <= "\udfff":
            message, code = f"unpaired surrogate U+{ord(char):04X} is not valid text", f"{language}-encoding"
        else:
            message, code = f"control character U+{ord(char):04X} is not allowed", f"{language}-control-char"
        problems.append(Problem(filename, line, column, "", message, code))
        if len(problems) == _MAX_TEXT_PROBLEMS:
            break
    if problems:
        raise ScenarioError(problems)
    return text


def _line_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _too_big(size: int, limits: LoadLimits) -> str:
    return f"file is {size:,} bytes; the limit is {limits.max_bytes:,}"


# --- scalars: the YAML 1.2 core schema ----------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + name for name in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = _CORE + "map", _CORE + "seq"
_NON_SPECIFIC = "!"

_INF, _NAN = float("inf"), float("nan")
_CONSTANTS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), _INF),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -_INF),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), _NAN),
}
_NUMBER_START = frozenset("+-.0123456789")
_DECIMAL = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_TEXT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")


class _BadScalar(Exception):
    """A scalar that cannot be read with the tag it carries; becomes a Problem."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


_UNSET: Any = object()


def _plain(value: str) -> Any:
    """Resolve an untagged plain scalar; most are strings and leave after one dict lookup."""
    found = _CONSTANTS.get(value, _UNSET)
    if found is not _UNSET:
        return found
    if value[0] in _NUMBER_START:
        number = _number(value)
        if number is not None:
            return number
    return value


def _number(value: str) -> int | float | None:
    try:
        if _DECIMAL.match(value):
            return int(value)
        if _OCTAL.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
    except ValueError:  # Python refuses to convert decimal strings beyond 4300 digits
        raise _BadScalar(f"integer {value[:20]}… is too long", "yaml-syntax") from None
    if _FLOAT_TEXT.match(value):
        return float(value)
    return None


def _tagged(value: str, tag: str) -> Any:
    """Read a scalar with an explicit tag; only the core-schema tags are allowed."""
    if tag in (_STR, _NON_SPECIFIC):
        return value
    if tag == _NULL:
        if _CONSTANTS.get(value, _UNSET) is None:
            return None
    elif tag == _BOOL:
        found = _CONSTANTS.get(value, _UNSET)
        if type(found) is bool:
            return found
    elif tag == _INT:
        found = _number(value)
        if type(found) is int:
            return found
    elif tag == _FLOAT:
        found = _CONSTANTS.get(value, _UNSET)
        if type(found) is not float:
            found = _number(value)
        if found is not None:
            return float(found)
    else:
        raise _BadScalar(_tag_not_allowed(tag), "yaml-tag")
    raise _BadScalar(f"{_short(value)} is not a valid {_show_tag(tag)}", "yaml-tag")


def _tag_not_allowed(tag: str) -> str:
    return f"tag {_show_tag(tag)} is not allowed; only !!str, !!int, !!float, !!bool, !!null, !!map, !!seq"


def _show_tag(tag: str) -> str:
    shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
    return _short(shown, quote=False)


def _short(text: str, *, quote: bool = True) -> str:
    """User text for a one-line message: escaped, and cut so a huge value cannot flood the report."""
    cut = text if len(text) <= 60 else text[:60] + "…"
    shown = json.dumps(cut, ensure_ascii=False)
    return shown if quote else shown[1:-1]


def _copy(value: Any) -> Any:
    """A fresh tree per alias, so the result is plain data with no shared mutable parts."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


# --- building the document from parser events ---------------------------------------------------------------

_NO_KEY: Any = object()  # the mapping waits for a key
_SKIP: Any = object()  # the key was rejected; its value is parsed and dropped
_MERGE: Any = object()  # the key is `<<`


class _Frame:
    """An open mapping or sequence."""

    __slots__ = ("anchor", "container", "height", "is_map", "key", "merges", "path", "size", "skip")

    def __init__(self, container: Any, path: YamlPath, anchor: str | None, skip: bool) -> None:
        self.container = container
        self.is_map = type(container) is dict
        self.path = path
        self.anchor = anchor
        self.skip = skip  # a complex mapping key: parsed only to be rejected
        self.key: Any = _NO_KEY
        self.merges: list[Any] | None = None
        self.size = 1  # nodes in the expanded subtree, this one included
        self.height = 1  # nesting levels of the expanded subtree


class _Fatal(Exception):
    """Stop reading: the rest of the document cannot be trusted or is too expensive."""

    def __init__(self, line: int, column: int, message: str, code: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message, self.code = line, column, message, code


def _build(text: str, filename: str, limits: LoadLimits) -> YamlDocument:
    parser = _LOADER(text)
    problems: list[Problem] = []
    stack: list[_Frame] = []
    try:
        try:
            return _read(parser, filename, limits, problems, stack)
        finally:
            parser.dispose()
    except _Fatal as fatal:
        where = format_path(_where(stack))
        problems.append(Problem(filename, fatal.line, fatal.column, where, fatal.message, fatal.code))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = error.problem or "invalid YAML"
        if error.context:
            message = f"{message} ({error.context})"
        message = " ".join(message.split())
        problems.append(Problem(filename, line, column, format_path(_where(stack)), message, "yaml-syntax"))
    except yaml.YAMLError as error:  # reader errors carry no mark; our own checks should pre-empt them
        problems.append(Problem(filename, 1, 1, "", " ".join(str(error).split()), "yaml-syntax"))
    raise ScenarioError(problems)


def _where(stack: list[_Frame]) -> YamlPath:
    """The path the parser had reached, for errors that stop it."""
    if not stack:
        return ()
    top = stack[-1]
    if not top.is_map:
        return (*top.path, len(top.container))
    if isinstance(top.key, str):
        return (*top.path, top.key)
    return top.path


def _read(parser: Any, filename: str, limits: LoadLimits, problems: list[Problem], stack: list[_Frame]) -> YamlDocument:
    """Turn the event stream into plain values and positions; a hot loop, so it trades elegance for speed."""
    positions: dict[YamlPath, tuple[int, int]] = {}
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, expanded size, height)
    max_depth = limits.max_depth
    ratio, floor = limits.max_nodes_expansion, limits.min_nodes_budget
    written = 0  # nodes as written, an alias counting one
    expanded = 0  # nodes after alias expansion
    get_event = parser.get_event

    def problem(mark: Any, path: YamlPath, message: str, code: str) -> None:
        problems.append(Problem(filename, mark.line + 1, mark.column + 1, format_path(path), message, code))

    get_event()  # StreamStartEvent
    event = get_event()
    if type(event) is _StreamEndEvent:
        raise _Fatal(1, 1, "empty document", "yaml-empty")
    root_mark = event.start_mark
    event = get_event()  # past DocumentStartEvent
    root: Any = None
    mark: Any = None
    while True:
        cls = type(event)
        parent = stack[-1] if stack else None
        if cls is _MappingEndEvent or cls is _SequenceEndEvent:
            frame = stack.pop()
            parent = stack[-1] if stack else None
            value = frame.container
            if frame.merges:
                merged: dict[str, Any] = {}
                for source in frame.merges:
                    for name, item in source.items():
                        merged.setdefault(name, item)
                # Merged keys are located at the `<<` value they came from.
                merge_position = positions.pop((*frame.path, "<<"))
                for name in merged.keys() - value.keys():
                    positions[(*frame.path, name)] = merge_position
                merged.update(value)
                value = merged
            size, height = frame.size, frame.height
            if frame.anchor is not None:
                anchors[frame.anchor] = (value, size, height)
            if frame.skip:
                assert parent is not None  # only a mapping waiting for a key opens a skipped frame
                parent.key = _SKIP
                event = get_event()
                continue
            path = frame.path
        elif parent is not None and parent.is_map and parent.key is _NO_KEY:
            # A mapping key. Keys get no position of their own; their value's position stands for both.
            mark = event.start_mark
            written += 1
            expanded += 1
            if cls is _ScalarEvent:
                raw, tag = event.value, event.tag
                try:
                    if tag is None:
                        key: Any = raw if event.style else _plain(raw)
                    else:
                        key = _tagged(raw, tag)
                except _BadScalar as bad:
                    problem(mark, parent.path, bad.message, bad.code)
                    key = _SKIP
                if event.anchor is not None and key is not _SKIP:
                    anchors[event.anchor] = (key, 1, 0)
                if key == "<<" and tag is None and not event.style:
                    key = _MERGE
            elif cls is _AliasEvent:
                key = _alias_target(anchors, event)[0]
            else:  # a mapping or sequence used as a key
                problem(mark, parent.path, "mapping keys must be plain strings, not collections", "yaml-key")
                if len(stack) >= max_depth:
                    raise _Fatal(mark.line + 1, mark.column + 1, _too_deep(max_depth), "yaml-depth")
                container: Any = {} if cls is _MappingStartEvent else []
                stack.append(_Frame(container, parent.path, event.anchor, skip=True))
                event = get_event()
                continue
            if type(key) is not str and key is not _MERGE and key is not _SKIP:
                if type(key) is int:
                    key = str(key)
                else:
                    kind = "null" if key is None else type(key).__name__
                    problem(mark, parent.path, f"mapping keys must be strings, not {kind}", "yaml-key")
                    key = _SKIP
            if key is _MERGE:
                if parent.merges is not None:
                    problem(mark, parent.path, "duplicate merge key '<<'", "yaml-duplicate-key")
                    key = _SKIP
            elif key is not _SKIP and key in parent.container:
                shown = _short(key)
                problem(mark, (*parent.path, key), f"duplicate key {shown}", "yaml-duplicate-key")
                key = _SKIP
            parent.key = key
            event = get_event()
            continue
        else:
            # A value: the document root, a sequence item or the value of a mapping key.
            if parent is None:
                path = ()
            elif parent.is_map:
                key = parent.key
                path = (*parent.path, key if type(key) is str else "<<")
            else:
                path = (*parent.path, len(parent.container))
            mark = event.start_mark
            written += 1
            if cls is _ScalarEvent:
                raw, tag = event.value, event.tag
                try:
                    value = (raw if event.style else _plain(raw)) if tag is None else _tagged(raw, tag)
                except _BadScalar as bad:
                    problem(mark, path, bad.message, bad.code)
                    value = None
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1, 0)
                size, height = 1, 0
                expanded += 1
            elif cls is _AliasEvent:
                target, size, height = _alias_target(anchors, event)
                expanded += size
                if expanded > floor and expanded > ratio * written:
                    message = (
                        f"aliases expand the document to {expanded:,} nodes from {written:,} written,"
                        " more than the limit that guards against alias bombs"
                    )
                    raise _Fatal(mark.line + 1, mark.column + 1, message, "yaml-expansion")
                if len(stack) + height > max_depth:
                    raise _Fatal(mark.line + 1, mark.column + 1, _too_deep(max_depth), "yaml-depth")
                value = _copy(target)
            else:  # MappingStartEvent or SequenceStartEvent
                if len(stack) >= max_depth:
                    raise _Fatal(mark.line + 1, mark.column + 1, _too_deep(max_depth), "yaml-depth")
                expanded += 1
                tag = event.tag
                if cls is _MappingStartEvent:
                    container = {}
                    allowed = tag is None or tag in (_MAP, _NON_SPECIFIC)
                else:
                    container = []
                    allowed = tag is None or tag in (_SEQ, _NON_SPECIFIC)
                if not allowed:
                    problem(mark, path, _tag_not_allowed(tag), "yaml-tag")
                positions[path] = (mark.line + 1, mark.column + 1)
                stack.append(_Frame(container, path, event.anchor, skip=False))
                event = get_event()
                continue
            positions[path] = (mark.line + 1, mark.column + 1)

        # A complete value at `path`: attach it to its parent.
        if parent is None:
            root = value
            break
        parent.size += size
        if height >= parent.height:
            parent.height = height + 1
        if parent.is_map:
            key = parent.key
            parent.key = _NO_KEY
            if key is _MERGE:
                sources = value if type(value) is list else [value]
                if all(type(source) is dict for source in sources):
                    parent.merges = sources
                else:
                    line, column = positions[path]
                    message = "the merge key '<<' needs a mapping or a list of mappings"
                    problems.append(Problem(filename, line, column, format_path(path), message, "yaml-merge"))
            elif key is not _SKIP:
                parent.container[key] = value
        else:
            parent.container.append(value)
        event = get_event()

    get_event()  # DocumentEndEvent
    event = get_event()
    if type(event) is _DocumentStartEvent:
        mark = event.start_mark
        raise _Fatal(mark.line + 1, mark.column + 1, "expected a single YAML document", "yaml-multi-document")
    if root is None:
        raise _Fatal(root_mark.line + 1, root_mark.column + 1, "empty document", "yaml-empty")
    if type(root) is not dict:
        line, column = positions[()]
        kind = "a sequence" if type(root) is list else f"a {type(root).__name__} scalar"
        raise _Fatal(line, column, f"the top level must be a mapping, not {kind}", "yaml-not-mapping")
    if problems:
        raise ScenarioError(problems)
    return YamlDocument(root, positions)


def _alias_target(anchors: dict[str, tuple[Any, int, int]], event: Any) -> tuple[Any, int, int]:
    found = anchors.get(event.anchor)
    if found is None:
        mark = event.start_mark
        message = f"alias *{_short(event.anchor, quote=False)} has no complete anchor before it"
        raise _Fatal(mark.line + 1, mark.column + 1, message, "yaml-syntax")
    return found


def _too_deep(max_depth: int) -> str:
    return f"nesting is deeper than {max_depth} levels"


def _error(file: str, line: int, column: int, path: YamlPath, message: str, code: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, column, format_path(path), message, code)])
