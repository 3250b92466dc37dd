"""The scenario language: parsing, strict validation, cross-references, located errors, generated schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from workbench.errors import ScenarioError
from workbench.model import (
    Scenario,
    access,
    assets,
    common,
    controls,
    field_reference_markdown,
    format_duration,
    identities,
    load_scenario,
    parse_duration,
    parse_rate,
    parse_scenario,
    scenario,
    scenario_json_schema,
    scenario_json_schema_text,
    threats,
    workload,
)
from workbench.model.yaml_safe import load_yaml

REPO = Path(__file__).resolve().parents[1]
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


def problems_of(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(textwrap.dedent(text), filename="s.yaml", **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


# -- durations and rates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("1h30m", 5400),
        ("90d", 90 * 86400),
        ("2w", 14 * 86400),
        ("250ms", 0.25),
        (12, 12),
    ],
)
def test_durations_parse_to_seconds(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["15 minutes", "-5s", "m", "", "1.5.2h", True])
def test_bad_durations_are_rejected(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for seconds in (0.25, 1, 59, 61, 3600, 5400, 90061, 90 * 86400):
        assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)
    assert format_duration(None) == "never"


def test_rates_are_events_per_second() -> None:
    assert parse_rate("12/h") == pytest.approx(12 / 3600)
    assert parse_rate("1/30d") == pytest.approx(1 / (30 * 86400))
    assert parse_rate("3/d") == pytest.approx(3 / 86400)
    with pytest.raises(ValueError):
        parse_rate("twelve an hour")


# -- a valid scenario ---------------------------------------------------------------------------------


def test_minimal_scenario_loads_and_locates_entities() -> None:
    loaded = parse_scenario(MINIMAL, filename="s.yaml")
    assert loaded.agent("bot").owner == "alice"
    assert loaded.kinds["crm"] == "dataset"
    assert loaded.path_of("reader") == ("roles", 0)
    assert loaded.locate(loaded.path_of("bot")) == ("s.yaml", 7, 5)


def test_shorthand_duration_means_constant_distribution() -> None:
    text = MINIMAL + textwrap.dedent("""\
        workload:
          task_types:
            - id: look
              agent: bot
              arrival: {rate: 6/h}
              steps:
                - {action: read, resource: crm, duration: 20s}
        """)
    step = parse_scenario(text, filename="s.yaml").workload.task_types[0].steps[0]
    assert step.duration.dist == "constant"
    assert step.duration.value == 20


def test_partial_weights_keep_the_other_defaults() -> None:
    loaded = parse_scenario(MINIMAL + "weights: {sensitivity: {restricted: 20}}\n", filename="s.yaml")
    assert loaded.weights.sensitivity["restricted"] == 20
    assert loaded.weights.sensitivity["internal"] == 1.0
    assert loaded.weights.action["transfer"] == 4.0


# -- errors, all at once, located -----------------------------------------------------------------------


def test_unknown_field_is_located_and_suggests_the_right_name() -> None:
    found = problems_of(MINIMAL.replace("    owner: alice\n", "    owner: alice\n    autonmy: high\n"))
    assert found == ["s.yaml:9:14: agents[0].autonmy: unknown field 'autonmy'; did you mean 'autonomy'? "
                     "[schema:extra_forbidden]"]  # fmt: skip


def test_every_schema_problem_is_reported_at_once() -> None:
    text = MINIMAL.replace("sensitivity: confidential", "sensitivity: secret").replace(
        "    roles: [reader]\n", "    roles: [reader]\n    autonomy: extreme\n"
    )
    found = problems_of(text)
    assert len(found) == 2
    assert any("agents[0].autonomy" in p and ":10:15:" in p for p in found)
    assert any("datasets[0].sensitivity" in p and ":13:18:" in p for p in found)


def test_unknown_and_wrong_kind_references_name_the_place_they_are_used() -> None:
    text = MINIMAL.replace("owner: alice", "owner: bob").replace("roles: [reader]", "roles: [reader, crm]")
    found = problems_of(text)
    assert found == [
        "s.yaml:8:12: agents[0].owner: unknown human 'bob' [unknown-reference]",
        "s.yaml:9:21: agents[0].roles[1]: 'crm' is a dataset, expected a role [unknown-reference]",
    ]


def test_duplicate_ids_are_rejected_across_sections() -> None:
    text = MINIMAL + "secrets:\n  - id: crm\n"
    (problem,) = problems_of(text)
    assert "duplicate id 'crm'" in problem and "secrets[0].id" in problem


def test_sub_task_delegation_cycle_is_rejected() -> None:
    text = MINIMAL + textwrap.dedent("""\
        workload:
          task_types:
            - id: a
              agent: bot
              steps: [{delegate: b}]
            - id: b
              agent: bot
              steps: [{delegate: a}]
        """)
    (problem,) = problems_of(text)
    assert "loops: a -> b -> a" in problem


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2", "unsupported schema_version 2"), ("'1'", "unsupported schema_version '1'"), (None, "missing")],
)
def test_unsupported_schema_version_is_rejected(version: str | None, expected: str) -> None:
    text = MINIMAL.replace("schema_version: 1\n", "" if version is None else f"schema_version: {version}\n")
    (problem,) = problems_of(text)
    assert expected in problem and "[schema-version]" in problem


def test_step_needs_an_action_or_a_delegate() -> None:
    text = MINIMAL + textwrap.dedent("""\
        workload:
          task_types:
            - id: a
              agent: bot
              steps: [{action: read}]
        """)
    (problem,) = problems_of(text)
    assert "needs both 'action' and 'resource'" in problem


def test_policy_paths_must_stay_inside_the_scenario_folder(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (tmp_path / "outside.cedar").write_text("permit(principal, action, resource);")
    scenario_file = folder / "s.yaml"
    scenario_file.write_text(MINIMAL + "controls:\n  - kind: cedar\n    policy: ../outside.cedar\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_file)
    assert "is outside the scenario's folder [policy-path]" in str(caught.value)
    scenario_file.write_text(MINIMAL + "controls:\n  - kind: cedar\n    policy: missing.cedar\n")
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(scenario_file)


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file-missing"):
        load_scenario(tmp_path / "nope.yaml")


# -- shipped scenarios and the generated schema ---------------------------------------------------------


def test_shipped_scenario_is_valid_and_declares_the_schema(shipped_scenario_path: Path) -> None:
    first_line = shipped_scenario_path.read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../workbench/model/scenario.schema.json"
    loaded = load_scenario(shipped_scenario_path)
    assert loaded.agents and loaded.controls
    kinds = {c.kind for c in loaded.controls}
    assert {"static_rbac", "jit"} <= kinds


def test_shipped_scenario_validates_against_the_committed_json_schema(shipped_scenario_path: Path) -> None:
    schema = json.loads((REPO / "workbench/model/scenario.schema.json").read_text())
    document = load_yaml(shipped_scenario_path.read_bytes(), filename=str(shipped_scenario_path))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document.data), key=str)
    assert [e.message for e in errors] == []


def test_committed_json_schema_is_current() -> None:
    committed = (REPO / "workbench/model/scenario.schema.json").read_text()
    assert committed == scenario_json_schema_text(), "run `make schema` to regenerate"
    jsonschema.Draft7Validator.check_schema(scenario_json_schema())


def test_committed_field_reference_is_current() -> None:
    committed = (REPO / "docs/scenario-reference.md").read_text()
    assert committed == field_reference_markdown(), "run `make schema` to regenerate"


def test_json_schema_rejects_what_the_models_reject() -> None:
    validator = jsonschema.Draft7Validator(scenario_json_schema())
    document = load_yaml(MINIMAL, filename="s.yaml").data
    assert validator.is_valid(document)
    document["agents"][0]["autonomy"] = "extreme"
    assert not validator.is_valid(document)
    document["agents"][0]["autonomy"] = "high"
    document["agents"][0]["unknown"] = 1
    assert not validator.is_valid(document)


def test_every_field_is_documented_for_scenario_authors() -> None:
    undocumented = []
    for module in (access, assets, common, controls, identities, scenario, threats, workload):
        for name in dir(module):
            model = getattr(module, name)
            if isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == module.__name__:
                schema_properties = model.model_json_schema().get("properties", {})
                undocumented += [f"{name}.{field}" for field, spec in schema_properties.items() if not _described(spec)]
    assert undocumented == []


def _described(spec: dict[str, object]) -> bool:
    return bool(spec.get("description")) or "$ref" in spec or "allOf" in spec


def test_scenario_is_a_frozen_value() -> None:
    loaded = parse_scenario(MINIMAL, filename="s.yaml")
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own ValidationError subclass
        loaded.name = "changed"  # type: ignore[misc]
    assert isinstance(loaded, Scenario)


def test_scenario_displays_as_escaped_html_in_notebooks() -> None:
    text = MINIMAL.replace("name: tiny\n", "name: tiny\ntitle: <script>alert(1)</script>\n")
    html = parse_scenario(text, filename="s.yaml")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<td>agents</td><td>1</td>" in html
