"""Inputs that used to pass validation and then crash, hang or leak control characters later (issue 11).

Each class is closed in one place of the model, so the tests check the place (every field of every model)
as well as the symptoms the red team found.
"""

from __future__ import annotations

import inspect
import os
import pickle
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic.fields import FieldInfo

import workbench.model as model_package
from workbench.errors import MAX_SHOWN_MESSAGE, MAX_SHOWN_PATH, PolicyError, Problem, ScenarioError, WorkbenchError
from workbench.model import Scenario, load_scenario, parse_scenario
from workbench.model.common import Id, Prose, StrictModel, Text
from workbench.model.durations import MAX_DURATION, parse_duration, parse_rate, serialise_duration
from workbench.model.yaml_safe import load_yaml

MINIMAL = """\
schema_version: 1
name: tiny
as_of: 2026-11-28
humans:
  - id: alice
agents:
  - id: bot
    owner: alice
    roles: [reader]
datasets:
  - id: crm
    sensitivity: confidential
roles:
  - id: reader
    permissions:
      - {action: read, resource: crm}
"""

REPO = Path(__file__).resolve().parents[1]


def problems_of(text: str, **kwargs: Any) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(textwrap.dedent(text), filename="s.yaml", **kwargs)
    return caught.value.problems


def _models() -> list[type[StrictModel]]:
    found: dict[str, type[StrictModel]] = {}
    for module_name in ("access", "assets", "common", "controls", "identities", "scenario", "threats", "workload"):
        module = getattr(model_package, module_name, None) or __import__(
            f"workbench.model.{module_name}", fromlist=["x"]
        )
        for _name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, StrictModel) and value is not StrictModel:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def _leaves(annotation: Any) -> list[Any]:
    """The member types of an annotation, through Optional/Union, list, dict values and Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return [annotation]
    if origin in (typing.Union, types.UnionType):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaves(arg)]
    if origin in (list, tuple, set, frozenset):
        return [leaf for arg in typing.get_args(annotation) if arg is not Ellipsis for leaf in _leaves(arg)]
    if origin is dict:
        return _leaves(typing.get_args(annotation)[1])
    return [annotation]


def _constraints(leaf: Any, info: FieldInfo) -> list[Any]:
    metadata = list(info.metadata)
    if typing.get_origin(leaf) is typing.Annotated:
        metadata += list(typing.get_args(leaf)[1:])
    return metadata


def _fields() -> list[tuple[str, Any, FieldInfo]]:
    return [
        (f"{model.__name__}.{name}", info.annotation, info)
        for model in _models()
        for name, info in model.model_fields.items()
    ]


_TEXT_CHECKS = {typing.get_args(Text)[2].func, typing.get_args(Prose)[2].func}


# -- one place per class: every field of every model -------------------------------------------------------


def test_every_string_field_refuses_control_characters() -> None:
    """No model declares a bare `str`: each string is an Id, Text, Prose, or a pattern-checked string."""
    bare = []
    for where, annotation, info in _fields():
        for leaf in _leaves(annotation):
            if leaf in (Id, Text, Prose):
                continue
            base = typing.get_args(leaf)[0] if typing.get_origin(leaf) is typing.Annotated else leaf
            if base is not str:
                continue
            checks = _constraints(leaf, info)
            if any(getattr(c, "pattern", None) or getattr(c, "func", None) in _TEXT_CHECKS for c in checks):
                continue
            bare.append(where)
    assert bare == []


def test_every_float_is_finite_and_every_integer_bounded() -> None:
    unbounded = []
    for model in _models():
        assert model.model_config.get("allow_inf_nan") is False, model
    for where, annotation, info in _fields():
        for leaf in _leaves(annotation):
            base = typing.get_args(leaf)[0] if typing.get_origin(leaf) is typing.Annotated else leaf
            if base is int and not any(
                getattr(c, "le", None) is not None or getattr(c, "lt", None) is not None
                for c in _constraints(leaf, info)
            ):
                unbounded.append(where)
    assert unbounded == []


def _string_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _string_paths(value, (*path, key))]
    if isinstance(node, list):
        return [p for index, value in enumerate(node) for p in _string_paths(value, (*path, index))]
    return [path] if isinstance(node, str) else []


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x9b", "\u202e"])
def test_a_control_character_in_any_string_of_a_scenario_is_refused_where_it_is_written(char: str) -> None:
    """Every string leaf of a rich shipped scenario, one at a time: an escape YAML allows (`"\\e"`, `"\\0"`,
    `"\\x9b"`) is a problem located at that very value."""
    source = (REPO / "scenarios" / "customer-support.yaml").read_text()
    data = load_yaml(source, filename="x.yaml").data
    paths = [p for p in _string_paths(data) if p[-1] != "schema_version"]
    assert len(paths) > 100
    missed = []
    for path in paths:
        mutated = load_yaml(source, filename="x.yaml").data
        original = mutated
        for part in path[:-1]:
            original = original[part]
        _set(mutated, path, f"x{char}{original[path[-1]]}")
        try:
            Scenario.model_validate(mutated)
        except Exception as error:  # pydantic's ValidationError: located at the value
            locations = [tuple(e["loc"]) for e in error.errors()]  # type: ignore[attr-defined]
            if not any(_same_place(loc, path) for loc in locations):
                missed.append((path, locations))
            continue
        missed.append((path, "accepted"))
    assert missed == []


def _same_place(loc: tuple[Any, ...], path: tuple[Any, ...]) -> bool:
    """A pydantic location names the data path, with union tags (e.g. 'cedar') in between; a bad union tag
    (`dist`, `kind`) is reported at the value that carries it."""
    if path[-1] in ("dist", "kind"):
        path = path[:-1]
    remaining = list(path)
    for part in loc:
        if remaining and part == remaining[0]:
            remaining.pop(0)
    return not remaining


def test_prose_keeps_line_breaks_and_one_line_text_does_not() -> None:
    text = MINIMAL + 'description: "First paragraph.\\n\\n\\tSecond, indented."\n'
    assert parse_scenario(text, filename="s.yaml").description == "First paragraph.\n\n\tSecond, indented."
    (problem,) = problems_of(MINIMAL + 'title: "Pwned\\n# injected heading"\n')
    assert (problem.path, problem.line) == ("title", MINIMAL.count("\n") + 1)
    assert "line break" in problem.message
    (problem,) = problems_of(MINIMAL + 'description: "ok\\e]52;c;ZXZpbA==\\a"\n')
    assert "U+001B" in problem.message and problem.path == "description"


def test_an_unknown_key_is_quoted_with_escapes_and_cannot_forge_lines() -> None:
    (problem,) = problems_of(MINIMAL + '"x\\e[2J\\nFILE:1:1: forged": 1\n')
    shown = str(problem)
    assert "\x1b" not in shown and "\n" not in shown
    assert "unknown field 'x\\x1b[2J\\nFILE:1:1: forged'" in shown


def test_problem_lines_escape_every_part() -> None:
    problem = Problem("a\x1b.yaml", 1, 2, "x\n", "m\x9bn\u202e", "code")
    assert str(problem) == "a\\x1b.yaml:1:2: x\\n: m\\x9bn\\u202e [code]"


def test_a_megabyte_long_field_name_gives_a_line_of_bounded_length() -> None:
    # Importers put an input's key into the JSON pointer and the message: both are cut, the place is kept.
    key = "k" * 3_000_000
    problem = Problem("dump.json", 7, 9, f"/spans/{key}", f"unknown field {key!r}", "unknown-field")
    shown = str(problem)
    assert shown.startswith("dump.json:7:9: /spans/kkk") and shown.endswith("… [unknown-field]")
    assert len(shown) < MAX_SHOWN_PATH + MAX_SHOWN_MESSAGE + 100


# -- numbers: finite, bounded, exact ----------------------------------------------------------------------


def _task(arrival: str = "{rate: 1/h}", step: str = "") -> str:
    return (
        "workload:\n  task_types:\n    - id: t\n      agent: bot\n"
        f"      arrival: {arrival}\n      steps:\n        - {{action: read, resource: crm{step}}}"
    )


_LONG_NUMBER = "9" * 400


@pytest.mark.parametrize(
    ("snippet", "path", "needle"),
    [
        ("simulation: {horizon: .inf}", "simulation.horizon", "finite"),
        ("simulation: {horizon: 0}", "simulation.horizon", "greater than 0"),
        ("simulation: {horizon: 1000000w}", "simulation.horizon", "100 years"),
        (f"simulation: {{horizon: {_LONG_NUMBER}s}}", "simulation.horizon", "100 years"),
        ("simulation: {replications: 100001}", "simulation.replications", "100000"),
        ("simulation: {seed: 9223372036854775808}", "simulation.seed", "less than or equal"),
        ("weights: {sensitivity: {restricted: .nan}}", "weights.sensitivity.restricted", "finite"),
        ("weights: {action: {read: 1e300}}", "weights", "between 0 and"),
        ("thresholds: {exposure: .inf}", "thresholds.exposure", "finite"),
        (_task("{rate: 1/0s}"), "workload.task_types[0].arrival.rate", "period of zero"),
        (_task("{rate: .inf}"), "workload.task_types[0].arrival.rate", "finite"),
        (_task("{at: [.nan]}"), "workload.task_types[0].arrival.at[0]", "finite"),
        (_task(step=", probability: .nan"), "workload.task_types[0].steps[0].probability", "finite"),
        (_task(step=", amount: .inf"), "workload.task_types[0].steps[0].amount", "finite"),
        (
            _task(step=", duration: {dist: uniform, low: 1s, high: .inf}"),
            "workload.task_types[0].steps[0].duration.high",
            "finite",
        ),
        (
            "threats:\n  - {id: x, kind: prompt_injection, target: bot, rate: .inf, detection_delay: 1h}",
            "threats[0].rate",
            "finite",
        ),
        ("controls:\n  - {kind: jit, token_ttl: .nan}", "controls[0].token_ttl", "finite"),
        ("controls:\n  - {kind: cedar, policy: " + "p" * 5000 + "}", "controls[0].policy", "at most 1000"),
        (
            "services: {approver_pools: [{id: p, size: 1000000000, review_time: 1m}]}",
            "services.approver_pools[0].size",
            "10000",
        ),
    ],
)
def test_numbers_that_would_crash_or_never_end_are_refused_where_written(snippet: str, path: str, needle: str) -> None:
    problems = problems_of(MINIMAL + snippet + "\n")
    assert [p.path for p in problems] == [path], problems
    assert needle in problems[0].message


def test_a_dataset_value_beyond_cedar_integers_is_refused() -> None:
    text = MINIMAL.replace(
        "    sensitivity: confidential", "    sensitivity: confidential\n    value: 9223372036854775808"
    )
    (problem,) = problems_of(text)
    assert problem.path == "datasets[0].value" and "less than or equal" in problem.message


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=MAX_DURATION, allow_nan=False))
def test_durations_dump_exactly(seconds: float) -> None:
    """A duration written back (JSON mode, as a sweep or a notebook would) reloads to the very same float."""
    dumped = serialise_duration(seconds)
    assert parse_duration(dumped) == seconds


def test_a_scenario_round_trips_through_json_exactly() -> None:
    text = MINIMAL + "simulation: {horizon: 1000.123456}\ncontrols:\n  - {kind: jit, token_ttl: 123.456789}\n"
    loaded = parse_scenario(text, filename="s.yaml")
    again = Scenario.model_validate_json(loaded.model_dump_json())
    assert again.simulation.horizon == 1000.123456
    assert again.controls[0].token_ttl == 123.456789  # type: ignore[union-attr]
    assert Scenario.model_validate(loaded.model_dump()).model_dump() == loaded.model_dump()


def test_rates_refuse_a_zero_period_and_absurd_sizes() -> None:
    for bad in ("1/0s", "1/0.0h", "1e400/s", float("inf"), float("nan"), "5000/ms"):
        with pytest.raises(ValueError):
            parse_rate(bad)
    assert parse_rate("12/h") == 12 / 3600


# -- the model code: cached lookups, one path format --------------------------------------------------------


def test_model_copy_rebuilds_the_cached_lookups() -> None:
    scenario = parse_scenario(MINIMAL, filename="s.yaml")
    assert "bot" in scenario.kinds and scenario.path_of("bot") == ("agents", 0)
    renamed = scenario.agents[0].model_copy(update={"id": "robot"})
    copy = scenario.model_copy(update={"agents": [renamed]})
    assert "bot" not in copy.kinds and copy.kinds["robot"] == "agent"
    assert copy.by_id["robot"] is renamed and copy.path_of("robot") == ("agents", 0)
    assert "bot" in scenario.kinds  # the original keeps its own


def test_duplicate_ids_name_the_first_definition_in_the_one_path_format() -> None:
    text = MINIMAL + "tools:\n  - id: crm\n"
    (problem,) = problems_of(text)
    assert problem.path == "datasets[0].id" and "first defined at tools[0]" in problem.message


# -- files a scenario names --------------------------------------------------------------------------------


def _with_policy(tmp_path: Path, policy: str) -> Path:
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(MINIMAL + f"controls:\n  - kind: cedar\n    policy: {policy!r}\n")
    return scenario_file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_policy_paths_that_are_not_regular_files_say_what_they_are(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.cedar")
    (tmp_path / "folder.cedar").mkdir()
    (tmp_path / "a.cedar").symlink_to(tmp_path / "b.cedar")
    (tmp_path / "b.cedar").symlink_to(tmp_path / "a.cedar")
    expected = {
        "pipe.cedar": "is a named pipe (FIFO), not a regular file",
        "folder.cedar": "is a directory, not a regular file",
        "a.cedar": "is a loop of symbolic links",
        "missing.cedar": "does not exist",
        "x" * 300 + ".cedar": "too long",
        "/etc/passwd": "outside the scenario's folder",
        "../x.cedar": "outside the scenario's folder",
    }
    for policy, needle in expected.items():
        with pytest.raises(ScenarioError) as caught:
            load_scenario(_with_policy(tmp_path, policy))
        (problem,) = caught.value.problems
        assert problem.path == "controls[0].policy" and needle in problem.message, (policy, problem)


def test_resolve_file_checks_containment_itself(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text("permit(principal, action, resource);")
    scenario = load_scenario(_with_policy(tmp_path, "p.cedar"))
    assert scenario.resolve_file("p.cedar") == (tmp_path / "p.cedar").resolve()
    with pytest.raises(ValueError, match="outside the scenario's folder"):
        scenario.resolve_file("/etc/passwd")


# -- errors survive being rebuilt from their args (SimPy, pickle) ---------------------------------------------


def _all_subclasses(root: type) -> list[type]:
    found = []
    for sub in root.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def test_every_workbench_error_survives_being_rebuilt_from_its_args() -> None:
    import workbench.analysis.sweep
    import workbench.frameworks
    import workbench.graph.index
    import workbench.report.atomic
    import workbench.report.results_json  # noqa: F401  (register their error classes)

    problem = Problem("f.yaml", 3, 4, "agents[0]", "bad", "code")
    samples: dict[str, Any] = {
        "ProblemsError": ([problem],),
        "ScenarioError": ([problem],),
        "PolicyError": ([problem],),
        "CatalogError": ([problem],),
        "AtlasFileError": ([problem],),
        "SweepParameterError": (["a: bad", "b: worse"],),
        "SweepTaskError": ("chunk failed", 1, {"token_ttl": 60.0}, "jit", (0, 2), 7),
        "SimulationParameterError": (["controls: unknown design 'nope'"],),
        "JobError": (("jit", 0, 2), "RuntimeError: lost"),
        "UnknownEntityError": ("nobody", "support"),
        "OutputPathError": ("out/report.md", "is a named pipe (FIFO)"),
    }
    for cls in [WorkbenchError, *_all_subclasses(WorkbenchError)]:
        args = samples.get(cls.__name__, ("a message with 'quotes'",))
        error = cls(*args)
        for rebuilt in (type(error)(*error.args), pickle.loads(pickle.dumps(error))):
            assert type(rebuilt) is cls
            assert str(rebuilt) == str(error), cls
            assert getattr(rebuilt, "problems", None) == getattr(error, "problems", None), cls


def test_a_policy_error_keeps_its_problems_when_simpy_re_raises_it() -> None:
    error = PolicyError([Problem("p.cedar", 3, 1, "controls[0].policy", "no such attribute", "cedar-runtime")])
    rebuilt = type(error)(*error.args)
    assert len(rebuilt.problems) == 1 and str(rebuilt) == str(error)
