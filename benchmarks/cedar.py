"""Cedar policy checks on hostile text: how long the syntax-error locator takes on a long policy.

The locator used to parse every token prefix of a failing policy (quadratic: 15 s for 40 KB); it bisects
instead. Row: `cedar_error_location_<size>` = seconds to compile a policy of that size whose syntax error is
at its very end (every check, the depth check included, and the location); baseline = one cedarpy parse of
the same text; `ratio` = locate / parse, which a bisection keeps near log2(tokens). Target: `ratio <= 40`.

Run with `python -m benchmarks.cedar` from the repository root.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import cedarpy

from workbench.errors import PolicyError
from workbench.model import Scenario
from workbench.policy.cedar_source import compile_policies, split_policies

__all__ = ["failing_policy", "run"]


def failing_policy(size: int) -> str:
    """A single policy of about `size` characters (a long, flat set of task names) with `&& }` at its end."""
    names = []
    length = 0
    while length < size:
        names.append(f'"task-{len(names)}"')
        length += len(names[-1]) + 2
    return f"permit (principal, action, resource) when {{ [{', '.join(names)}].contains(context.task) && }};\n"


def _best(seconds: list[float]) -> float:
    return min(seconds)


def _row(size: int, scenario: Scenario) -> dict[str, Any]:
    text = failing_policy(size)
    parses = []
    for _ in range(3):
        started = time.perf_counter()
        with contextlib.suppress(ValueError):
            cedarpy.PolicySet.from_str(text)
        parses.append(time.perf_counter() - started)
    locates = []
    located = ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            compile_policies(scenario, text, file="bench.cedar", control_path="controls[0].policy")
        except PolicyError as error:
            located = str(error.problems[0])
        locates.append(time.perf_counter() - started)
    value, baseline = _best(locates), _best(parses)
    tokens = len(split_policies(text)[0].tokens)
    return {
        "name": f"cedar_error_location_{size // 1000}kb",
        "value": value,
        "unit": "s",
        "baseline": baseline,
        "ratio": value / baseline,
        "target": "ratio <= 40",
        "note": f"locate / one parse, {len(text):,} characters, {tokens:,} tokens; best of 3; {located[:60]}",
    }


def run() -> list[dict[str, Any]]:
    """Rows for a 40 KB and a 100 KB policy whose error is at the end."""
    scenario = Scenario.model_validate({"schema_version": 1, "name": "bench", "as_of": "2026-01-01"})
    return [_row(40_000, scenario), _row(100_000, scenario)]


if __name__ == "__main__":
    for row in run():
        print(row)
