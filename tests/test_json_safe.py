"""JSON scenarios: the same scenario as its YAML, the same limits and located problems (JSON pointer and
line:column), positions scanned only when something asks for one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import ScenarioError
from workbench.model import json_safe, load_scenario, parse_scenario
from workbench.model.json_safe import json_pointer, load_json
from workbench.model.yaml_safe import LoadLimits, load_yaml

REPO = Path(__file__).resolve().parents[1]
FILE = "s.json"


def problems(text: str | bytes, **limits: int) -> list[tuple[int, int, str, str]]:
    """(line, column, path, code) of every problem loading `text` reports."""
    with pytest.raises(ScenarioError) as caught:
        load_json(text, filename=FILE, limits=LoadLimits(**limits))
    return [(p.line, p.column, p.path, p.code) for p in caught.value.problems]


def as_json(path: Path) -> str:
    return json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), indent=2, default=str)


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_a_shipped_scenario_as_json_is_the_same_scenario(tmp_path: Path, path: Path) -> None:
    target = tmp_path / f"{path.stem}.json"
    target.write_text(as_json(path), encoding="utf-8")
    shutil.copytree(REPO / "scenarios" / "policies", tmp_path / "policies")
    assert load_scenario(target).model_dump() == load_scenario(path).model_dump()


def test_syntax_errors_are_located() -> None:
    assert problems('{\n  "a": [1, 2,]\n}') == [(2, 13, "", "json-syntax")]  # at the trailing comma
    assert problems('{"a": tru}') == [(1, 7, "", "json-syntax")]
    assert problems("") == [(1, 1, "", "json-syntax")]
    assert problems("[1]") == [(1, 1, "", "json-not-object")]


def test_duplicate_keys_are_refused_not_resolved() -> None:
    assert problems('{"a": {"b": 1,\n "b": 2}}') == [(2, 2, "/a/b", "json-duplicate-key")]
    assert load_json('{"a": "x\\":", "b": 1}', filename=FILE).data == {"a": 'x":', "b": 1}  # `":` in a string


def test_nesting_and_size_limits_are_the_yaml_loaders() -> None:
    deep = '{"a": ' * 70 + "1" + "}" * 70
    [(line, column, path, code)] = problems(deep)
    assert code == "json-depth" and path == "/a" * 64 and (line, column) == (1, 6 * 65 + 1 - 6)
    with pytest.raises(ScenarioError, match="nesting is deeper than 64 levels"):
        load_yaml("a: " + "[" * 70 + "]" * 70, filename="s.yaml")
    assert problems('{"a": "ééé"}', max_bytes=8) == [(1, 1, "", "json-size")]
    assert problems(b'{"a": "\xff"}') == [(1, 8, "", "json-encoding")]
    assert problems('{"a": "\x7f"}') == [(1, 8, "", "json-control-char")]


def test_schema_problems_name_the_json_pointer_and_position() -> None:
    text = (
        '{\n  "schema_version": 1,\n  "name": "x",\n  "as_of": "2026-01-01",\n  "agents": [{"id": "a", "rolez": []}]\n}'
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, filename="org.json")
    assert [str(p) for p in caught.value.problems] == [
        "org.json:5:35: /agents/0/rolez: unknown field 'rolez'; did you mean 'roles'? [schema:extra_forbidden]"
    ]


def test_positions_are_scanned_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    text = as_json(REPO / "scenarios" / "customer-support.yaml")
    scans: list[int] = []
    real = json_safe._scan
    monkeypatch.setattr(json_safe, "_scan", lambda *a, **k: scans.append(1) or real(*a, **k))
    scenario = parse_scenario(text, filename="cs.json", base_dir=REPO / "scenarios")
    assert scans == []
    file, line, column = scenario.locate(("agents", 0, "id"))
    assert scans == [1] and file == "cs.json"
    assert text.splitlines()[line - 1][column - 1 :].startswith(json.dumps(scenario.agents[0].id))
    scenario.locate(("agents", 1))
    assert scans == [1]


def test_json_pointer_escapes_tilde_and_slash() -> None:
    assert json_pointer(()) == ""
    assert json_pointer(("a/b", "m~n", 3)) == "/a~1b/m~0n/3"


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=4), values, max_size=4), st.integers(0, 4))
def test_every_value_is_located_where_it_is_written(data: dict, indent: int) -> None:
    text = json.dumps(data, indent=indent or None, ensure_ascii=False)
    try:
        document = load_json(text, filename=FILE)
    except ScenarioError:
        return  # control characters hypothesis wrote are refused, as in YAML
    assert document.data == data
    positions = document.source.positions

    def walk(value: object, path: tuple[str | int, ...]) -> None:
        line, column = positions[path]
        rest = text.split("\n")[line - 1][column - 1 :]  # JSON lines end at \n only (not at U+0085)
        if not isinstance(value, dict | list):
            assert rest.startswith(json.dumps(value, ensure_ascii=False)), (path, rest)
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, child in children:
            walk(child, (*path, key))

    walk(data, ())
