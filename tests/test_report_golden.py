"""The committed reports under reports/ are what the shipped scenarios produce today, byte for byte.

Regenerates every shipped scenario into a temporary folder (one process per scenario, as many at a time as
there are CPUs, up to four) with the scenario's own replications and seed, and compares every file. When it
fails, run `make report` and commit the result: the diff of reports/ is the change in the analysis.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SCENARIOS

pytestmark = pytest.mark.slow  # end to end: runs in `make test`, not in `make test-fast`

_RENDER = """
import os, sys
from workbench.cli import app, report_commands, run
if "report" not in {c.name for c in app.registered_commands}:
    report_commands.register(app)
jobs = str(min(4, os.cpu_count() or 1))
sys.exit(run(["report", *sys.argv[2:], "--out", sys.argv[1], "--jobs", jobs]))
"""


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_committed_reports_are_up_to_date(tmp_path: Path) -> None:
    scenarios = [p.relative_to(REPO).as_posix() for p in SCENARIOS]
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, str(tmp_path), *scenarios],
        cwd=REPO,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    fresh, committed = _files(tmp_path), _files(REPO / "reports")
    stale = sorted(name for name in fresh.keys() & committed.keys() if fresh[name] != committed[name])
    missing = sorted(fresh.keys() - committed.keys())
    extra = sorted(committed.keys() - fresh.keys())
    assert (stale, missing, extra) == ([], [], []), "reports/ is stale: run `make report` and commit reports/"
