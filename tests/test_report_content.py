"""What a report says: governance answers, the static blast-radius table, and the index across runs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_report_support import cli, small_support, write_scenario

from workbench.model import load_scenario
from workbench.report import collect, render_reports
from workbench.report.data import ReportData
from workbench.report.documents import render_markdown
from workbench.report.results_json import results_document


@pytest.fixture(scope="module")
def support(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    folder = tmp_path_factory.mktemp("support")
    return collect(load_scenario(write_scenario(folder, small_support())), replications=1, root=folder)


def _iga(data: ReportData, agent: str) -> dict[str, str]:
    return dict(next(g for g in data.governance if g.agent == agent).iga)


def test_governance_lists_held_credentials_apart_from_readable_secrets(support: ReportData) -> None:
    answers = _iga(support, "support-agent")
    assert "Which secrets may it use?" not in answers
    held = answers["Which credentials does it hold?"]
    assert held.startswith("mailer-api-key (copy in agent_config): held at all times in static_rbac")
    assert "replaced by per-task tokens issued to its workload identity in jit" in held
    assert answers["Which secrets may it read?"] == "none"


def test_credential_answers_read_as_sentences(support: ReportData) -> None:
    how = _iga(support, "support-agent")["How are its credentials issued, scoped and ended?"]
    assert "standing, standing" not in how and "ends each" not in how
    assert "static_rbac: standing access through role support-agent-role and held secret" in how
    assert "standing: roles:" not in how
    assert "ends only when a revocation trigger fires" in how and "; each token expires after" in how


def test_static_blast_radius_lists_tools_and_secrets(support: ReportData) -> None:
    kinds = {row.identity: row.kind for row in support.blast_radius}
    assert kinds["crm-mcp"] == "tool" and kinds["crm-service-key"] == "secret"
    scores = {row.identity: row.score for row in support.blast_radius}
    assert scores["crm-mcp"] > scores["support-agent"], "the tool's own key reaches more than the agent"
    table = render_markdown(support, figures=[]).split("## Static blast radius", 1)[1].split("\n## ", 1)[0]
    assert "| crm-mcp | tool |" in table and "| crm-service-key | secret |" in table


def _index_rows(out: Path) -> list[str]:
    return [line for line in (out / "index.md").read_text(encoding="utf-8").splitlines() if line.startswith("| [")]


def test_reporting_one_scenario_keeps_the_other_scenarios_index_rows(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    alpha = write_scenario(tmp_path / "s", small_support(name="alpha", title="Alpha"), name="alpha.yaml")
    beta = write_scenario(tmp_path / "s", small_support(name="beta", title="Beta"), name="beta.yaml")
    assert cli(["report", str(alpha), str(beta), "--out", str(out), "--replications", "1"]) == 0
    both = _index_rows(out)
    assert [row.split("]")[0] for row in both] == ["| [Alpha", "| [Beta"]

    assert cli(["report", str(beta), "--out", str(out), "--replications", "1"]) == 0
    assert _index_rows(out) == both, "alpha's row is kept, from its results.json, exactly as it was"
    assert all("| no clear winner at 1 replication (" in row for row in both), "with its verdict"

    shutil.rmtree(out / "alpha")
    assert cli(["report", str(beta), "--out", str(out), "--replications", "1"]) == 0
    assert [row.split("]")[0] for row in _index_rows(out)] == ["| [Beta"], "no row links a report that is gone"


def test_html_report_has_a_table_of_contents_whose_links_all_land(support: ReportData) -> None:
    page = render_reports([support])[f"{support.scenario.name}/report.html"].decode("utf-8")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "anchors are unique"
    toc = page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', toc)
    assert {"designs", "findings", "governance", "blast-radius", "attack-paths", "agent-support-agent"} <= set(links)
    assert set(links) <= set(ids)
    finding_anchors = [i for i in ids if i.startswith("finding-")]
    open_findings = [f for f in support.findings if not f.suppressed]
    assert len(finding_anchors) == len(open_findings) and all(f'href="#{a}"' in page for a in finding_anchors)
    assert "security severity</em> is the same as a number from 0 to 10" in page


def test_index_html_links_every_html_report(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    alpha = write_scenario(tmp_path / "s", small_support(name="alpha", title="Alpha & Co"), name="alpha.yaml")
    assert cli(["report", str(alpha), "--out", str(out), "--replications", "1"]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="alpha/report.html">Alpha &amp; Co</a>' in page
    assert (out / "alpha" / "report.html").is_file()


def test_the_verdict_opens_the_report_with_what_would_change_it(support: ReportData) -> None:
    verdict = support.verdict
    assert verdict is not None and verdict.status == "no_clear_winner", "one replication is no basis for a win"
    assert len(verdict.sensitivity) == 8 and verdict.most_sensitive is not None
    page = render_markdown(support, figures=[])
    assert page.index("## Verdict") < page.index("## Control designs compared")
    section = page.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    assert "**No clear winner at 1 replication.**" in section
    assert "What would change it: the verdict is most sensitive to" in section and "| detection delay |" in section
    document = results_document(support)
    assert document["verdict"]["status"] == "no_clear_winner"
    assert document["verdict"]["sensitivity"]["most_sensitive"]["parameter"] in {
        "compromise rate",
        "detection delay",
        "attacker action interval",
        "approvers fooled (1 − rejects_malicious)",
    }


def test_designs_over_budget_are_named_with_the_limit_they_break(tmp_path: Path) -> None:
    strict = small_support(budget={"latency_p95": "1s", "denied_rate": 0.5})
    data = collect(load_scenario(write_scenario(tmp_path, strict)), replications=2, root=tmp_path)
    assert data.verdict is not None and data.verdict.status == "none_eligible"
    section = render_markdown(data, figures=[]).split("## Verdict", 1)[1].split("\n## ", 1)[0]
    assert "**No design fits the budget.**" in section
    assert "Budget: p95 latency ≤ 1.00 s; tasks denied or timed out ≤ 50.0%." in section
    for design in data.scenario.designs:
        assert f"- {design}: p95 latency " in section and ", above the 1.00 s limit" in section
    assert results_document(data)["verdict"]["breaches"][0]["metric"] == "latency_p95_s"
