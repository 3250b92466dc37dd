"""Simulation speed and memory: the engine against a bare SimPy model, 1M tasks per design, Cedar against JIT.

Run as `python -m benchmarks.simulation [--tasks N]`; `run()` returns rows {name, value, unit, baseline, ratio}
with ratio = value / baseline: against bare SimPy a ratio ≥ 0.5 meets the goal, against a budget (30 s,
300 MiB, 2× JIT) a ratio ≤ 1 does. Every measurement runs in a fresh child process, so its peak RSS
(ru_maxrss, imports included) is its own. Times are CPU seconds of `run_replication` (building the design and
compiling the run included; loading the scenario excluded).

- engine_vs_bare: the same workload (Poisson arrivals, 8 exponential steps per task, ~10 SimPy events per
  task) once as a bare SimPy model and once through the engine under static RBAC with keep_records=False;
  tasks per CPU-second of each, ratio = engine / bare (goal ≥ 0.5).
- tasks_1m_<design>: the customer-support scenario with its arrival rates scaled to ~1M tasks over the
  horizon and its approver pool sized to keep up, one replication per built-in design, keep_records=False:
  CPU seconds (goal ≤ 30 s) and peak MiB (goal ≤ 300 MiB).
- cedar_vs_jit: CPU seconds of Cedar over JIT on that workload (goal ≤ 2).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run"]

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "customer-support.yaml"
STEPS = 8
DESIGNS = ("static_rbac", "rbac_step_up", "jit", "intent_aware_jit", "cedar")


def _bare_simpy(tasks: int) -> dict[str, float]:
    """A bare SimPy model of the engine workload: Poisson source, tasks of STEPS exponential timeouts."""
    import random

    import simpy

    env = simpy.Environment()
    rng = random.Random(1)
    done = [0]

    def task(env: simpy.Environment) -> Any:
        for _ in range(STEPS):
            yield env.timeout(rng.expovariate(1.0))
        done[0] += 1

    def source(env: simpy.Environment) -> Any:
        for _ in range(tasks):
            yield env.timeout(rng.expovariate(10.0))
            env.process(task(env))

    env.process(source(env))
    start = time.process_time()
    env.run()
    return {"cpu_s": time.process_time() - start, "tasks": float(done[0])}


def _engine_scenario(tasks: int) -> Any:
    from workbench.model import Scenario

    return Scenario.model_validate(
        {
            "schema_version": 1,
            "name": "bench",
            "as_of": "2026-01-05",
            "agents": [{"id": "bot", "roles": ["reader"]}],
            "roles": [{"id": "reader", "permissions": [{"action": "read", "resource": "notes"}]}],
            "datasets": [{"id": "notes"}],
            "workload": {
                "task_types": [
                    {
                        "id": "work",
                        "agent": "bot",
                        "arrival": {"rate": 10.0},
                        "steps": [
                            {"action": "read", "resource": "notes", "duration": {"dist": "exponential", "mean": 1}}
                        ]
                        * STEPS,
                    }
                ]
            },
            "controls": [{"kind": "static_rbac"}],
            "simulation": {"horizon": tasks / 10.0, "replications": 1, "seed": 1},
        }
    )


def _engine(tasks: int) -> dict[str, float]:
    import numpy as np

    from workbench.sim import run_replication

    scenario = _engine_scenario(tasks)
    start = time.process_time()
    out = run_replication(scenario, "static_rbac", 0, np.random.SeedSequence(1), keep_records=False)
    return {"cpu_s": time.process_time() - start, "tasks": out.summary["tasks"]}


def _scaled_support(tasks: int) -> Any:
    """customer-support with ~`tasks` tasks over its horizon, and enough approvers to keep up."""
    from workbench.model import load_scenario

    scenario = load_scenario(SCENARIO)
    horizon = scenario.simulation.horizon
    per_second = sum(t.arrival.rate or 0.0 for t in scenario.workload.task_types)
    factor = tasks / (per_second * horizon)
    task_types = [
        t.model_copy(update={"arrival": t.arrival.model_copy(update={"rate": (t.arrival.rate or 0.0) * factor})})
        for t in scenario.workload.task_types
    ]
    workload = scenario.workload.model_copy(update={"task_types": task_types})
    # Every answered email steps up under RBAC step-up: size the pool for ρ ≈ 0.8 of that load.
    pools = [
        pool.model_copy(update={"size": max(pool.servers, int(per_second * factor * 240 / 0.8) + 1)})
        for pool in scenario.services.approver_pools
    ]
    services = scenario.services.model_copy(update={"approver_pools": pools})
    scaled = scenario.model_copy(update={"workload": workload, "services": services})
    scaled._base_dir = scenario._base_dir  # Cedar policies are read relative to the scenario file
    return scaled


def _design(args: tuple[str, int]) -> dict[str, float]:
    import numpy as np

    from workbench.sim import run_replication

    label, tasks = args
    scenario = _scaled_support(tasks)
    start = time.process_time()
    out = run_replication(scenario, label, 0, np.random.SeedSequence(1), keep_records=False)
    return {"cpu_s": time.process_time() - start, "tasks": out.summary["tasks"]}


def _isolated(function: Callable[[Any], dict[str, float]], argument: Any) -> dict[str, float]:
    """Run `function(argument)` in a fresh process; add that process's peak RSS in MiB."""
    context = mp.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        result = pool.apply(_measured, (function, argument))
    return result


def _measured(function: Callable[[Any], dict[str, float]], argument: Any) -> dict[str, float]:
    result = function(argument)
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return result


def run(tasks: int = 1_000_000, engine_tasks: int = 200_000) -> list[dict[str, Any]]:
    """All benchmark rows."""
    rows: list[dict[str, Any]] = []
    bare = _isolated(_bare_simpy, engine_tasks)
    engine = _isolated(_engine, engine_tasks)
    bare_rate = bare["tasks"] / bare["cpu_s"]
    engine_rate = engine["tasks"] / engine["cpu_s"]
    rows.append(_row("bare_simpy_tasks_per_cpu_s", bare_rate, "tasks/s", None))
    rows.append(_row("engine_tasks_per_cpu_s", engine_rate, "tasks/s", bare_rate))
    seconds: dict[str, float] = {}
    for label in DESIGNS:
        measured = _isolated(_design, (label, tasks))
        seconds[label] = measured["cpu_s"]
        rows.append(_row(f"tasks_{label}", measured["tasks"], "tasks", None))
        rows.append(_row(f"cpu_s_{label}", measured["cpu_s"], "s", 30.0))
        rows.append(_row(f"peak_mib_{label}", measured["peak_mib"], "MiB", 300.0))
    rows.append(_row("cedar_over_jit", seconds["cedar"] / seconds["jit"], "ratio", 2.0))
    return rows


def _row(name: str, value: float, unit: str, baseline: float | None) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {"name": name, "value": round(value, 3), "unit": unit, "baseline": baseline, "ratio": ratio}


def main() -> None:
    """Print the benchmark rows as a table and as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=1_000_000, help="tasks per design (default 1M)")
    parser.add_argument("--engine-tasks", type=int, default=200_000, help="tasks for engine vs bare SimPy")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    options = parser.parse_args()
    rows = run(options.tasks, options.engine_tasks)
    for row in rows:
        ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.3f}"
        print(f"{row['name']:32} {row['value']:>14,.3f} {row['unit']:8}{ratio}")
    if options.json:
        options.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
