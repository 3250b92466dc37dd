"""Run every benchmark, judge each figure against its target, write `benchmarks/results.json` and print a table.

Each group is a module with `run() -> list[dict]` returning rows {name, value, unit, baseline, ratio} and,
optionally, `target` and `note`. The suite adds what a row lacks: the target from `TARGETS` (the goals the
group documents) and `met`. A group whose module is absent is reported as skipped, one that raises as failed;
neither stops the others. Each group runs in a process of its own, so no group inherits another's memory
(a child's peak RSS starts from its parent's), imports or warm caches.

A target is a short expression on one field of the row: `"ratio >= 1.7"` or `"value <= 20 s"`. Timings are
judged on ratios against a baseline measured in the same run wherever one exists, since this machine is shared
and noisy; absolute targets (seconds, MiB) are the ones the issue states that way.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GROUPS", "RESULTS", "ROW_KEYS", "TARGETS", "Target", "format_table", "main", "normalise", "run_suite"]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
"""Where `python -m benchmarks` writes its rows."""

ROW_KEYS: tuple[str, ...] = ("name", "value", "unit", "baseline", "ratio", "target", "met", "note")
"""Keys of every row of results.json, in this order; `note` says why a row was skipped or how to read it."""

GROUPS: tuple[str, ...] = ("blast_radius", "simulation", "sweep", "report", "cedar", "imports", "traces")
"""Benchmark modules under `benchmarks/`, run in this order."""

_EXPRESSION = re.compile(r"^(value|ratio)\s*(>=|<=)\s*([0-9.eE+-]+)\s*(\S*)$")


@dataclass(frozen=True)
class Target:
    """A goal on one field of a row: `ratio >= 1.7`, `value <= 20 s`."""

    field: str
    op: str
    bound: float
    unit: str = ""

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read a target expression; raises ValueError for anything else, so a typo cannot pass as 'met'."""
        match = _EXPRESSION.match(text.strip())
        if match is None:
            raise ValueError(f"not a target expression: {text!r} (expected e.g. 'ratio >= 1.7')")
        field, op, bound, unit = match.groups()
        return cls(field, op, float(bound), unit)

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.bound:g}{' ' + self.unit if self.unit else ''}"

    def met(self, row: dict[str, Any]) -> bool | None:
        """Whether the row meets the target; None when the field was not measured."""
        measured = row.get(self.field)
        if not isinstance(measured, int | float) or isinstance(measured, bool) or not math.isfinite(measured):
            return None
        return measured >= self.bound if self.op == ">=" else measured <= self.bound


TARGETS: tuple[tuple[str, str], ...] = (
    # blast radius (issue 6): >= 100x naive networkx at 10k agents, <= 5 s for all agents at 100k
    (r"blast_radius_all_agents_10k_vs_naive_all_agents", "ratio >= 100"),
    (r"blast_radius_all_agents_100k_.+", "value <= 5 s"),
    # simulation (benchmarks/simulation.py documents these goals; its rows do not carry them)
    (r"engine_tasks_per_cpu_s", "ratio >= 0.5"),
    (r"cpu_s_.+", "value <= 30 s"),
    (r"peak_mib_.+", "value <= 300 MiB"),
    (r"cedar_over_jit", "value <= 2"),
)
"""(name pattern, target) for rows that come without a target of their own."""


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every key of `ROW_KEYS`, its target (own or from `TARGETS`) and whether it is met."""
    out = {key: row.get(key) for key in ROW_KEYS}
    out.update({key: value for key, value in row.items() if key not in out})
    for key in ("value", "baseline", "ratio"):
        number = out[key]
        if isinstance(number, float) and not math.isfinite(number):
            out[key] = None  # JSON has no NaN or infinity
    target = out["target"]
    if target is None:
        target = next((t for pattern, t in TARGETS if re.fullmatch(pattern, str(out["name"]))), None)
    if target is not None:
        parsed = Target.parse(str(target))
        out["target"] = str(parsed)
        if "met" not in row or row["met"] is None:
            out["met"] = parsed.met(out)
    return out


def _skipped(group: str, reason: str) -> dict[str, Any]:
    return normalise({"name": group, "note": f"skipped: {reason}"})


def run_group(
    group: str, runner: Callable[[], list[dict[str, Any]]] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Rows of one group and whether it ran: `runner` in this process, else the module's `run()` in a child."""
    if runner is not None:
        try:
            rows = runner()
        except Exception as error:
            traceback.print_exc()
            return [_failed(group, f"{type(error).__name__}: {error}")], False
        return [normalise(row) for row in rows], True
    if importlib.util.find_spec(f"benchmarks.{group}") is None:
        return [_skipped(group, f"benchmarks/{group}.py is not there yet")], True
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "benchmarks.suite", "--child", group, str(report)]
        code = subprocess.run(command, cwd=ROOT, check=False).returncode
        outcome = json.loads(report.read_text()) if report.is_file() else {}
    if "rows" in outcome:
        return [normalise(row) for row in outcome["rows"]], True
    if "skipped" in outcome:
        return [_skipped(group, outcome["skipped"])], True
    return [_failed(group, outcome.get("error", f"its process exited with status {code} before reporting"))], False


