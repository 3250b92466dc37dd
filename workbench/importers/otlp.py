"""Read OpenTelemetry traces in OTLP/JSON, as the collector's file exporter writes them, as hostile input.

Each line of such a file is one `ExportTraceServiceRequest`. A line is decoded with `json` and parsed into
the `opentelemetry-proto` message by protobuf's own JSON parser (`json_format.ParseDict`), so field names,
types, enums and 64-bit integers are judged by the OTLP schema itself, not by code of ours. Only what the
GenAI semantic conventions say about agents reaches the rest of the importer: `invoke_agent` spans (tasks)
and `execute_tool` spans (steps), plus the parent links of every other span so that a tool call under a
model call still finds its agent.

Bounded: a line longer than `max_line_bytes`, more than `max_spans` spans, nesting deeper than protobuf's
recursion limit or anything malformed stops the read with a `ScenarioError` at FILE:LINE:COL and the JSON
pointer of the offending value in that line's request. Nothing is executed or fetched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.message import Message
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

from workbench.errors import Problem, ScenarioError
from workbench.escaping import printable
from workbench.importers.documents import json_pointer
from workbench.model.yaml_safe import FileProblem, stat_regular

__all__ = [
    "AGENT",
    "MAX_LINE_BYTES",
    "MAX_SPANS",
    "OTHER",
    "TOOL",
    "SpanRecord",
    "TraceRead",
    "read_traces",
]

MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest line (one export request) read: the collector's default batch is far smaller."""
MAX_SPANS = 5_000_000
"""Most spans read over all files: a week of a hundred busy agents; `--max-spans` changes it."""
MAX_DEPTH = 32
"""Deepest message nesting protobuf's parser accepts (attribute values nest through arrays and kvlists)."""

AGENT = "invoke_agent"
TOOL = "execute_tool"
OTHER = ""
_OPERATION = "gen_ai.operation.name"
_ERROR = Status.STATUS_CODE_ERROR
_HEX_IDS = {"traceId": 16, "spanId": 8, "parentSpanId": 8}


@dataclass(slots=True)
class SpanRecord:
    """What the importer keeps of one GenAI span: its ids, its operation and the attributes that name it."""

    trace: bytes
    span: bytes
    parent: bytes
    operation: str
    agent_id: str
    agent_name: str
    tool_name: str
    start_ns: int
    end_ns: int
    error: bool
    file: int
    line: int
    pointer: str


@dataclass
class TraceRead:
    """Every GenAI span of some trace files, the parent of every span, and what was read from each file."""

    files: list[str]
    spans: list[SpanRecord] = field(default_factory=list)
    parents: dict[bytes, bytes] = field(default_factory=dict)
    """trace id + span id -> trace id + parent span id, for every span (GenAI or not) that has a parent."""
    requests: list[int] = field(default_factory=list)
    span_counts: list[int] = field(default_factory=list)
    sha256: list[str] = field(default_factory=list)
    first_ns: int | None = None
    last_ns: int | None = None

    def where(self, record: SpanRecord) -> str:
        """FILE:LINE of a span, for messages."""
        return f"{self.files[record.file]}:{record.line}"


def read_traces(
    paths: Sequence[str | Path], *, max_spans: int = MAX_SPANS, max_line_bytes: int = MAX_LINE_BYTES
) -> TraceRead:
    """Read OTLP/JSON trace files (one `ExportTraceServiceRequest` per line); ScenarioError on bad input."""
    read = TraceRead([printable(str(path)) for path in paths])
    total = 0
    for index, path in enumerate(paths):
        label = read.files[index]
        requests = spans = 0
        digest = hashlib.sha256()
        for number, line in _lines(path, label, max_line_bytes, digest):
            request = _parse_line(line, label, number)
            requests += 1
            for pointer, span in _spans(request):
                total += 1
                if total > max_spans:
                    raise _problem(label, number, 1, pointer, f"more than {max_spans:,} spans", "traces-too-many")
                spans += 1
                _keep(read, span, index, number, pointer)
        read.requests.append(requests)
        read.span_counts.append(spans)
        read.sha256.append(digest.hexdigest())
    return read


def _lines(path: str | Path, label: str, limit: int, digest: Any) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line, hashing every byte; a line over `limit` bytes or bad
    UTF-8 is a problem."""
    try:
        stat_regular(path)
        file = open(path, "rb")  # noqa: SIM115 - closed by the with below, after the regular-file check
    except FileProblem as problem:
        raise ScenarioError([Problem(label, 1, 1, "", problem.message, problem.code)]) from None
    except OSError as error:
        raise _problem(label, 1, 1, "", f"cannot read the file: {error.strerror}", "file-unreadable") from None
    with file:
        number = 0
        while True:
            raw = file.readline(limit + 1)
            if not raw:
                return
            number += 1
            digest.update(raw)
            if len(raw) > limit:
                raise _problem(label, number, 1, "", f"line is longer than {limit:,} bytes", "traces-line-length")
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise _problem(label, number, error.start + 1, "", "invalid UTF-8 text", "traces-encoding") from None
            if text.strip():
                yield number, text.rstrip("\r\n")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_line(text: str, label: str, number: int) -> ExportTraceServiceRequest:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise _problem(label, number, error.colno, "", error.msg.lower(), "traces-json") from None
    except RecursionError:
        raise _problem(label, number, 1, "", "nesting is too deep", "traces-depth") from None
    except ValueError as error:
        raise _problem(label, number, 1, "", f"value refused: {error}", "traces-json") from None
    if not isinstance(data, dict):
        raise _problem(label, number, 1, "", "a line must be an ExportTraceServiceRequest object", "traces-otlp")
    _hex_ids_to_base64(data, label, number)
    request = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(data, request, max_recursion_depth=MAX_DEPTH)
    except (json_format.ParseError, RecursionError) as error:
        path = _failing_path(data, ExportTraceServiceRequest, ())
        raise _problem(label, number, 1, json_pointer(path), _reason(error), "traces-otlp") from None
    return request


def _hex_ids_to_base64(data: dict[str, Any], label: str, number: int) -> None:
    """OTLP/JSON writes trace and span ids as hex (its one departure from the protobuf JSON mapping, which
    would read them as base64); turn them into what protobuf's parser expects, refusing anything not hex."""
    for i, resource in _items(data.get("resourceSpans")):
        for j, scope in _items(resource.get("scopeSpans") if isinstance(resource, dict) else None):
            for k, span in _items(scope.get("spans") if isinstance(scope, dict) else None):
                if not isinstance(span, dict):
                    continue
                base = ("resourceSpans", i, "scopeSpans", j, "spans", k)
                _convert_ids(span, base, label, number)
                for n, link in _items(span.get("links")):
                    if isinstance(link, dict):
                        _convert_ids(link, (*base, "links", n), label, number)


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


