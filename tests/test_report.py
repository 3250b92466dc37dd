"""The report command end to end: files, escaping, byte-identical regeneration, atomic writes, gates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_support import REPO, cli, small_support, write_scenario

import workbench.report.documents as documents
import workbench.report.write as write_module
from workbench.model import load_scenario
from workbench.report import FORMAT_VERSION, ResultsFormatError, collect, read_results, render_reports

SCRIPT = "<script>alert('x')</script>"
EXPECTED = [
    "figures/access-graph.svg",
    "figures/blast-radius-by-design.svg",
    "figures/exposure-over-time.svg",
    "figures/latency.svg",
    "figures/tradeoff.svg",
    "findings.sarif",
    "report.html",
    "report.md",
    "results.json",
]


def _hostile() -> dict:
    document = small_support(title=f"Support {SCRIPT} | pipe", description=f"Says {SCRIPT} & `code` [x](javascript:y)")
    document["agents"][0]["name"] = f"<img src=x onerror=alert(1)>{SCRIPT}"
    document["accepted_risks"] = [
        {
            "finding": "WB112",
            "entity": "support-agent",
            "justification": f"Accepted {SCRIPT} until the split",
            "owner": "sam",
            "expires": "2027-01-31",
        },
        {
            "finding": "WB111",
            "entity": "support-agent",
            "justification": "Lapsed acceptance",
            "owner": "sam",
            "expires": "2026-11-01",
        },
    ]
    return document


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("hostile")
    path = write_scenario(folder, _hostile())
    data = collect(load_scenario(path), root=folder)
    return path, render_reports([data])


def test_every_output_is_written(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, small_support())
    assert cli(["report", str(path), "--out", str(tmp_path / "out"), "--root", str(tmp_path)]) == 0
    folder = tmp_path / "out" / "customer-support"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == EXPECTED
    assert (tmp_path / "out" / "index.md").read_text().count("customer-support/report.md") == 1
    assert not list((tmp_path / "out").rglob("*.tmp")), "no temporary files are left behind"


def test_html_escapes_scenario_strings(hostile_report: tuple[Path, dict[str, bytes]]) -> None:
    page = hostile_report[1]["customer-support/report.html"].decode()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert page.count("<svg") == 5, "figures are inline"
    assert not re.search(r"<[^>]*\s(src|href)=\"(?!#)", page), "self-contained: nothing is fetched"


def test_markdown_escapes_scenario_strings(hostile_report: tuple[Path, dict[str, bytes]]) -> None:
    text = hostile_report[1]["customer-support/report.md"].decode()
    assert "<script>" not in text and "<img" not in text
    assert "\\[x\\](javascript:y)" in text, "brackets are escaped, so no link can be forged"
    title = text.splitlines()[0]
    assert title == "# Support &lt;script&gt;alert('x')&lt;/script&gt; \\| pipe"


def test_svg_figures_escape_text(hostile_report: tuple[Path, dict[str, bytes]]) -> None:
    for path, content in hostile_report[1].items():
        if path.endswith(".svg"):
            assert b"<script" not in content and b"Date" not in content


def test_accepted_risks_are_suppressed_and_expired_ones_fire_again(
    hostile_report: tuple[Path, dict[str, bytes]],
) -> None:
    results = json.loads(hostile_report[1]["customer-support/results.json"])
    by_rule = {f["rule"]: f for f in results["findings"]}
    assert by_rule["WB112"]["suppressed"] is True
    assert by_rule["WB112"]["suppression"]["expires"] == "2027-01-31"
    assert by_rule["WB111"]["suppressed"] is False, "an expired acceptance suppresses nothing"
    assert "WB119" in by_rule, "and the expiry is itself reported"
    markdown = hostile_report[1]["customer-support/report.md"].decode()
    accepted = markdown.split("### Accepted risks", 1)[1].split("###", 1)[0]
    assert "WB112" in accepted and "2027-01-31" in accepted and "Accepted &lt;script&gt;" in accepted


def test_results_json_is_versioned(hostile_report: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    text = hostile_report[1]["customer-support/results.json"]
    document = json.loads(text)
    assert document["format_version"] == FORMAT_VERSION == 1
    assert document["scenario"]["source"] == "scenario.yaml"
    assert {row["design"] for row in document["comparison"]} == set(document["scenario"]["designs"])
    path = tmp_path / "results.json"
    path.write_bytes(text)
    assert read_results(path)["scenario"]["name"] == "customer-support"
    path.write_text(json.dumps({**document, "format_version": 2}))
    with pytest.raises(ResultsFormatError, match="format_version 2"):
        read_results(path)


def test_the_verdict_then_the_comparison_lead_the_report(hostile_report: tuple[Path, dict[str, bytes]]) -> None:
    headings = [
        line for line in hostile_report[1]["customer-support/report.md"].decode().splitlines() if line.startswith("## ")
    ]
    assert headings == [
        "## Verdict",
        "## Control designs compared",
        "## Findings",
        "## Governance per agent",
        "## Static blast radius",
        "## Attack paths",
    ]


_RENDER = """
import sys
from workbench.cli import app, run
from workbench.cli import report_commands
if "report" not in {c.name for c in app.registered_commands}:
    report_commands.register(app)
