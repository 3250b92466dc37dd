"""Bad input exits 3 with FILE:LINE:COL, through the real command line, for every command that reads it: never
exit 4 (internal), never a traceback, and never a report folder touched."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_sim_support import TINY

from workbench.cli import run


def _scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(TINY)
    data.update(copy.deepcopy(changes))
    return data


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _task(**step: Any) -> dict[str, Any]:
    base = {"action": "read", "resource": "notes", "duration": "5s", **step}
    return {"task_types": [{"id": "note", "agent": "bot", "arrival": {"rate": "1/h"}, "steps": [base]}]}


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "rate 1/0s": (
        {"workload": {"task_types": [{**_task()["task_types"][0], "arrival": {"rate": "1/0s"}}]}},
        "workload.task_types[0].arrival.rate",
    ),
    "dataset value 2^63": (
        {"datasets": [{"id": "notes", "value": 2**63}, {"id": "ledger"}]},
        "datasets[0].value",
    ),
    "dataset value infinite": (
        {"datasets": [{"id": "notes", "value": float("inf")}, {"id": "ledger"}]},
        "datasets[0].value",
    ),
    "5,000-character policy path": (
        {"controls": [{"kind": "static_rbac"}, {"kind": "cedar", "label": "c", "policy": "p" * 5000}]},
        "controls[1].policy",
    ),
    "horizon 0": ({"simulation": {"horizon": 0, "replications": 1}}, "simulation.horizon"),
    "horizon 0s": ({"simulation": {"horizon": "0s", "replications": 1}}, "simulation.horizon"),
    "uniform with an infinite bound": (
        {"workload": _task(duration={"dist": "uniform", "low": 1, "high": float("inf")})},
        "workload.task_types[0].steps[0].duration",
    ),
    "TTL NaN": (
        {"controls": [{"kind": "static_rbac"}, {"kind": "jit", "token_ttl": float("nan")}]},
        "controls[1].token_ttl",
    ),
}


def _located(err: str, file: Path, path: str) -> bool:
    return re.search(rf"^{re.escape(str(file))}:\d+:\d+: {re.escape(path)}", err, re.MULTILINE) is not None


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
@pytest.mark.parametrize("command", ["validate", "simulate", "report"])
def test_bad_input_exits_3_with_its_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
):
    changes, where = BAD[case]
    file = _write(tmp_path / "scenario.yaml", _scenario(**changes))
    out = tmp_path / "out"
    argv = [command, str(file)] + (["-o", str(out)] if command == "report" else [])
    assert run(argv) == 3
    err = capsys.readouterr().err
    assert _located(err, file, where), err
    assert "Traceback" not in err
    assert not out.exists()


def test_two_scenarios_with_one_name_in_one_report_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    first = _write(tmp_path / "a.yaml", _scenario())
    second = _write(tmp_path / "b.yaml", _scenario())
    out = tmp_path / "out"
    assert run(["report", str(first), str(second), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert _located(err, second, "name") and "'tiny'" in err and str(first) in err
    assert not out.exists()


def test_names_that_differ_only_in_case_collide_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    first = _write(tmp_path / "a.yaml", _scenario(name="Support"))
    second = _write(tmp_path / "b.yaml", _scenario(name="support"))
    assert run(["report", str(first), str(second), "-o", str(tmp_path / "out")]) == 3
    assert _located(capsys.readouterr().err, second, "name")


@pytest.mark.parametrize("name", ["index.md", "INDEX.md"])
def test_a_scenario_named_like_a_report_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str):
    file = _write(tmp_path / "a.yaml", _scenario(name=name))
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.md").write_text("old index\n", encoding="utf-8")
    assert run(["report", str(file), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert _located(err, file, "name") and "reserved" in err
    assert (out / "index.md").read_text(encoding="utf-8") == "old index\n"
