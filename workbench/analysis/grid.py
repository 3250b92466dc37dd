"""Grid expansion: a sweep's grid of scenario paths and values, resolved, validated and expanded into points.

Each grid point is the scenario with some values replaced, validated by the scenario's own models (so `"5m"`
is a duration and a bad value names its parameter). Keys are dotted scenario paths (list items named by id,
designs by label) or the shorthands of `SHORTHANDS`; every problem of a grid is reported at once.
"""

from __future__ import annotations

import copy
import difflib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from workbench.analysis.frames import ID_COLUMNS
from workbench.errors import WorkbenchError
from workbench.model import Scenario, kinds_with_parameter
from workbench.model.references import check_files, check_references
from workbench.model.yaml_safe import format_path
from workbench.sim.records import RUN_METRICS

__all__ = [
    "POINT_COLUMN",
    "SHORTHANDS",
    "DataPath",
    "Grid",
    "SweepError",
    "SweepParameterError",
    "build_grid",
    "with_overrides",
]

POINT_COLUMN = "point"
"""Column holding the grid point id: 0, 1, … in the order of `itertools.product` over the grid's values."""


def _listed(kinds: tuple[str, ...]) -> str:
    """'a, b and c'."""
    return " and ".join(filter(None, (", ".join(kinds[:-1]), kinds[-1])))


SHORTHANDS: dict[str, str] = {
    "approvers": "size of every approver pool (services.approver_pools.<id>.size)",
    "token_ttl": f"token_ttl of every {_listed(kinds_with_parameter('token_ttl'))} design (controls.<label>.token_ttl)",
    "step_up_at": f"step_up_at of every {_listed(kinds_with_parameter('step_up_at'))} design "
    "(controls.<label>.step_up_at)",
}
"""Grid keys that stand for several scenario paths at once, with what each sets."""

_IDENTITY_FIELDS = frozenset({"id", "name", "kind"})
DataPath = tuple[str | int, ...]
"""A path into the scenario's data: keys of mappings, indexes of lists."""

_FIXED_PATHS: dict[DataPath, str] = {
    ("schema_version",): "the scenario language version is not a parameter",
    ("simulation", "replications"): "pass replications= (CLI: --replications) instead",
    ("simulation", "seed"): "pass seed= (CLI: --seed) instead",
}


class SweepError(WorkbenchError):
    """A sweep could not be set up or run."""


class SweepParameterError(SweepError, ValueError):
    """The grid names an unknown path or gives a value the scenario does not accept; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)  # args = (problems,): rebuilt whole by `type(e)(*e.args)`

    def __str__(self) -> str:
        return "\n".join(self.problems)


def with_overrides(data: dict[str, Any], overrides: Sequence[tuple[DataPath, Any]]) -> dict[str, Any]:
    """A deep copy of `data` with each (path, value) of `overrides` set."""
    changed = copy.deepcopy(data)
    for path, value in overrides:
        node: Any = changed
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = copy.deepcopy(value)
    return changed


def _resolve(key: str, scenario: Scenario, data: dict[str, Any]) -> list[DataPath]:
    """The concrete data paths a grid key sets; raises ValueError with the reason if it names nothing."""
    if key == "approvers":
        pools = scenario.services.approver_pools
        if not pools:
            raise ValueError("the scenario has no approver pools")
        return [("services", "approver_pools", i, "size") for i in range(len(pools))]
    if key in ("token_ttl", "step_up_at"):
        kinds = kinds_with_parameter(key)
        found = [("controls", i, key) for i, c in enumerate(scenario.controls) if c.kind in kinds]
        if not found:
            raise ValueError(f"the scenario has no {' or '.join(kinds)} design")
        return found  # type: ignore[return-value]
    parts = key.split(".")
    if not all(parts):
        raise ValueError("empty path segment")
    path: list[str | int] = []
    node: Any = data
    for position, part in enumerate(parts):
        if isinstance(node, dict):
            if part not in node:
                raise ValueError(_unknown(part, [str(k) for k in node], ".".join(parts[:position]) or "the scenario"))
            path.append(part)
            node = node[part]
        elif isinstance(node, list):
            index = _list_index(parts[position - 1] if position else "", node, part)
            if index is None:
                names = [_item_name(parts[position - 1], item, i) for i, item in enumerate(node)]
                raise ValueError(_unknown(part, names, ".".join(parts[:position])))
            path.append(index)
            node = node[index]
        else:
            raise ValueError(f"'{'.'.join(parts[:position])}' is a value, it has no '{part}'")
    resolved = tuple(path)
    if resolved in _FIXED_PATHS:
        raise ValueError(_FIXED_PATHS[resolved])
    if resolved[-1] in _IDENTITY_FIELDS:
        raise ValueError(f"'{resolved[-1]}' identifies an entity; sweeping it would change what is compared")
    return [resolved]


def _list_index(section: str, items: list[Any], part: str) -> int | None:
    """Items of a list are named by id (by label for controls), or by position."""
    for index, item in enumerate(items):
        if _item_name(section, item, index) == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _item_name(section: str, item: Any, index: int) -> str:
    if not isinstance(item, dict):
        return str(index)
    if section == "controls":
        return str(item.get("name") or item.get("kind"))
    return str(item.get("id", index))


def _unknown(part: str, known: Sequence[str], where: str) -> str:
    close = difflib.get_close_matches(part, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f" (it has: {', '.join(known) or 'nothing'})"
    return f"no '{part}' in {where}{hint}"


def _values(raw: Any) -> list[Any]:
    """A grid entry's values; a lone string or number is one value."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence | np.ndarray):
        return [raw]
    return list(raw)


