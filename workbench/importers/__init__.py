"""Importers: the files teams already have (MCP client configs, IAM and Kubernetes dumps, OpenGraph JSON,
OpenTelemetry traces) turned into scenarios that validate.

Each source has one module of pure functions from parsed documents to a `Scenario`; `documents` reads an
inventory file as hostile input with located errors, `naming` makes ids and text from what it holds, and
`merge` lays an import under a hand-written overlay and writes the YAML. Nothing here runs a command or
opens a connection.
"""

from workbench.importers.aws_iam import import_aws_iam
from workbench.importers.documents import JsonDocument, json_pointer, parse_json, read_json
from workbench.importers.k8s import import_k8s
from workbench.importers.mcp import McpConfig, discover_configs, fingerprint, import_mcp, read_configs
from workbench.importers.merge import (
    build_scenario,
    load_overlay,
    merge_overlay,
    render_scenario,
    scenario_document,
    yaml_text,
)
from workbench.importers.opengraph import import_opengraph
from workbench.importers.otlp import TraceRead, read_traces
from workbench.importers.trace_map import TraceMap, load_trace_map
from workbench.importers.traces import TraceImport, import_traces

__all__ = [
    "JsonDocument",
    "McpConfig",
    "TraceImport",
    "TraceMap",
    "TraceRead",
    "build_scenario",
    "discover_configs",
    "fingerprint",
    "import_aws_iam",
    "import_k8s",
    "import_mcp",
    "import_opengraph",
    "import_traces",
    "json_pointer",
    "load_overlay",
    "load_trace_map",
    "merge_overlay",
    "parse_json",
    "read_configs",
    "read_json",
    "read_traces",
    "render_scenario",
    "scenario_document",
    "yaml_text",
]
