"""Nothing from a scenario reaches a terminal, a CI log or a file unescaped, end to end through the command line:
no control byte in any output format, no rich markup or emoji shortcode applied to user text, no Mermaid
directive taking effect, no Markdown block structure injected into report.md or index.md."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from test_sim_support import TINY

from workbench.cli import run
from workbench.escaping import markdown, markdown_cell, mermaid_label

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control bytes no output may carry (tab and newline are the only ones allowed, as line structure)."""

DIRECTIVE = '%%{init: {"theme": "forest"}}%%'
NAME = f"Bot {DIRECTIVE} :thumbs_up: [bold red]red[/] <b>x</b> `code` | pipe *star* _under_"
PROSE = "First line.\n# Injected heading\n```\nfenced\n```\n- injected item\n---\n1. injected list\n    indented code"


def hostile() -> dict[str, Any]:
    data = copy.deepcopy(TINY)
    data["name"] = "tiny:thumbs_up:"
    data["title"] = f"Title {DIRECTIVE} :100: [bold]b[/bold] # not a heading"
    data["description"] = PROSE
    data["agents"][0].update({"name": NAME, "business_purpose": PROSE})
    data["humans"][0]["name"] = NAME
    data["datasets"][0]["description"] = PROSE
    data["simulation"] = {"horizon": "1h", "replications": 2, "seed": 7}
    data["threats"] = [
        {"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s"], "detection_delay": "5m"}
    ]
    return data


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    # the file's own name carries ESC, a C1 CSI and a newline: it reaches messages, report.md and SARIF
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "evil\x1b[31m\x9b2J\nname.yaml"
    path.write_text(yaml.safe_dump(hostile(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _no_control(where: str, text: str) -> None:
    found = CONTROL.search(text)
    assert found is None, f"{where}: control character {found.group()!r} at {found.start()}"


def test_no_output_format_carries_a_control_byte(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
):
    outputs: dict[str, str] = {}
    commands = {
        "validate": ["validate", str(scenario_file)],
        "graph mermaid": ["graph", str(scenario_file), "--format", "mermaid"],
        "graph dot": ["graph", str(scenario_file), "--format", "dot"],
        "graph graphml": ["graph", str(scenario_file), "--format", "graphml"],
        "graph json": ["graph", str(scenario_file), "--format", "json"],
        "blast-radius": ["blast-radius", str(scenario_file)],
        "paths": ["paths", str(scenario_file)],
        "simulate table": ["simulate", str(scenario_file)],
        "simulate csv": ["simulate", str(scenario_file), "-f", "csv"],
        "report": ["report", str(scenario_file), "-o", str(tmp_path / "out"), "--root", str(tmp_path)],
        "unknown design": ["simulate", str(scenario_file), "-c", "\x1b]52;c;SGVsbG8=\x07"],
    }
    for label, argv in commands.items():
        code = run(argv)
        captured = capsys.readouterr()
        assert code in (0, 1, 2), (label, code, captured.err)
        outputs[f"{label} (stdout)"] = captured.out
        outputs[f"{label} (stderr)"] = captured.err
    files = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"report.md", "report.html", "results.json", "findings.sarif", "index.md"}
    for path in files:
        outputs[str(path.relative_to(tmp_path))] = path.read_text(encoding="utf-8")
    for where, text in outputs.items():
        _no_control(where, text)
    # rich printed user text literally: no emoji for :thumbs_up:, markup shown, not applied
    table = outputs["simulate table (stdout)"]
    assert "tiny:thumbs_up:" in table and "👍" not in table
    assert "👍" not in "".join(outputs.values()) and "💯" not in "".join(outputs.values())
    assert "\\x1b]52" in outputs["unknown design (stderr)"]
    json.loads(outputs["graph json (stdout)"])


def test_graph_exports_escape_for_their_language(scenario_file: Path, capsys: pytest.CaptureFixture[str]):
    import xml.dom.minidom

    assert run(["graph", str(scenario_file), "--format", "mermaid"]) == 0
    mermaid = capsys.readouterr().out
    assert "%%" not in mermaid and "init" in mermaid  # the directive is text in a label, never a directive
    assert all(line.startswith(("flowchart", "    ")) for line in mermaid.splitlines())
    for line in mermaid.splitlines()[1:]:
        label = re.search(r'"(.*)"', line)
        assert label is None or not set(label.group(1)) & set('"{}%|`')
    assert run(["graph", str(scenario_file), "--format", "graphml"]) == 0
    xml.dom.minidom.parseString(capsys.readouterr().out)  # well-formed XML
    assert run(["graph", str(scenario_file), "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert len(dot.splitlines()) == len([ln for ln in dot.splitlines() if ln.endswith((";", "{", "}"))])


def test_report_markdown_keeps_its_own_block_structure(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "out"
    assert run(["report", str(scenario_file), "-o", str(out)]) in (0, 1)
    capsys.readouterr()
    for name in ("tiny:thumbs_up:/report.md", "index.md"):
        text = (out / name).read_text(encoding="utf-8")
        tokens = MarkdownIt("commonmark").enable("table").parse(text)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
        assert not any("Injected" in h for h in headings), headings
        fences = [t.info for t in tokens if t.type == "fence"]
        assert set(fences) <= {"mermaid"}, fences
        assert not [t for t in tokens if t.type == "code_block"]
        assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
        for t in tokens:
            if t.type == "fence":
                assert "%%" not in t.content


@pytest.mark.parametrize(
    "text",
    [PROSE, NAME, "- a\n+ b\n* c\n> quote\n===\n#\n1) x\n2. y", "<script>alert(1)</script>", "[x](javascript:1)"],
)
def test_escaped_markdown_renders_as_one_paragraph_of_the_same_words(text: str):
    md = MarkdownIt("commonmark").enable("table")
    blocks = [t.type for t in md.parse(markdown(text)) if t.nesting == 1]
    assert blocks == ["paragraph_open"], blocks
    assert [t.type for t in md.parse(f"| a |\n|---|\n| {markdown_cell(text)} |\n") if t.type == "tr_open"] == [
        "tr_open",
        "tr_open",
    ]
    assert "<script" not in md.render(markdown(text)) and 'href="javascript' not in md.render(markdown(text))


@pytest.mark.parametrize("value", ["-5 %", "8.1", "#3", "a-b"])
def test_markdown_leaves_what_opens_no_block_alone(value: str):
    assert markdown(value) == value


def test_mermaid_labels_carry_no_directive_or_statement_break():
    label = mermaid_label(f'{DIRECTIVE}\n"]; click n0 call alert(1); n1["')
    assert not set(label) & set('"%{}\n')  # brackets are text inside the quotes


def test_a_problem_on_line_100_prints_its_line_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = yaml.safe_dump(copy.deepcopy(TINY), sort_keys=False)
    lines = text.splitlines()
    padding = ["# padding"] * (99 - len(lines))
    file = tmp_path / "file.yaml"
    file.write_text("\n".join([*lines, *padding, "unknown_key: 1"]) + "\n", encoding="utf-8")
    assert run(["validate", str(file)]) == 3
    err = capsys.readouterr().err
    assert f"{file}:100:14: unknown_key" in err and "💯" not in err
