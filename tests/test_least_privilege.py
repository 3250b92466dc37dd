"""Least privilege from observed use: WB125 and `workbench suggest roles`."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sim_support import tiny

from workbench.analysis.least_privilege import adoption_effect, suggest_roles
from workbench.cli import run
from workbench.model import load_scenario

REPO = Path(__file__).resolve().parent.parent
OBSERVED = {
    "window_start": "2026-01-05T08:00:00Z",
    "window_end": "2026-01-05T18:00:00Z",
    "sources": [{"file": "day.jsonl", "sha256": "0" * 64, "requests": 3, "spans": 40}],
    "agents": ["bot"],
    "uses": [{"agent": "bot", "action": "read", "resource": "notes", "calls": 12}],
}


def observed_tiny(**changes):
    return tiny(observed=OBSERVED, **changes)


def test_suggested_roles_keep_only_observed_use_and_leave_shared_roles_alone():
    scenario = observed_tiny(
        agents=[{"id": "bot", "roles": ["reader"]}, {"id": "quiet", "roles": ["shared"]}],
        roles=[
            {
                "id": "reader",
                "permissions": [{"action": "*", "resource": "notes"}, {"action": "read", "resource": "ledger"}],
            },
            {"id": "shared", "permissions": [{"action": "read", "resource": "ledger"}]},
        ],
        humans=[{"id": "hana", "roles": ["shared"]}, {"id": "ivo"}],
    )
    suggestion = suggest_roles(scenario)
    reader, shared = suggestion.scenario.roles
    assert [(p.action, p.resource) for p in reader.permissions] == [("read", "notes")]
    assert "Narrowed to the use observed 2026-01-05 to 2026-01-05." in (reader.description or "")
    assert shared == scenario.roles[1]
    change = {c.role: c for c in suggestion.changes}
    assert ("delete", "notes") in change["reader"].removed and change["reader"].kept == (("read", "notes"),)
    assert "hana" in change["shared"].left_alone


def test_adopting_narrowed_roles_denies_the_unobserved_improvisation_it_removes():
    # Half the tasks improvise a write nobody observed: narrowed static RBAC denies exactly those.
    workload = {
        "task_types": [
            {
                "id": "note",
                "agent": "bot",
                "arrival": {"rate": "30/h"},
                "steps": [
                    {"action": "read", "resource": "notes", "duration": "5s"},
                    {"action": "write", "resource": "notes", "duration": "5s", "probability": 0.5},
                ],
            }
        ]
    }
    scenario = observed_tiny(workload=workload, controls=[{"kind": "static_rbac"}])
    effect = adoption_effect(scenario, suggest_roles(scenario).scenario, replications=4)
    (row,) = effect.to_dict("records")
    assert row["denied_rate"] == 0
    assert row["denied_rate_narrowed"] == pytest.approx(0.5, abs=0.05)
    assert row["denied_rate_change"] == pytest.approx(row["denied_rate_narrowed"])


def test_suggest_roles_cli_writes_a_valid_narrowed_scenario(tmp_path, capsys):
    out = tmp_path / "narrowed.yaml"
    source = tmp_path / "replay.yaml"
    traces = REPO / "scenarios" / "traces"
    args = [
        "import",
        "traces",
        str(traces / "support-desk.otlp.jsonl"),
        "--scenario",
        str(traces / "support-desk.yaml"),
    ]
    assert run([*args, "--map", str(traces / "support-desk.map.yaml"), "-o", str(source)]) == 0
    code = run(["suggest", "roles", str(source), "-o", str(out), "--replications", "2", "--format", "json"])
    assert code == 0
    captured = capsys.readouterr()
    assert '"control": "static_rbac"' in captured.out
    assert "role support-role (held by support-agent): keeps 7 of 11 permissions" in captured.err
    narrowed = load_scenario(out)
    role = next(r for r in narrowed.roles if r.id == "support-role")
    assert ("delete", "tickets") not in {(p.action, p.resource) for p in role.permissions}
    assert narrowed.observed == load_scenario(source).observed


def test_suggest_roles_without_observed_use_is_a_usage_error(capsys):
    assert run(["suggest", "roles", str(REPO / "scenarios" / "customer-support.yaml")]) == 2
    assert "observed" in capsys.readouterr().err