def _convert_ids(node: dict[str, Any], path: tuple[str | int, ...], label: str, number: int) -> None:
    for key, size in _HEX_IDS.items():
        value = node.get(key)
        if value is None or value == "":
            continue
        try:
            if not isinstance(value, str) or len(value) != 2 * size:
                raise ValueError
            node[key] = base64.b64encode(bytes.fromhex(value)).decode("ascii")
        except (ValueError, binascii.Error):
            message = f"{key} must be {2 * size} hex digits"
            raise _problem(label, number, 1, json_pointer((*path, key)), message, "traces-otlp") from None


def _failing_path(value: Any, message_class: type[Message], path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The path of the first value protobuf refuses, found by parsing the members of `value` one by one."""
    if not isinstance(value, dict) or len(path) > 2 * MAX_DEPTH:
        return path
    descriptor = message_class.DESCRIPTOR
    fields = {f.json_name: f for f in descriptor.fields} | {f.name: f for f in descriptor.fields}
    for key, item in value.items():
        if _parses({key: item}, message_class):
            continue
        found = fields.get(key)
        if found is None or found.message_type is None:
            return (*path, key)
        child = message_factory.GetMessageClass(found.message_type)
        if isinstance(item, list):
            for index, element in enumerate(item):
                if not _parses(element, child):
                    return _failing_path(element, child, (*path, key, index))
            return (*path, key)
        return _failing_path(item, child, (*path, key))
    return path


def _parses(value: Any, message_class: type[Message]) -> bool:
    try:
        json_format.ParseDict(value, message_class(), max_recursion_depth=MAX_DEPTH)
    except (json_format.ParseError, RecursionError, TypeError, AttributeError):
        return False
    return True


def _reason(error: BaseException) -> str:
    """protobuf's own words for the innermost failure, without its chain of 'Failed to parse X field:'."""
    if isinstance(error, RecursionError):
        return "nesting is too deep"
    text = str(error).split("\n")[0]
    while text.startswith("Failed to parse ") and ": " in text:
        text = text.split(": ", 1)[1]
    text = text.split(" at ExportTraceServiceRequest")[0].split(' at "ExportTraceServiceRequest')[0]
    return text.rstrip(".") or "not an OTLP ExportTraceServiceRequest"


def _spans(request: ExportTraceServiceRequest) -> Iterator[tuple[str, Any]]:
    for i, resource in enumerate(request.resource_spans):
        for j, scope in enumerate(resource.scope_spans):
            for k, span in enumerate(scope.spans):
                yield f"/resourceSpans/{i}/scopeSpans/{j}/spans/{k}", span


def _text(value: AnyValue) -> str:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind in ("int_value", "double_value", "bool_value"):
        return str(getattr(value, kind))
    return ""


def _keep(read: TraceRead, span: Any, file: int, line: int, pointer: str) -> None:
    trace, span_id, parent = span.trace_id, span.span_id, span.parent_span_id
    if parent:
        read.parents[trace + span_id] = trace + parent
    start, end = span.start_time_unix_nano, span.end_time_unix_nano
    if start:
        read.first_ns = start if read.first_ns is None else min(read.first_ns, start)
    if end:
        read.last_ns = end if read.last_ns is None else max(read.last_ns, end)
    attributes = {kv.key: kv.value for kv in span.attributes}
    operation = _text(attributes[_OPERATION]) if _OPERATION in attributes else ""
    if not operation:  # the conventions' span names: "invoke_agent {name}", "execute_tool {name}"
        operation = span.name.split(" ", 1)[0]
    if operation not in (AGENT, TOOL):
        return

    def attribute(key: str) -> str:
        value = attributes.get(key)
        return sys.intern(_text(value)) if value is not None else ""

    read.spans.append(
        SpanRecord(
            trace,
            span_id,
            parent,
            operation,
            attribute("gen_ai.agent.id"),
            attribute("gen_ai.agent.name"),
            attribute("gen_ai.tool.name"),
            start,
            end,
            span.status.code == _ERROR,
            file,
            line,
            pointer,
        )
    )


def _problem(file: str, line: int, column: int, pointer: str, message: str, code: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, column, pointer, printable(message), code)])
