"""The command line: exit codes CI scripts rely on, clean machine formats, located errors, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest

from workbench.cli import run
from workbench.model import load_scenario, scenario_json_schema_text

REPO = Path(__file__).resolve().parents[1]
SUPPORT = str(REPO / "scenarios" / "customer-support.yaml")


def test_validate_ok_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", SUPPORT]) == 0
    assert "ok " in capsys.readouterr().out


def test_validate_reports_every_problem_of_every_file_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("schema_version: 1\nname: a\nas_of: 2026-01-01\nagents:\n  - id: x\n    owner: ghost\n")
    second = tmp_path / "b.yaml"
    second.write_text("schema_version: 1\nname: b\nas_of: 2026-01-01\nagents: [{id: y, autonomy: total}]\n")
    assert run(["validate", str(first), str(second)]) == 3
    err = capsys.readouterr().err
    assert f"{first}:6:12: agents[0].owner: unknown human 'ghost' [unknown-reference]" in err
    assert f"{second}:4:" in err and "agents[0].autonomy" in err
    assert "Traceback" not in err
    assert "2 problems found" in err


def test_hostile_yaml_is_an_invalid_scenario_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    )
    assert run(["validate", str(bomb)]) == 3
    assert "[yaml-expansion]" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["no-such-command"]) == 2
    assert run(["validate"]) == 2
    assert run(["blast-radius", SUPPORT, "--identity", "nobody"]) == 2
    assert run(["simulate", SUPPORT, "--controls", "magic"]) == 2
    assert "unknown design 'magic'" in capsys.readouterr().err


def test_schema_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema"]) == 0
    assert capsys.readouterr().out == scenario_json_schema_text()


@pytest.mark.parametrize("fmt", ["graphml", "json", "mermaid", "dot"])
def test_graph_formats_are_clean_on_stdout(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", SUPPORT, "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "graphml":
        graph = nx.parse_graphml(out)
        assert "support-agent" in graph
    elif fmt == "json":
        assert any(node["id"] == "support-agent" for node in json.loads(out)["nodes"])
    elif fmt == "mermaid":
        assert out.startswith("flowchart")
    else:
        assert out.startswith("digraph") or out.startswith("strict digraph")


def test_blast_radius_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.graph import blast_radius, compile_access

    assert run(["blast-radius", SUPPORT, "--identity", "support-agent", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    expected = blast_radius(compile_access(load_scenario(SUPPORT)), "support-agent")
    assert row["score"] == expected.score
    assert row["permissions"] == [f"{a}:{r}" for a, r in expected.permissions]


def test_blast_radius_csv_is_sorted_by_score(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["blast-radius", SUPPORT, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    scores = [float(row["score"]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert {"support-agent", "crm-service-key"} <= {row["entity"] for row in rows}


def test_paths_explain_the_edges_that_carry_access(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["paths", SUPPORT, "--to", "billing", "--format", "json"]) == 0
    paths = json.loads(capsys.readouterr().out)
    assert paths, "the support agent reaches billing through the CRM tool"
    assert all(p["source"] == "support-agent" and p["target"] == "billing" for p in paths)
    assert "[tool_accesses] billing" in paths[0]["path"]


def test_generate_writes_a_valid_deterministic_scenario(tmp_path: Path) -> None:
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    assert run(["generate", "--agents", "50", "--seed", "4", "-o", str(first)]) == 0
    assert run(["generate", "--agents", "50", "--seed", "4", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(load_scenario(first).agents) == 50


def test_generate_writes_json_for_a_json_file_the_same_scenario(tmp_path: Path, capsys) -> None:
    as_yaml, as_json = tmp_path / "org.yaml", tmp_path / "org.json"
    assert run(["generate", "--agents", "50", "--seed", "4", "-o", str(as_yaml)]) == 0
    assert run(["generate", "--agents", "50", "--seed", "4", "-o", str(as_json)]) == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["schema_version"] == 1
    assert load_scenario(as_json).model_dump() == load_scenario(as_yaml).model_dump()
    capsys.readouterr()
    assert run(["blast-radius", str(as_json), "--top", "3", "--format", "json"]) == 0
    from_json = capsys.readouterr().out
    assert run(["blast-radius", str(as_yaml), "--top", "3", "--format", "json"]) == 0
    assert capsys.readouterr().out == from_json


def test_simulate_json_is_the_compare_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["simulate", SUPPORT, "--controls", "static_rbac,jit", "--replications", "2", "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["control"] for row in rows} == {"static_rbac", "jit"}
    assert {"metric", "mean", "ci_low", "ci_high", "ratio"} <= set(rows[0])


def test_simulate_table_prints_means_and_intervals_with_the_reports_digits() -> None:
    from workbench.cli.simulate_commands import _interval

    # as the report's "Control designs compared" prints them: thousands separated, never 2.035e+04
    assert _interval(20351.2, 9625.1, 37294.4) == "20,351 [9,625, 37,294]"
    assert _interval(54.62, 42.7, 62.0) == "54.6 [42.7, 62.0]"
    assert _interval(7.5, float("nan"), float("nan")) == "7.50"
    assert _interval(float("nan"), 1.0, 2.0) == "–"


def test_validate_checks_the_cedar_policy_files_a_scenario_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.cedar").write_text("permit (principal, action, resource)\nwhen { context.in_intent && };\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "schema_version: 1\nname: s\nas_of: 2026-01-01\nagents: [{id: a}]\n"
        "controls:\n  - kind: cedar\n    policy: bad.cedar\n"
    )
    assert run(["validate", str(scenario)]) == 3
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.cedar'}:2:" in err and "[cedar-syntax]" in err


def test_public_validate_compiles_policies_like_the_cli(tmp_path: Path) -> None:
    import workbench as wb

    (tmp_path / "bad.cedar").write_text("permit (principal, action, resource) when { context.nope };\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "schema_version: 1\nname: s\nas_of: 2026-01-01\nagents: [{id: a}]\n"
        "controls:\n  - kind: cedar\n    policy: bad.cedar\n"
    )
    with pytest.raises(wb.ScenarioError, match=r"bad\.cedar:1:"):
        wb.validate(scenario)
    assert repr(wb.validate(SUPPORT)).startswith("Scenario(name='customer-support', agents=1")


def _command_paths() -> list[list[str]]:
    """Every command of `workbench`, as the words that name it (`[]` is `workbench` itself)."""
    import typer

    from workbench.cli import app

    paths: list[list[str]] = []

    def walk(command: object, words: list[str]) -> None:
        paths.append(words)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*words, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("words", _command_paths(), ids=lambda words: " ".join(words) or "workbench")
def test_help_screens_show_flags_without_a_type(
    words: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per option
    assert run([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--help" in out and "Show this message and exit." in out
    assert "<bool>" not in out
