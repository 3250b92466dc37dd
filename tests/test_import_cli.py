"""`workbench import SOURCE`: every importer takes the same shared options and treats them the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.cli import run

REPO = Path(__file__).resolve().parents[1]
INPUTS = {
    "mcp": ["tests/fixtures/mcp"],
    "aws-iam": ["tests/fixtures/aws/account-authorization-details.json"],
    "k8s": ["tests/fixtures/k8s/cluster.json", "--agent-label", "app.kubernetes.io/component=agent"],
}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("source", ["mcp", "aws-iam", "k8s", "opengraph"])
def test_every_importer_offers_the_shared_options(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["import", source, "--help"]) == 0
    shown = capsys.readouterr().out
    for option in ("--out", "--merge", "--as-of", "--name"):
        assert option in shown, option


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_shared_options_name_date_and_overlay_the_scenario_of_every_importer(source: str, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("schema_version: 1\nname: from-overlay\nas_of: 2026-03-04\nhumans: [{id: alice}]\n")
    plain, named, merged = tmp_path / "plain.yaml", tmp_path / "named.yaml", tmp_path / "merged.yaml"

    assert run(["import", source, *INPUTS[source], "--as-of", "2026-12-01", "-o", str(plain)]) == 0
    assert run(["import", source, *INPUTS[source], "--as-of", "2026-12-01", "--name", "estate", "-o", str(named)]) == 0
    assert run(["import", source, *INPUTS[source], "--merge", str(overlay), "-o", str(merged)]) == 0

    plain_doc, named_doc, merged_doc = (yaml.safe_load(p.read_text()) for p in (plain, named, merged))
    assert plain_doc["name"] == f"imported-{source}"
    assert str(plain_doc["as_of"]) == "2026-12-01"
    assert named_doc["name"] == "estate"
    assert merged_doc["name"] == "from-overlay"
    assert str(merged_doc["as_of"]) == "2026-03-04"  # no --as-of: the overlay's date
    assert {"id": "alice"} in merged_doc["humans"]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_a_bad_date_is_a_usage_error_for_every_importer(source: str, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    assert run(["import", source, *INPUTS[source], "--as-of", "12/01/2026", "-o", str(out)]) == 2
    assert not out.exists()