def _failed(group: str, reason: str) -> dict[str, Any]:
    return normalise({"name": group, "note": f"failed: {reason}"})


def _child(group: str, report: str) -> int:
    """In the group's own process: import it, run it, leave {rows} or {skipped} or {error} in `report`."""
    outcome: dict[str, Any]
    try:
        runner = getattr(importlib.import_module(f"benchmarks.{group}"), "run", None)
        outcome = {"rows": runner()} if runner is not None else {"skipped": f"benchmarks/{group}.py has no run()"}
    except Exception as error:
        traceback.print_exc()
        outcome = {"error": f"{type(error).__name__}: {error}"}
    Path(report).write_text(json.dumps(outcome, default=_plain_number), encoding="utf-8")
    return 1 if "error" in outcome else 0


def _plain_number(value: Any) -> Any:
    """numpy scalars in a group's rows, as JSON numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def run_suite(
    groups: Sequence[str] = GROUPS,
    *,
    runners: dict[str, Callable[[], list[dict[str, Any]]]] | None = None,
    out: Path | None = RESULTS,
    echo: Callable[[str], None] = print,
) -> tuple[list[dict[str, Any]], bool]:
    """Run `groups` in order, echo each group's rows as they come, write `out`; returns (rows, all ran)."""
    rows: list[dict[str, Any]] = []
    ok = True
    for group in groups:
        echo(f"# {group}")
        start = time.perf_counter()
        found, ran = run_group(group, (runners or {}).get(group))
        ok &= ran
        rows.extend(found)
        echo(format_table(found, header=False))
        echo(f"# {group}: {time.perf_counter() - start:.0f} s")
    if out is not None:
        out.write_text(json.dumps(rows, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return rows, ok


def _number(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def format_table(rows: Sequence[dict[str, Any]], *, header: bool = True) -> str:
    """Aligned plain text: readable in a terminal and in CI logs alike."""
    cells = [
        (
            str(row["name"]),
            _number(row["value"], str(row.get("unit") or "")),
            _number(row["baseline"]),
            _number(row["ratio"]),
            row.get("target") or "",
            {True: "met", False: "NOT MET", None: ""}[row.get("met")],
            row.get("note") or "",
        )
        for row in rows
    ]
    titles = ("benchmark", "value", "baseline", "ratio", "target", "", "note")
    widths = [max([len(t) if header else 0, *(len(c[i]) for c in cells)]) for i, t in enumerate(titles)]
    lines = []
    if header:
        lines.append("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip())
    for cell in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks [--only GROUP,...] [--out PATH] [--strict]`; exit 1 if a benchmark failed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--only", help=f"comma-separated groups (default: all of {', '.join(GROUPS)})")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"rows as JSON (default: {RESULTS.name})")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a target is not met")
    options = parser.parse_args(argv)
    groups = [g.strip() for g in options.only.split(",") if g.strip()] if options.only else list(GROUPS)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)} (known: {', '.join(GROUPS)})")
    rows, ok = run_suite(groups, out=options.out, echo=lambda text: print(text, flush=True))
    print()
    print(format_table(rows))
    judged = [row for row in rows if row["met"] is not None]
    missed = [row["name"] for row in judged if not row["met"]]
    print(f"\n{len(judged) - len(missed)} of {len(judged)} targets met; rows written to {options.out}")
    if missed:
        print(f"not met: {', '.join(missed)}")
    if not ok:
        return 1
    return 1 if options.strict and missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":  # run_group's own call, one group per process
        sys.exit(_child(sys.argv[2], sys.argv[3]))
    sys.exit(main())
