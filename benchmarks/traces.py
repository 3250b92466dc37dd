"""`workbench import traces` at scale: a day of OpenTelemetry traces of 100 agents (about a million spans),
generated here (seeded, `benchmarks.trace_fixtures`), imported end to end on one core.

Rows:

- `import_traces_100_agents_1m_spans`: CPU seconds to read the OTLP/JSON file (every line parsed by
  protobuf's `json_format` into opentelemetry-proto messages), derive the workload and observed use, and
  render the checked scenario YAML; baseline: `json.loads` of the same lines; `ratio` = import / load.
- `parse_share_import_traces`: the fraction of that time spent in `read_traces` (decoding and protobuf's
  parser), the rest being the workload derivation and the YAML.
- `peak_mib_import_traces`: peak RSS of this process after the import.

Target (the issue's "well under a minute"): `value <= 30 s`.

Run with `python -m benchmarks.traces` from the repository root.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.trace_fixtures import benchmark_agents, traffic_by_hour, write_otlp
from workbench.importers import TraceMap, import_traces, read_traces, render_scenario
from workbench.importers.trace_map import ToolRule
from workbench.model import Scenario

__all__ = ["AGENTS", "fleet", "run"]

AGENTS = 100
DAY = dt.date(2026, 11, 25)
_ACTIONS = {
    "search": ("read", "index"),
    "read": ("read", "store"),
    "write": ("write", "store"),
    "send": ("send", "mail"),
}


def fleet(agents: int = AGENTS) -> tuple[Scenario, TraceMap]:
    """A scenario of `agents` agents, each with its own tool over three datasets, and the map of their calls."""
    document: dict[str, Any] = {"schema_version": 1, "name": "trace-fleet", "as_of": "2026-11-26"}
    document["agents"], document["tools"], document["datasets"], document["roles"] = [], [], [], []
    rules = []
    for number in range(agents):
        name = f"agent-{number:03d}"
        datasets = {kind: f"{name}-{kind}" for kind in ("index", "store", "mail")}
        document["datasets"] += [{"id": d, "sensitivity": "internal"} for d in datasets.values()]
        accesses = [
            {"resource": datasets["index"], "actions": ["read"]},
            {"resource": datasets["store"], "actions": ["read", "write"]},
        ]
        accesses.append({"resource": datasets["mail"], "actions": ["send"]})
        document["tools"].append({"id": f"{name}-tool", "actions": ["read", "write", "send"], "accesses": accesses})
        grants = [{"action": a, "resource": r} for a, r in (("read", datasets["index"]), ("read", datasets["store"]),
                  ("write", datasets["store"]), ("send", datasets["mail"]), ("execute", f"{name}-tool"))]  # fmt: skip
        document["roles"].append({"id": f"{name}-role", "permissions": grants})
        document["agents"].append({"id": name, "roles": [f"{name}-role"], "tools": [f"{name}-tool"]})
        for call, (action, kind) in _ACTIONS.items():
            rules.append(
                ToolRule(
                    match=f"{name}.{call}", agent=name, tool=f"{name}-tool", action=action, resource=datasets[kind]
                )
            )  # type: ignore[arg-type]
    document["controls"] = [{"kind": "static_rbac"}]
    return Scenario.model_validate(document), TraceMap(tools=rules)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> list[dict[str, Any]]:
    """The rows described in the module docstring."""
    scenario, trace_map = fleet()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "day.otlp.jsonl"
        spans = write_otlp(path, traffic_by_hour(benchmark_agents(AGENTS), day=DAY, seed=11))
        size = path.stat().st_size / 2**20
        started = time.process_time()
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                json.loads(line)
        baseline = time.process_time() - started
        started = time.process_time()
        read = read_traces([path])
        parsed = time.process_time() - started
        result = import_traces(read, scenario, trace_map)
        text = render_scenario(result.document, header="bench", base_dir=Path(folder))
        value = time.process_time() - started
    return [
        {
            "name": "import_traces_100_agents_1m_spans",
            "value": value,
            "unit": "s",
            "baseline": baseline,
            "ratio": value / baseline if baseline else None,
            "target": "value <= 30 s",
            "note": f"CPU s for {spans:,} spans ({size:.0f} MiB, {result.root_tasks:,} tasks, {result.task_types} task "
            f"types, {len(text) / 2**20:.0f} MiB YAML); baseline json.loads of the lines; ratio import/load",
        },
        {
            "name": "parse_share_import_traces",
            "value": parsed / value if value else None,
            "unit": "fraction",
            "note": f"read_traces (json + protobuf json_format): {parsed:.1f} s of {value:.1f} s",
        },
        {"name": "peak_mib_import_traces", "value": _peak_mib(), "unit": "MiB", "note": "peak RSS"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
