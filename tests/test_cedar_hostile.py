"""Cedar policy text from a pull request (issue 11): native crashes, quadratic error location, garbled runtime
errors, byte-order marks, file size and file type. Every case ends in a located PolicyError, never a signal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import cedarpy
import pytest
import yaml
from test_policy_cedar import STANDING, cedar, errors, tiny, tiny_data

from workbench.analysis import simulate
from workbench.errors import PolicyError
from workbench.model import load_scenario
from workbench.policy import build_design, cedar_source
from workbench.policy.cedar_source import MAX_BRACKETS, MAX_EXPRESSION_DEPTH, split_policies

HEAD = "permit (principal, action, resource) when { "
SHAPES: dict[str, Callable[[int], str]] = {
    "and": lambda n: " && ".join(["context.in_intent"] * n),
    "or of comparisons": lambda n: " || ".join([f"context.risk_score == {i}" for i in range(n)]),
    "attribute chain": lambda n: "principal" + ".roles" * n,
    "sums": lambda n: " + ".join(["1"] * n) + " == 2",
    "nested ifs": lambda n: "if true then " * n + "true" + " else false" * n,
    "index chain": lambda n: "context" + '["in_intent"]' * n,
    "mixed": lambda n: " && ".join(['(context.in_intent || context.task == "x")'] * n),
}


def depth_refused(expression: str) -> bool:
    source = split_policies(HEAD + expression + " };")[0]
    return cedar_source._too_deep(source) is not None


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_depth_check_refuses_exactly_what_cedar_cannot_nest(shape: str) -> None:
    """Below the limit the text reaches cedarpy and converts without a nesting error; from the first size
    our check refuses, Cedar's own conversion refuses too (so nothing usable is lost)."""
    make = SHAPES[shape]
    first = next(n for n in range(1, 3 * MAX_EXPRESSION_DEPTH) if depth_refused(make(n)))
    accepted = HEAD + make(first - 1) + " };"
    cedarpy.PolicySet.from_str(accepted).to_pst()  # reaches Cedar and converts fine
    with pytest.raises(ValueError, match="nesting exceeds"):
        cedarpy.PolicySet.from_str(HEAD + make(first) + " };").to_pst()  # size 100-ish: cedar refuses, no crash


def policy_file(tmp_path: Path, text: str | bytes) -> Path:
    """A copy of the tiny scenario on disk with `text` as its Cedar policy, and one task at t = 1 s that
    reads customer data (risk score 12)."""
    data = tiny_data()
    data["workload"] = {
        "task_types": [
            {
                "id": "t",
                "agent": "bot",
                "arrival": {"at": ["1s"]},
                "steps": [{"action": "read", "resource": "customers"}],
            }
        ]
    }
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    target = tmp_path / "tiny.cedar"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text)
    return tmp_path / "tiny.yaml"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("(" * 700 + "context.in_intent" + ")" * 700, f"brackets nest more than {MAX_BRACKETS} levels"),
        (" && ".join(["context.in_intent"] * 2000), "100 or more levels deep"),
        (" && ".join(["context.in_intent"] * 101), "100 or more levels deep"),
        (" && ".join(["context.in_intent"] * 1000), "100 or more levels deep"),
        ("[" * 700 + "1" + "]" * 700 + ".contains(1)", f"brackets nest more than {MAX_BRACKETS} levels"),
    ],
)
def test_policies_that_crash_cedars_parser_are_refused_with_a_location(
    tmp_path: Path, expression: str, needle: str
) -> None:
    """The red team's 3 KB policies killed the process with SIGSEGV (700 parentheses, 2,000 `&&` terms) or
    ended in exit 4 (101-1,000 terms); now `validate` exits 3 at the policy's line and column."""
    scenario = policy_file(tmp_path, "permit (principal, action, resource);\n" + HEAD + expression + " };\n")
    result = run_cli("validate", str(scenario))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "cedar-limit" in line]
    assert len(lines) == 1 and needle in lines[0]
    assert f"{tmp_path / 'tiny.cedar'}:2:" in lines[0]