def _validation_messages(error: ValidationError) -> list[str]:
    messages = []
    for detail in error.errors(include_url=False):
        where = format_path(detail["loc"])
        messages.append(f"{where}: {str(detail['msg']).removeprefix('Value error, ')}")
    return messages


@dataclass(frozen=True)
class Grid:
    """A grid expanded into points: the parameters, each point's values and the data changes that make it."""

    parameters: list[str]
    points: list[tuple[Any, ...]]
    """Each point's value of every parameter, as the validated scenario reads it."""
    overrides: list[tuple[tuple[DataPath, Any], ...]]


def build_grid(scenario: Scenario, data: dict[str, Any], grid: Mapping[str, Any]) -> Grid:
    """Resolve and validate every grid key and value, reporting all problems together."""
    problems: list[str] = []
    targets: dict[str, list[DataPath]] = {}
    values: dict[str, list[Any]] = {}
    owner: dict[DataPath, str] = {}
    reserved = {POINT_COLUMN, *ID_COLUMNS, "kind", *RUN_METRICS}
    for key, raw in grid.items():
        if key in reserved:
            problems.append(f"{key}: clashes with a result column of the same name")
            continue
        try:
            paths = _resolve(key, scenario, data)
        except ValueError as error:
            problems.append(f"{key}: {error}")
            continue
        for path in paths:
            if path in owner:
                problems.append(f"{key}: sets {format_path(path)}, which {owner[path]} already sets")
            owner.setdefault(path, key)
        targets[key] = paths
        values[key] = _values(raw)
        if not values[key]:
            problems.append(f"{key}: no values given")
    # Each value alone first, so that an error names the parameter and value that caused it.
    for key, paths in targets.items():
        for value in values[key]:
            _validated(data, [(path, value) for path in paths], f"{key}={value!r}", problems, scenario.base_dir)
    if problems:
        raise SweepParameterError(problems)
    parameters = list(targets)
    points: list[tuple[Any, ...]] = []
    overrides: list[tuple[tuple[DataPath, Any], ...]] = []
    for combination in itertools.product(*(values[key] for key in parameters)):
        chosen = list(zip(parameters, combination, strict=True))
        changes = tuple((path, value) for key, value in chosen for path in targets[key])
        label = "grid point (" + ", ".join(f"{key}={value!r}" for key, value in chosen) + ")"
        point = _validated(data, changes, label, problems, scenario.base_dir)
        if point is None:
            continue
        plain = point.model_dump()
        points.append(tuple(_read_back(plain, targets[key][0], value) for key, value in chosen))
        overrides.append(changes)
    if problems:
        raise SweepParameterError(problems)
    return Grid(parameters, points, overrides)


def _validated(
    data: dict[str, Any],
    changes: Sequence[tuple[DataPath, Any]],
    label: str,
    problems: list[str],
    base_dir: Path | None,
) -> Scenario | None:
    """The changed scenario if it validates, its references resolve and the files it names are safe to read
    (inside the scenario's folder, regular: the same checks as for a scenario file); otherwise None."""
    try:
        scenario = Scenario.model_validate(with_overrides(data, changes))
    except ValidationError as error:
        problems.extend(f"{label}: {message}" for message in _validation_messages(error))
        return None
    checks = [*check_references(scenario), *check_files(scenario, base_dir)]
    found = [f"{label}: {format_path(p.path)}: {p.message}" for p in checks]
    problems.extend(found)
    return None if found else scenario


def _read_back(data: dict[str, Any], path: DataPath, given: Any) -> Any:
    """The value as validated (seconds for "5m"), or the given one where the field holds a structure."""
    node: Any = data
    for part in path:
        node = node[part]
    return node if isinstance(node, int | float | str | bool) else given
