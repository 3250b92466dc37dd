"""Small scenarios and helpers shared by the report, SARIF and diff tests (no tests of its own)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from workbench.cli import app, report_commands, run

__all__ = ["REPO", "SUPPORT", "cli", "small_support", "write_scenario"]

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "scenarios" / "customer-support.yaml"


def _ensure_registered() -> None:
    """Register `report` and `diff` on the app unless cli/__init__.py already does."""
    names = {command.name for command in app.registered_commands}
    if "report" not in names:
        report_commands.register(app)


def cli(argv: list[str]) -> int:
    """Run `workbench ARGV` in-process and return the exit code."""
    _ensure_registered()
    return run(argv)


def small_support(**edits: Any) -> dict[str, Any]:
    """The customer-support scenario as a dict, simulated for one day and two replications (fast)."""
    document = yaml.safe_load(SUPPORT.read_text(encoding="utf-8"))
    document["simulation"] = {"horizon": "1d", "replications": 2, "seed": 7}
    document.update(edits)
    return document


def write_scenario(
    folder: Path, document: dict[str, Any], *, name: str = "scenario.yaml", edit: Callable[[str], str] | None = None
) -> Path:
    """Write a scenario dict as YAML into `folder` (with the shipped Cedar policies beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "policies").exists():
        shutil.copytree(REPO / "scenarios" / "policies", folder / "policies")
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    path = folder / name
    path.write_text(edit(text) if edit else text, encoding="utf-8")
    return path
