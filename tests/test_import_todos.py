"""What an import cannot know (an agent's owner and purpose) is a TODO: a warning from `validate`, exit 0,
and a comment above the agent in the generated YAML, until the overlay fills it in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.model import parse_scenario
from workbench.model.todos import import_todos

REPO = Path(__file__).resolve().parents[1]
FIXTURES = "tests/fixtures/mcp"
ALICE = "claude-desktop:tests-fixtures-mcp-laptops-alice"
WARNING = re.compile(
    r"^warning: (?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<path>agents\[\d+\]): TODO: (?P<rest>.*)$"
)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _warnings(stderr: str) -> list[re.Match[str]]:
    return [m for m in map(WARNING.match, stderr.splitlines()) if m is not None]


def test_validate_warns_of_each_imported_agent_without_owner_or_purpose_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "laptops.yaml"
    assert run(["import", "mcp", FIXTURES, "--as-of", "2026-12-01", "-o", str(out)]) == 0
    capsys.readouterr()

    assert run(["validate", str(out)]) == 0
    captured = capsys.readouterr()
    warnings = _warnings(captured.err)
    assert len(warnings) == 6  # six client configs, six agents, nobody's owner known
    lines = out.read_text().splitlines()
    for warning in warnings:
        assert warning["file"] == str(out)
        assert "no owner and no business_purpose" in warning["rest"]
        assert warning["rest"].endswith("[import-todo]")
        # The warning points at the agent's `- id:` line, and the line above it says the same TODO.
        at = int(warning["line"]) - 1
        assert lines[at].lstrip().startswith("- id: ")
        assert lines[at - 1].lstrip().startswith("# TODO: imported agent ")
    assert "(6 TODO warnings)" in captured.out


def test_an_overlay_that_names_owner_and_purpose_closes_the_todo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "schema_version: 1\nname: laptops\nas_of: 2026-11-30\nhumans: [{id: alice}]\n"
        f"agents:\n  - id: {ALICE}\n    owner: alice\n"
        "  - id: cursor:tests-fixtures-mcp-laptops-bob\n    business_purpose: Bob's assistant\n"
    )
    out = tmp_path / "estate.yaml"
    assert run(["import", "mcp", FIXTURES, "--merge", str(overlay), "-o", str(out)]) == 0
    capsys.readouterr()
    assert run(["validate", str(out)]) == 0
    messages = [w["rest"] for w in _warnings(capsys.readouterr().err)]
    assert len(messages) == 6
    assert f"'{ALICE}' has no business_purpose;" in messages[0]  # the owner is set: only the purpose is open
    assert "'cursor:tests-fixtures-mcp-laptops-bob' has no owner;" in messages[1]
    text = out.read_text()
    assert f"'{ALICE}' has no business_purpose;" in text


def test_a_hand_written_agent_without_an_owner_is_no_todo() -> None:
    scenario = parse_scenario("schema_version: 1\nname: s\nas_of: 2026-01-01\nagents: [{id: bot}]\n")
    assert import_todos(scenario) == []


def test_the_warnings_of_a_large_import_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = "".join(
        f"  - id: a{n}\n    provenance: [{{source: mcp, file: c{n}.json, pointer: ''}}]\n" for n in range(60)
    )
    scenario = tmp_path / "many.yaml"
    scenario.write_text(f"schema_version: 1\nname: many\nas_of: 2026-01-01\nagents:\n{agents}")
    assert run(["validate", str(scenario)]) == 0
    captured = capsys.readouterr()
    assert len(_warnings(captured.err)) == 50
    assert "... and 10 more like these" in captured.err
    assert "(60 TODO warnings)" in captured.out