def test_a_syntax_error_at_the_end_of_a_long_policy_is_found_in_a_few_dozen_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The locator used to parse every token prefix (15 s for 40 KB, over a minute for 100 KB); it now
    bisects. Counted in parses, not timed: the count is what makes it fast whatever the machine."""
    terms = "[" + ", ".join(f'"task-{i}"' for i in range(10_000)) + "].contains(context.task)"  # ~110 KB, flat
    text = f"permit (principal, action, resource) when {{ {terms} && }};\n"
    assert len(text) > 100_000
    assert not depth_refused(terms)  # long but shallow: the limit is on depth, not on length
    calls = []
    real = cedarpy.PolicySet.from_str

    def counting(source: str, **options: object) -> cedarpy.PolicySet:
        calls.append(len(source))
        return real(source, **options)

    monkeypatch.setattr(cedarpy.PolicySet, "from_str", staticmethod(counting))
    [(line, column, code, message)] = errors(text)
    tokens = len(split_policies(text)[0].tokens)
    assert (line, column, code) == (1, text.index("&& }") + 4, "cedar-syntax")  # at the `}` after `&&`
    assert "`}`" in message
    assert len(calls) <= 2 + tokens.bit_length()  # bisection over ~20,000 tokens: about 16 parses


def test_a_byte_order_mark_is_accepted_like_in_yaml(tmp_path: Path) -> None:
    scenario = load_scenario(policy_file(tmp_path, "\ufeffpermit (principal, action, resource);\n".encode()))
    design = build_design(scenario, scenario.controls[0], standing=STANDING)
    assert design.kind == "cedar"


def test_invalid_utf8_in_a_policy_is_located(tmp_path: Path) -> None:
    scenario = load_scenario(policy_file(tmp_path, b"permit (principal, action, resource);\n// caf\xe9\n"))
    with pytest.raises(PolicyError) as caught:
        build_design(scenario, scenario.controls[0], standing=STANDING)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.code) == (2, 7, "cedar-encoding")  # the byte after "// caf"


def test_a_policy_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    text = "permit (principal, action, resource);\n" + "//" + "x" * cedar_source.MAX_CEDAR_BYTES + "\n"
    scenario = load_scenario(policy_file(tmp_path, text))
    with pytest.raises(PolicyError) as caught:
        build_design(scenario, scenario.controls[0], standing=STANDING)
    [problem] = caught.value.problems
    assert (problem.path, problem.code) == ("controls[0].policy", "cedar-size")
    assert "limit is 1,048,576" in problem.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_policy_swapped_for_a_fifo_after_loading_is_refused_not_waited_on(tmp_path: Path) -> None:
    scenario = load_scenario(policy_file(tmp_path, "permit (principal, action, resource);\n"))
    (tmp_path / "tiny.cedar").unlink()
    os.mkfifo(tmp_path / "tiny.cedar")
    with pytest.raises(PolicyError, match="named pipe"):
        build_design(scenario, scenario.controls[0], standing=STANDING)


def test_entity_ids_written_with_escapes_are_quoted_in_messages() -> None:
    [(_line, _column, code, message)] = errors('permit (principal == Agent::"x\\u{1b}[31m", action, resource);')
    assert code == "cedar-unknown-entity"
    assert "\x1b" not in message and "Agent::'x\\x1b[31m'" in message


def test_a_cedar_runtime_error_inside_a_simulation_keeps_its_problems(tmp_path: Path) -> None:
    """SimPy re-raises a process's exception as `type(e)(*e.args)`; the PolicyError must come out whole
    (one located problem), not spread one character per line ("169 problems found")."""
    overflow = "forbid (principal, action, resource) when { context.risk_score * 9223372036854775807 > 0 };\n"
    path = policy_file(tmp_path, "permit (principal, action, resource);\n" + overflow)
    scenario = load_scenario(path)
    with pytest.raises(PolicyError) as caught:
        simulate(scenario, controls=["cedar"], replications=1)
    [problem] = caught.value.problems
    assert (problem.line, problem.code) == (2, "cedar-runtime")
    assert "overflow" in problem.message
    result = run_cli("simulate", str(path), "-c", "cedar", "-r", "1")
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "1 problem found"


def test_a_design_built_in_python_without_a_folder_is_refused_cleanly() -> None:
    scenario = tiny()
    with pytest.raises(PolicyError) as caught:
        build_design(scenario, scenario.controls[0], standing=STANDING)
    assert caught.value.problems[0].code == "policy-path"


def test_a_long_flat_policy_set_is_accepted() -> None:
    policies = "\n".join(
        textwrap.dedent(f"""\
        @id("p{i}")
        permit (principal, action == Action::"read", resource) when {{ context.risk_score < {i} }};""")
        for i in range(300)
    )
    design = cedar(policies)
    assert len(design.policies.lines) == 300
