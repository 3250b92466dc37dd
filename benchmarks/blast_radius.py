"""Blast-radius benchmarks: the compiled bitset index against naive networkx reachability, at 10^4 and 10^5 agents.

Each row is {name, value, unit, baseline, ratio}: `value` is the fast path's time, `baseline` the naive one's
on the same generated organisation (per-agent `networkx.descendants` over `access_view` of `build_graph`),
`ratio` = baseline / value. Times are wall-clock seconds on one core, best of three for the fast path.
Every run also checks that both give identical permission sets (and scores equal to float rounding), so a
fast-but-wrong change fails here, not silently.

The end-to-end rows load + validate + analyse a 100k-agent file: as YAML, and as JSON (the fast loader for
machine-written scenarios, issue 15) against the YAML figure of the same run (`ratio` = YAML / JSON); and
`workbench blast-radius` on the JSON file as a user runs it, interpreter start-up included.

Run with `python -m benchmarks.blast_radius` from the repository root.
"""

from __future__ import annotations

import gc
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from workbench.generate import generate_organisation
from workbench.graph import (
    AccessIndex,
    access_view,
    blast_radius_records,
    build_graph,
    compile_access,
    permission_weight,
    reachable_permissions,
)
from workbench.model import Scenario, load_scenario

__all__ = ["run"]


def run(*, agents: int = 10_000, large: int = 100_000, sample: int = 1_000, seed: int = 0) -> list[dict[str, Any]]:
    """(a) all agents at `agents` vs naive on all of them; (b) all agents at `large` vs naive extrapolated
    from `sample` agents; (c) load + validate + analyse a `large`-agent scenario file end to end."""
    small = Scenario.model_validate(generate_organisation(agents, seed=seed))
    rows = [_against_naive(small, name=f"blast_radius_all_agents_{_size(agents)}_vs_naive_all_agents")]
    del small
    organisation = generate_organisation(large, seed=seed)
    big = Scenario.model_validate(organisation)
    rows.append(
        _against_naive(
            big,
            name=f"blast_radius_all_agents_{_size(large)}_vs_naive_extrapolated_from_{sample}_agents",
            sample=sample,
        )
    )
    del big
    yaml_row = _end_to_end(organisation, name=f"end_to_end_{_size(large)}_agents_yaml_load_validate_analyse")
    json_row = _end_to_end(organisation, name=f"end_to_end_{_size(large)}_agents_json_load_validate_analyse")
    json_row.update(baseline=yaml_row["value"], ratio=yaml_row["value"] / json_row["value"], target="value <= 5 s")
    rows += [yaml_row, json_row, _command_line(organisation, name=f"cli_blast_radius_{_size(large)}_agents_json")]
    return rows


def _size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _analyse(scenario: Scenario) -> tuple[AccessIndex, list[dict[str, Any]]]:
    """The fast path being measured: compile the index, then every agent's blast radius and score."""
    index = compile_access(scenario)
    return index, blast_radius_records(index, kinds=("agent",))


def _best_of(repeats: int, action: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def _against_naive(scenario: Scenario, *, name: str, sample: int | None = None) -> dict[str, Any]:
    fast, (index, records) = _best_of(3, lambda: _analyse(scenario))
    agents = index.entities("agent")
    checked = agents if sample is None else agents[:: max(1, len(agents) // sample)][:sample]
    gc.collect()
    start = time.perf_counter()
    view = access_view(build_graph(scenario))
    built = time.perf_counter()
    naive = {agent: reachable_permissions(view, agent) for agent in checked}
    scores = {agent: math.fsum(permission_weight(scenario, a, r) for a, r in held) for agent, held in naive.items()}
    walked = time.perf_counter() - built
    baseline = (built - start) + walked * len(agents) / len(checked)
    by_agent = {row["entity"]: row for row in records}
    for agent in checked:
        if index.effective_permissions(agent) != naive[agent]:
            raise AssertionError(f"{name}: fast and naive permissions differ for {agent}")
        if not math.isclose(by_agent[agent]["score"], scores[agent], rel_tol=1e-9, abs_tol=1e-9):
            raise AssertionError(f"{name}: fast and naive scores differ for {agent}")
    return {"name": name, "value": fast, "unit": "s", "baseline": baseline, "ratio": baseline / fast}


def _write_scenario(organisation: dict[str, Any], path: Path) -> None:
    """YAML with one flow mapping per entity (`- {"id": ...}`): PyYAML's dumper would take half a minute."""
    lines = []
    for key, value in organisation.items():
        if isinstance(value, list) and value:
            lines.append(f"{key}:")
            lines.extend(f"  - {json.dumps(item)}" for item in value)
        else:
            lines.append(f"{key}: {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _end_to_end(organisation: dict[str, Any], *, name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        if "_json_" in name:
            path = Path(folder) / "organisation.json"
            path.write_bytes(orjson.dumps(organisation, option=orjson.OPT_INDENT_2))
        else:
            path = Path(folder) / "organisation.yaml"
            _write_scenario(organisation, path)
        gc.collect()
        start = time.perf_counter()
        _analyse(load_scenario(path))
        elapsed = time.perf_counter() - start
    return {"name": name, "value": elapsed, "unit": "s", "baseline": None, "ratio": None}


def _command_line(organisation: dict[str, Any], *, name: str) -> dict[str, Any]:
    """`workbench blast-radius FILE.json --top 10` in a fresh interpreter: wall time, start-up included."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "organisation.json"
        path.write_bytes(orjson.dumps(organisation, option=orjson.OPT_INDENT_2))
        entry = "from workbench.cli import main; main()"
        command = [sys.executable, "-c", entry, "blast-radius", str(path), "--top", "10", "--format", "csv"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
    return {"name": name, "value": elapsed, "unit": "s", "baseline": None, "ratio": None, "target": "value <= 5 s"}


def _line(row: dict[str, Any]) -> str:
    text = f"{row['name']}: {row['value']:.3f} {row['unit']}"
    if row["baseline"] is not None:
        against = "the same as YAML" if "_json_" in row["name"] else "naive"
        text += f" ({against} {row['baseline']:.3f} {row['unit']}, {row['ratio']:.0f}x faster)"
    return text


if __name__ == "__main__":
    for result in run():
        print(_line(result), flush=True)
