"""The shipped example of docs/importing.md: scenarios/imported-estate.yaml is what importing the fixtures
into the hand-written overlay writes (the Makefile's `estate` steps), byte for byte, and its report opens
the lines of the original files."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from workbench.cli import run

REPO = Path(__file__).resolve().parents[1]
ESTATE = REPO / "scenarios/imported-estate.yaml"
OVERLAY = "scenarios/overlays/imported-estate.overlay.yaml"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # provenance paths are as given: relative to the repository root


def _import_estate(folder: Path) -> Path:
    """The Makefile's `estate` target, step by step."""
    mcp, aws, out = folder / "mcp.yaml", folder / "aws.yaml", folder / "imported-estate.yaml"
    assert run(["import", "mcp", "tests/fixtures/mcp", "--as-of", "2026-12-01", "-o", str(mcp)]) == 0
    dump = "tests/fixtures/aws/account-authorization-details.json"
    assert run(["import", "aws-iam", dump, "--merge", str(mcp), "-o", str(aws)]) == 0
    selectors = ["--agent-label", "app.kubernetes.io/component=agent", "--agent-annotation", "workbench.io/agent"]
    cluster = "tests/fixtures/k8s/cluster.json"
    assert run(["import", "k8s", cluster, *selectors, "--merge", str(aws), "--merge", OVERLAY, "-o", str(out)]) == 0
    return out


def test_the_committed_estate_is_what_importing_the_fixtures_into_the_overlay_writes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, again = _import_estate(tmp_path / "a"), _import_estate(tmp_path / "b")
    assert first.read_bytes() == again.read_bytes()  # re-import: the same bytes
    committed = ESTATE.read_text().splitlines()
    # Only the editor's schema hint depends on where the file is written.
    assert committed[0] == "# yaml-language-server: $schema=../workbench/model/scenario.schema.json"
    assert first.read_text().splitlines()[1:] == committed[1:], "run `make estate` and commit the result"


def test_the_header_says_what_to_expect_and_what_it_was_built_from() -> None:
    header = list(itertools.takewhile(lambda line: line.startswith("#"), ESTATE.read_text().splitlines()))
    text = "\n".join(header)
    assert "# What to expect:" in text
    for source in ("mcp` from 6 MCP client config(s)", "aws-iam` from", "k8s` from cluster.json"):
        assert f"Imported by `workbench import {source}" in text
    assert header[-1] == "# Generated: edit the files given to --merge, not this one, and import again."


def test_it_validates_with_the_one_agent_nobody_claimed_as_a_todo_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(ESTATE.relative_to(REPO))]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "windsurf:tests-fixtures-mcp-laptops-carol" in warnings[0]


def test_its_report_points_code_scanning_at_the_original_files() -> None:
    sarif = json.loads((REPO / "reports/imported-estate/findings.sarif").read_text())
    located = {
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in sarif["runs"][0]["results"]
    }
    alice = "tests/fixtures/mcp/laptops/alice/claude_desktop_config.json"
    assert ("WB120", alice, 7) in located and ("WB104", alice, 7) in located  # the GitHub token's line
    assert any(r == "WB123" and uri.startswith("tests/fixtures/aws/") for r, uri, _ in located)
    assert any(r == "WB124" and uri == "tests/fixtures/k8s/cluster.json" for r, uri, _ in located)
    # Every result on an imported entity opens an inventory; only hand-written ones open the scenario.
    uris = {uri for _, uri, _ in located}
    assert all(u == "scenarios/imported-estate.yaml" or u.startswith("tests/fixtures/") for u in uris), uris
