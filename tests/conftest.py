"""Shared fixtures: paths to the repository, the shipped scenarios and the shared reference material."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


def reference_dir() -> Path | None:
    """../shared/reference when present (tests that need it skip otherwise)."""
    configured = os.environ.get("WORKBENCH_REFERENCE_DIR")
    candidate = Path(configured) if configured else REPO.parent / "shared" / "reference"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def shipped_scenario_path(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


LONGEST = ("tests/test_report_golden.py",)
"""Files whose tests take longest (the golden test regenerates every shipped report): started before all else."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest tests first, then the other slow ones: under pytest-xdist a long test that starts last
    decides the wall time of the whole suite."""
    items.sort(key=lambda item: (not item.nodeid.startswith(LONGEST), item.get_closest_marker("slow") is None))
