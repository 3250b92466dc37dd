"""One declaration per control kind: a kind is its model (a member of `Control`) and the module named after it.

docs/extending.md promises that adding a design touches one module and one union member. These tests hold
the code to that: every kind's module builds its design, no other module lists kinds or asks a design for an
undeclared attribute, and a kind defined only in a test runs through simulation, findings and the report.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import pytest

from workbench.model import CONTROL_KINDS, ControlModel, Scenario, load_scenario
from workbench.model.controls import CONTROL_MODELS
from workbench.policy import AccessRequest, AccessState, ControlDesign, CredentialMode, Decision
from workbench.policy.factory import build_design
from workbench.report.assemble import collect
from workbench.report.documents import render_markdown
from workbench.sim.engine import standing_source
from workbench.sim.reach import ReachIndex

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"
SUPPORT = ROOT / "scenarios" / "customer-support.yaml"

DATA_ONLY = {"generate.py": "writes example scenarios, whose controls are YAML data"}
"""Modules that may spell a kind as data, not as knowledge of what the kind does."""


@pytest.mark.parametrize(("kind", "model"), list(zip(CONTROL_KINDS, CONTROL_MODELS, strict=True)))
def test_every_kind_is_built_by_the_module_named_after_it(kind: str, model: type[ControlModel]) -> None:
    module = importlib.import_module(f"workbench.policy.{kind}")
    assert inspect.signature(module.build).parameters["control"].annotation == model.__name__
    scenario = load_scenario(SUPPORT)
    (control,) = (c for c in scenario.controls if c.kind == kind)
    design = build_design(scenario, control, standing=standing_source(ReachIndex(scenario)))
    assert design.kind == kind
    assert isinstance(design, ControlDesign)  # every protocol member, reads_clock and the PDP cost included


def test_no_model_is_a_subclass_of_another_kind() -> None:
    # A subclass would match its parent's isinstance checks: the intent-aware design was once "a Jit".
    for model in CONTROL_MODELS:
        assert not any(issubclass(model, other) for other in CONTROL_MODELS if other is not model), model


def _mentions(source: str, relative: str) -> list[str]:
    """Where the module `relative` (to workbench/) names a kind (a string) or a control model (a name), or
    asks a design for an attribute by name, outside the kind's own module."""
    if relative in ("model/controls.py", "model/__init__.py") or relative in DATA_ONLY:
        return []
    own = relative.removeprefix("policy/").removesuffix(".py") if relative.startswith("policy/") else None
    models = {m.__name__: k for k, m in zip(CONTROL_KINDS, CONTROL_MODELS, strict=True)}
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Constant) and node.value in CONTROL_KINDS and node.value != own:
            found.append(f"{relative}:{node.lineno} spells the kind {node.value!r}")
        name = node.id if isinstance(node, ast.Name) else node.name if isinstance(node, ast.alias) else None
        if name in models and models[name] != own:
            found.append(f"{relative}:{node.lineno} names the model {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            target = ast.unparse(node.args[0]) if node.args else ""
            if "design" in target or "control" in target:
                found.append(f"{relative}:{node.lineno} asks {target} for an undeclared attribute")
    return found


def test_only_a_kinds_own_module_knows_the_kind() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert [m for path in modules for m in _mentions(path.read_text(), path.relative_to(PACKAGE).as_posix())] == []


def test_the_source_scan_sees_what_it_forbids() -> None:
    planted = (
        'TOKEN_KINDS = ("jit", "cedar")\n'
        "def f(design, control):\n"
        '    return getattr(design, "reads_clock", False) or isinstance(control, IntentAwareJit)\n'
    )
    found = _mentions(planted, "sim/planted.py")
    assert [line.split(" ", 1)[1] for line in found] == [
        "spells the kind 'jit'",
        "spells the kind 'cedar'",
        "asks design for an undeclared attribute",
        "names the model IntentAwareJit",
    ]


class Probe(ControlModel):
    """A kind written only in this test: JIT-like tokens, and every write stepped up to a human."""

    kind: Literal["probe_design"] = "probe_design"
    steps_up: ClassVar[bool] = True

    def step_up_rule(self) -> str:
        return "every write is stepped up to a human"


@dataclass(frozen=True)
class ProbeDesign:
    label: str
    pool: str | None
    kind: str = "probe_design"
    credential_mode: CredentialMode = "task_token"
    token_ttl: float | None = 600.0
    evaluates_at_request_time: bool = True
    reads_clock: bool = False
    warnings: tuple = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        if request.action == "write" and not state.approval_live:
            return Decision("step_up", "writes need a human", approver_pool=self.pool)
        return Decision("allow", "probe")

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return frozenset()


def _probe_module() -> types.ModuleType:
    module = types.ModuleType("workbench.policy.probe_design")

    def build(scenario: Scenario, control: Probe, *, standing: object, where: str) -> ProbeDesign:
        pools = scenario.services.approver_pools
        return ProbeDesign(label=control.label, pool=pools[0].id if pools else None)

    module.build = build  # type: ignore[attr-defined]
    return module


def test_a_new_kind_needs_only_its_model_and_its_module(monkeypatch: pytest.MonkeyPatch) -> None:
    # The module is installed as `workbench.policy.probe_design` would be; the model joins the scenario's
    # controls as a union member would. Nothing else is told about the kind.
    monkeypatch.setitem(sys.modules, "workbench.policy.probe_design", _probe_module())
    scenario = load_scenario(SUPPORT)
    short = scenario.simulation.model_copy(update={"horizon": 4 * 3600.0})
    controls = [scenario.controls[0], Probe(name="probe")]
    data = collect(scenario.model_copy(update={"controls": controls, "simulation": short}), replications=2)
    assert "probe" in [e.design for e in data.comparison]
    markdown = render_markdown(data, figures=[])
    assert "every write is stepped up to a human" in markdown