sys.exit(run(["report", sys.argv[1], "--out", sys.argv[2], "--root", sys.argv[3]]))
"""


@pytest.mark.slow
def test_regeneration_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, _hostile())
    outputs = []
    for hash_seed in ("1", "4242"):
        out = tmp_path / f"out-{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", _RENDER, str(path), str(out), str(tmp_path)], check=True, env=env, cwd=REPO
        )
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    different = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert different == []


@pytest.mark.slow
def test_failure_while_rendering_leaves_the_previous_report_untouched(tmp_path: Path, monkeypatch) -> None:
    path = write_scenario(tmp_path, small_support())
    out = tmp_path / "out"
    assert cli(["report", str(path), "--out", str(out), "--root", str(tmp_path)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edited = write_scenario(tmp_path, small_support(title="A different title"))
    assert edited == path

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("killed half-way through rendering")

    monkeypatch.setattr(documents, "sarif_text", broken)  # after the figures, Markdown and HTML rendered
    assert cli(["report", str(path), "--out", str(out), "--root", str(tmp_path)]) == 4
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_failure_while_writing_leaves_the_old_report_set_whole(tmp_path: Path, monkeypatch) -> None:
    # The set is staged beside the folder and swapped in at once: a run that dies between two files leaves
    # every old file as it was, no new file beside them, and nothing of the staging behind.
    path = write_scenario(tmp_path, small_support())
    out = tmp_path / "out"
    assert cli(["report", str(path), "--out", str(out), "--root", str(tmp_path)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_scenario(tmp_path, small_support(title="A different title"))
    real = write_module._write_new
    calls = []

    def dies_on_third(target: Path, data: bytes) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError("disk full")  # the run dies between two files
        real(target, data)

    monkeypatch.setattr(write_module, "_write_new", dies_on_third)
    assert cli(["report", str(path), "--out", str(out), "--root", str(tmp_path)]) == 4
    assert len(calls) == 3
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "all old: nothing of the dead run is visible"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [], "no staging left"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 0),
        (["--fail-on", "none"], 0),
        (["--fail-on", "high"], 1),
        (["--fail-on", "critical"], 0),  # the only critical finding (WB112) is accepted
        (["--fail-on", "medium", "--soft-fail"], 0),
        (["--fail-on", "bogus"], 2),
    ],
)
def test_fail_on_exit_codes(tmp_path: Path, args: list[str], code: int) -> None:
    path = write_scenario(tmp_path, _hostile())
    assert cli(["report", str(path), "--out", str(tmp_path / "out"), "--root", str(tmp_path), *args]) == code


def test_invalid_scenario_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nname: broken\n")
    assert cli(["report", str(path), "--out", str(tmp_path / "out")]) == 3
    assert not (tmp_path / "out").exists()


def _atlas_file(folder: Path, renamed: dict[str, str]) -> Path:
    """A minimal ATLAS.yaml holding every ATLAS id of the shipped catalog, some under new names."""
    import yaml

    from workbench.frameworks import load_catalog

    entries = load_catalog().framework("mitre_atlas").entries
    items = [{"id": e.id, "name": renamed.get(e.id, e.name or e.id), "description": f"About {e.id}."} for e in entries]
    matrix = {
        "id": "ATLAS",
        "name": "ATLAS Matrix",
        "techniques": [i for i in items if ".T" in i["id"]],
        "mitigations": [i for i in items if ".M" in i["id"]],
    }
    path = folder / "ATLAS.yaml"
    path.write_text(yaml.safe_dump({"id": "ATLAS", "name": "ATLAS", "version": "9.9.9", "matrices": [matrix]}))
    return path


@pytest.mark.slow
def test_report_names_atlas_entries_from_a_users_atlas_file(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, small_support())
    atlas = _atlas_file(tmp_path, {"AML.T0083": "Credentials Lifted From Agent Config"})
    out = tmp_path / "out"
    assert cli(["report", str(path), "--out", str(out), "--root", str(tmp_path), "--atlas", str(atlas)]) == 0
    assert "AML.T0083 Credentials Lifted From Agent Config" in (out / "customer-support" / "report.md").read_text()


def test_report_refuses_a_bad_atlas_file_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_scenario(tmp_path, small_support())
    atlas = tmp_path / "ATLAS.yaml"
    atlas.write_text("id: ATLAS\nmatrices: [}\n")
    out = tmp_path / "out"
    assert cli(["report", str(path), "--out", str(out), "--atlas", str(atlas)]) == 2
    assert f"{atlas}:2:" in capsys.readouterr().err
    assert not out.exists()
